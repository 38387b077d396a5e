import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { LiveFeed, type LiveGame } from '../../shared/schemas/steam';
import { killAll, spawnHub } from '../foundation/hub-process';
import { DATABASES } from '../support/databases';
import { type FakeOpenDota, startFakeOpenDota } from '../support/fake-opendota';
import { type FakeLiveGame, type FakeSteam, startFakeSteam } from '../support/fake-steam';
import { startHub, type TestHub } from '../support/hub';
import { connectSocket, type TestSocket, unwrap } from '../support/socket';
import { redisPrefix } from '../realtime/fixtures';
import { type Client, eventually, finishedMatch, range, twoTeamSeries } from './fixtures';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const LEAGUE = 17000;
const FAST = {
  STEAM_RATE_MS: '10',
  STEAM_SEQ_RATE_MS: '10',
  OPENDOTA_RATE_MS: '10',
  STEAM_BACKOFF_MS: '150',
  STEAM_LIVE_POLL_MS: '40',
  STEAM_LEAGUE_IDS: String(LEAGUE),
};

/** A league game between accounts base+0..4 (Radiant) and base+5..9 (Dire). */
function liveGame(matchId: number, base: number, radiantKills: number, netWorth = 5000): FakeLiveGame {
  return {
    match_id: matchId,
    lobby_id: 27110133270419509n + BigInt(matchId % 1000),
    league_id: LEAGUE,
    radiant_team: 'Alpha',
    dire_team: 'Bravo',
    duration: 600 + radiantKills * 60,
    radiant_score: radiantKills,
    dire_score: 2,
    players: range(base, 10).map((a, i) => ({
      account_id: a,
      name: `p${i}`,
      hero_id: i + 1,
      team: i < 5 ? 0 : 1,
      kills: i < 5 && i === 0 ? radiantKills : 0,
      net_worth: i < 5 ? netWorth : 4000,
    })),
  } as FakeLiveGame;
}
const liveCalls = (steam: FakeSteam) => steam.requests.filter((r) => r.method === 'GetLiveLeagueGames');

describe.each(DATABASES)('live games [%s]', (db) => {
  let steam: FakeSteam;
  let od: FakeOpenDota;
  let t: TestHub;
  let staff: Client;
  const sockets: TestSocket[] = [];
  beforeAll(async () => {
    [steam, od] = await Promise.all([startFakeSteam(), startFakeOpenDota()]);
    t = await startHub({ db, env: { ...steam.env(), ...od.env(), ...FAST } });
    staff = await t.login('livestaff', 'staff');
  });
  afterEach(() => {
    for (const s of sockets.splice(0)) s.close();
    steam.setDown(null);
    steam.setLiveGames(LEAGUE, []);
  });
  afterAll(async () => {
    await t?.close();
    await Promise.all([steam?.close(), od?.close()]);
  });

  it('RT1 a live game is published into its match room only when it changes, then finished, imported and fed into the bracket (ST5)', async () => {
    const s = await twoTeamSeries(t, staff, 800000);
    const room = 'match:8300000001';
    const spectator = await connectSocket(t.url);
    sockets.push(spectator);
    const joined = unwrap(await spectator.join(room));
    expect(joined).toMatchObject({ seq: 0, snapshot: { matchId: '8300000001', live: null, match: null } });

    steam.setLiveGames(LEAGUE, [liveGame(8_300_000_001, 800000, 3)]);
    const [first] = await spectator.untilEvents(room, 1);
    expect(first!.type).toBe('live.updated');
    const game = first!.payload as LiveGame;
    expect(game).toMatchObject({
      matchId: '8300000001',
      status: 'live',
      radiantName: 'Alpha',
      radiantScore: 3,
      direScore: 2,
      goldLead: 5000,
      lobbyId: String(27110133270419509n + 1n),
    });
    expect(game.players[0]).toMatchObject({ accountId: 800000, userId: s.users[0]!.userId, side: 'radiant', kills: 3 });

    // Unchanged polls publish nothing.
    const seen = liveCalls(steam).length;
    await eventually(() => liveCalls(steam).length >= seen + 4, 'four more polls');
    expect(spectator.eventsOf(room)).toHaveLength(1);

    steam.setLiveGames(LEAGUE, [liveGame(8_300_000_001, 800000, 5, 6000)]);
    const [, second] = await spectator.untilEvents(room, 2);
    expect(second).toMatchObject({ type: 'live.updated', seq: 2, payload: { radiantScore: 5, goldLead: 10000 } });
    expect((second!.payload as LiveGame).goldGraph).toEqual([
      { t: 780, lead: 5000 },
      { t: 900, lead: 10000 },
    ]);

    const feed = LiveFeed.parse((await t.client().get('/api/live')).body);
    expect(feed.live.enabled).toBe(true);
    expect(feed.games.find((g) => g.matchId === '8300000001')).toMatchObject({ status: 'live', radiantScore: 5 });

    // The game ends: gone from the league's live list, its result at OpenDota (Alpha on Radiant won).
    od.addMatch(finishedMatch(8_300_000_001, range(800000, 5), range(800005, 5), true));
    steam.setLiveGames(LEAGUE, []);
    await spectator.until(() => spectator.eventsOf(room).some((e) => e.type === 'match.linked'), 'the game linked to its series');
    expect(spectator.eventsOf(room).map((e) => e.type)).toEqual(['live.updated', 'live.updated', 'live.finished', 'match.imported', 'match.linked']);
    // The series is reported by the brackets' own command right after the link.
    const series = await eventually(async () => {
      const bracket = await t.client().get(`/api/tournaments/${s.id}/bracket`);
      const m = bracket.body.stages[0].matches.find((x: { id: number }) => x.id === s.seriesId);
      return m.status === 'done' ? m : undefined;
    }, 'the series to be reported');
    expect(series.winner).toBe(series.teamA.id === s.teams[0] ? 'a' : 'b');
    const view = (await t.client().get('/api/matches/8300000001')).body;
    expect(view.live).toMatchObject({ status: 'finished', radiantWin: true });
    expect(view.match.players).toHaveLength(10);
  });

  it('a league game that ends while OpenDota is down is imported through GetMatchHistoryBySequenceNum', async () => {
    const room = 'match:8300000020';
    const spectator = await connectSocket(t.url);
    sockets.push(spectator);
    unwrap(await spectator.join(room));
    steam.setLiveGames(LEAGUE, [liveGame(8_300_000_020, 840000, 1)]);
    await spectator.untilEvents(room, 1);
    const result = { ...finishedMatch(8_300_000_020, range(840000, 5), range(840005, 5), false), leagueid: LEAGUE };
    steam.setLeagueHistory(LEAGUE, [result]);
    steam.addMatch(result);
    od.setDown(503);
    try {
      steam.setLiveGames(LEAGUE, []);
      await spectator.until(() => spectator.eventsOf(room).some((e) => e.type === 'match.imported'), 'the import');
    } finally {
      od.setDown(null);
    }
    const view = (await t.client().get('/api/matches/8300000020')).body;
    expect(view.match).toMatchObject({ source: 'steam', radiantWin: false, leagueId: LEAGUE });
    expect(view.live).toMatchObject({ status: 'finished', radiantWin: false });
    expect(steam.requests.some((r) => r.method === 'GetMatchHistoryBySequenceNum')).toBe(true);
  });

  it('pool players in a game outside the league are found through OpenDota’s live list', async () => {
    await twoTeamSeries(t, staff, 830000);
    od.setLive([
      {
        match_id: 8_300_000_009,
        lobby_id: 27110133270419777n,
        server_steam_id: 90199719134427143n,
        league_id: 0,
        game_time: 420,
        radiant_score: 4,
        dire_score: 6,
        radiant_lead: -1800,
        players: [
          { account_id: 830003, hero_id: 7, team: 1 },
          { account_id: 123, hero_id: 8, team: 0 },
        ],
      },
      {
        match_id: 8_300_000_010,
        lobby_id: 27110133270419778n,
        server_steam_id: 90199719134427144n,
        league_id: 0,
        game_time: 420,
        radiant_score: 0,
        dire_score: 0,
        radiant_lead: 0,
        players: [{ account_id: 5, hero_id: 1, team: 0 }],
      },
    ]);
    try {
      const game = await eventually(
        async () => (await t.client().get('/api/live')).body.games.find((g: LiveGame) => g.matchId === '8300000009'),
        'the pool player’s game',
      );
      expect(game).toMatchObject({ lobbyId: '27110133270419777', goldLead: -1800, radiantScore: 4, direScore: 6, leagueId: null });
      expect(game.players.find((p: { accountId: number }) => p.accountId === 830003)).toMatchObject({ side: 'dire', userId: expect.any(Number) });
      // A game with nobody from the pool is not ours.
      expect((await t.client().get('/api/live')).body.games.some((g: LiveGame) => g.matchId === '8300000010')).toBe(false);
    } finally {
      od.setLive([]);
    }
  });

  it('ST2 the game clock and the gold graph keep Steam’s float game time (1759.67 s is 29:19, not 0:00)', async () => {
    steam.setLiveGames(LEAGUE, [{ ...liveGame(8_300_000_030, 860000, 0), duration: 1759 }]);
    const game = await eventually(
      async () => (await t.client().get('/api/live')).body.games.find((g: LiveGame) => g.matchId === '8300000030'),
      'the game on /api/live',
    );
    expect(game).toMatchObject({ gameTimeSeconds: 1759, goldGraph: [{ t: 1759, lead: 5000 }] });
    steam.setLiveGames(LEAGUE, [{ ...liveGame(8_300_000_030, 860000, 1, 6000), duration: 1819 }]);
    const later = await eventually(async () => {
      const g = (await t.client().get('/api/live')).body.games.find((x: LiveGame) => x.matchId === '8300000030');
      return g?.gameTimeSeconds === 1819 ? g : undefined;
    }, 'the next minute of the game');
    expect(later.goldGraph).toEqual([
      { t: 1759, lead: 5000 },
      { t: 1819, lead: 10000 },
    ]);
  });

  it('OpenDota pub games, whose team names are empty, are shown as Radiant against Dire', async () => {
    await twoTeamSeries(t, staff, 850000);
    od.setLive([
      {
        match_id: 8_300_000_031,
        lobby_id: 27110133270419888n,
        server_steam_id: 90199719134427145n,
        league_id: 0,
        game_time: 752,
        radiant_score: 8,
        dire_score: 8,
        radiant_lead: -1062,
        players: [
          { account_id: 850002, hero_id: 70, team: 0 },
          { account_id: 4294967295, hero_id: 0, team: 1 },
        ],
      },
    ]);
    try {
      const game = await eventually(
        async () => (await t.client().get('/api/live')).body.games.find((g: LiveGame) => g.matchId === '8300000031'),
        'the pub game',
      );
      expect(game).toMatchObject({ radiantName: 'Radiant', direName: 'Dire', gameTimeSeconds: 752, lobbyId: '27110133270419888' });
      expect(game.players).toMatchObject([
        { accountId: 850002, heroId: 70, side: 'radiant' },
        { accountId: null, heroId: 0, side: 'dire', userId: null },
      ]);
    } finally {
      od.setLive([]);
    }
  });

  it('ST7 when Steam goes down the last known games are served with their age, nothing is marked finished, and the poller backs off', async () => {
    steam.setLiveGames(LEAGUE, [liveGame(8_300_000_002, 810000, 1)]);
    await eventually(async () => (await t.client().get('/api/live')).body.games.some((g: LiveGame) => g.matchId === '8300000002'), 'the game on /api/live');
    steam.setDown(503);
    const down = await eventually(async () => {
      const feed = LiveFeed.parse((await t.client().get('/api/live')).body);
      return feed.poll.lastError ? feed : undefined;
    }, 'the poll error on /api/live');
    expect(down.poll.lastError).toMatch(/503/);
    expect(down.poll.errorSince).not.toBeNull();
    expect(down.poll.ageSeconds).toBeGreaterThanOrEqual(0);
    expect(down.live.reason).toMatch(/^Steam is not answering since \d\d:\d\d UTC/);
    expect(down.poll).toMatchObject({ errorService: 'Steam', errorKind: 'unavailable' });
    expect(down.games.find((g) => g.matchId === '8300000002')).toMatchObject({ status: 'live', radiantScore: 1 });
    const status = (await t.client().get('/api/steam/status')).body;
    expect(status.live).toMatchObject({ enabled: true });

    // Back-off: after the failure the gaps between calls grow well past the 40 ms poll interval.
    const from = liveCalls(steam).length;
    await eventually(() => liveCalls(steam).length >= from + 3, 'three more polls while down', 15_000);
    const times = liveCalls(steam)
      .slice(from - 1, from + 3)
      .map((r) => r.at);
    const gaps = times.slice(1).map((x, i) => x - times[i]!);
    for (const gap of gaps) expect(gap).toBeGreaterThanOrEqual(140);
    expect(gaps.at(-1)!).toBeGreaterThanOrEqual(300);

    steam.setDown(null);
    await eventually(async () => (await t.client().get('/api/live')).body.poll.lastError === null, 'recovery', 15_000);
    expect((await t.client().get('/api/live')).body.games.find((g: LiveGame) => g.matchId === '8300000002').status).toBe('live');
  });
});

describe.each(DATABASES)('Steam refusing the poller [%s]', (db) => {
  const LEAGUES = [17101, 17102, 17103];
  let steam: FakeSteam;
  let od: FakeOpenDota;
  let t: TestHub;
  beforeAll(async () => {
    [steam, od] = await Promise.all([startFakeSteam(), startFakeOpenDota()]);
    t = await startHub({ db, env: { ...steam.env(), ...od.env(), ...FAST, STEAM_LEAGUE_IDS: LEAGUES.join(','), STEAM_BACKOFF_MS: '3000' } });
  });
  afterAll(async () => {
    await t?.close();
    await Promise.all([steam?.close(), od?.close()]);
  });

  it('ST3 ST7 a 429 with Retry-After is on /api/live at once as "Steam is limiting us since HH:MM", and no other league waits out the pause', async () => {
    for (const league of LEAGUES)
      steam.setLiveGames(league, [{ ...liveGame(8_300_000_040 + league - 17100, 870000 + (league - 17100) * 10, 1), league_id: league }]);
    await eventually(async () => (await t.client().get('/api/live')).body.games.length === 3, 'a healthy round over the three leagues');
    steam.setRetryAfter(3);
    steam.setDown(429);
    const from = liveCalls(steam).length;
    const refusedAt = Date.now();
    try {
      const feed = await eventually(async () => {
        const f = LiveFeed.parse((await t.client().get('/api/live')).body);
        return f.poll.lastError ? f : undefined;
      }, 'the refusal on /api/live');
      // Before the fix it came after each league had waited out the pause in turn (2 × 3 s here).
      expect(Date.now() - refusedAt).toBeLessThan(1500);
      expect(feed.poll).toMatchObject({ errorService: 'Steam', errorKind: 'rate_limited' });
      expect(feed.poll.lastError).toMatch(/429/);
      expect(feed.live.reason).toMatch(/^Steam is limiting us since \d\d:\d\d UTC/);
      expect(feed.live.reason).toContain(`since ${feed.poll.errorSince!.slice(11, 16)} UTC`);
      // "Since" is the first refusal, not the end of the round.
      expect(Math.abs(Date.parse(feed.poll.errorSince!) - refusedAt)).toBeLessThan(1500);
      // The last known games are still served, none finished.
      expect(feed.games.filter((g) => g.status === 'live')).toHaveLength(3);
      // ST3: one refused call, then nothing before Retry-After has passed.
      await new Promise((resolve) => setTimeout(resolve, 1500));
      expect(liveCalls(steam).length - from).toBe(1);
      const still = LiveFeed.parse((await t.client().get('/api/live')).body);
      expect(still.poll.errorSince).toBe(feed.poll.errorSince);
    } finally {
      steam.setDown(null);
      steam.setRetryAfter(null);
    }
    await eventually(async () => (await t.client().get('/api/live')).body.poll.lastError === null, 'recovery after Retry-After', 10_000);
    const back = LiveFeed.parse((await t.client().get('/api/live')).body);
    expect(back.poll).toMatchObject({ errorSince: null, errorService: null, errorKind: null });
    expect(back.live.reason).toBeNull();
  });
});

describe('ST6 live poller hand-over', () => {
  let steam: FakeSteam;
  let od: FakeOpenDota;
  let redis: Redis;
  const hubs: TestHub[] = [];
  beforeAll(async () => {
    [steam, od] = await Promise.all([startFakeSteam(), startFakeOpenDota()]);
    redis = new Redis(REDIS_URL);
  });
  afterAll(async () => {
    killAll();
    for (const h of hubs.splice(0).reverse()) await h.close();
    redis.disconnect();
    await Promise.all([steam?.close(), od?.close()]);
  });

  it('ST6 one process polls at a time; when its process is killed another takes over within a lease period', async () => {
    const prefix = redisPrefix();
    const leaseKey = `${prefix}steam:live-poller`;
    const LEASE_MS = 2000;
    const env = { ...steam.env(), ...od.env(), ...FAST, STEAM_LIVE_POLL_MS: '50', STEAM_LEASE_MS: String(LEASE_MS), REDIS_URL, REDIS_PREFIX: prefix };
    const b = await startHub({ env: { ...env, STEAM_API_KEY: '' } }); // creates the database; polls nothing without a key
    hubs.push(b);
    // The first poller is a hub process of its own, on the same database and Redis.
    const child = spawnHub({
      ...b.database.env,
      ...env,
      NODE_ENV: 'test',
      HOST: '127.0.0.1',
      PORT: '0',
      LOG_LEVEL: 'info',
      SESSION_SECRET: 'test-session-secret-that-is-long-enough-0123456789',
    });
    await child.port;
    await eventually(async () => (await redis.get(leaseKey))?.startsWith(`${child.child.pid}:`), 'the child process to take the lease');
    const a = await startHub({ database: b.database, env });
    hubs.push(a);
    // While the child lives, this one only waits: one poller at a time.
    const polls = liveCalls(steam).length;
    await eventually(() => liveCalls(steam).length >= polls + 5, 'a few polls by the child');
    expect(a.hub.livePoller.isLeader()).toBe(false);
    expect((await redis.get(leaseKey))!.startsWith(`${child.child.pid}:`)).toBe(true);

    child.child.kill('SIGKILL');
    const killed = Date.now();
    await child.exited;
    await eventually(() => a.hub.livePoller.isLeader(), 'the other process to take over', 5000);
    expect(Date.now() - killed).toBeLessThan(LEASE_MS + 1000);
    expect((await redis.get(leaseKey))!.startsWith(`${process.pid}:`)).toBe(true);

    // The new leader polls and publishes.
    steam.setLiveGames(LEAGUE, [liveGame(8_300_000_003, 820000, 2)]);
    await eventually(async () => (await a.client().get('/api/live')).body.games.some((g: LiveGame) => g.matchId === '8300000003'), 'the new leader to publish');

    // A graceful stop hands the lease back at once.
    const c = await startHub({ database: b.database, env });
    hubs.push(c);
    await a.hub.livePoller.stop();
    const released = Date.now();
    await eventually(() => c.hub.livePoller.isLeader(), 'the third hub to take over', 5000);
    expect(Date.now() - released).toBeLessThan(LEASE_MS);
  });
});
