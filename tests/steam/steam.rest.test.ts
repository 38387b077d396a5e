import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LiveFeed, MatchView, PlayerLookup, SteamStatus } from '../../shared/schemas/steam';
import { DATABASES } from '../support/databases';
import { type FakeOpenDota, startFakeOpenDota } from '../support/fake-opendota';
import { type FakeSteam, startFakeSteam } from '../support/fake-steam';
import { startHub, type TestHub } from '../support/hub';
import { type Client, finishedMatch, range, steamId64, twoTeamSeries } from './fixtures';

const FAST = { STEAM_RATE_MS: '10', STEAM_SEQ_RATE_MS: '10', OPENDOTA_RATE_MS: '10', STEAM_BACKOFF_MS: '100', STEAM_LIVE_POLL_MS: '3600000' };

describe.each(DATABASES)('Steam over REST [%s]', (db) => {
  let steam: FakeSteam;
  let od: FakeOpenDota;
  let t: TestHub;
  let keyless: TestHub;
  let staff: Client;
  beforeAll(async () => {
    [steam, od] = await Promise.all([startFakeSteam(), startFakeOpenDota()]);
    t = await startHub({ db, env: { ...steam.env(), ...od.env(), ...FAST } });
    keyless = await startHub({ db, env: { ...od.env(), ...FAST } });
    staff = await t.login('steamstaff', 'staff');
  });
  afterAll(async () => {
    await Promise.all([t?.close(), keyless?.close()]);
    await Promise.all([steam?.close(), od?.close()]);
  });

  it('ST7 without a Steam key the hub runs, and live games and import say they are off and why', async () => {
    const status = SteamStatus.parse((await keyless.client().get('/api/steam/status')).body);
    expect(status).toMatchObject({ steamKey: false, live: { enabled: false }, import: { enabled: false } });
    expect(status.live.reason).toMatch(/STEAM_API_KEY/);
    const live = await keyless.client().get('/api/live');
    expect(live.status).toBe(200);
    expect(LiveFeed.parse(live.body)).toMatchObject({ live: { enabled: false }, games: [] });
    const boss = await keyless.login('keylessstaff', 'staff');
    const tour = await boss.post('/api/tournaments', { name: 'No key cup', startsAt: '2026-01-01T18:00:00Z' });
    const imported = await boss.post(`/api/tournaments/${tour.body.id}/steam/import`, {});
    expect(imported.status).toBe(503);
    expect(imported.body.error).toMatchObject({ code: 'unavailable' });
    expect(imported.body.error.message).toMatch(/STEAM_API_KEY/);
    // Lookups by id still work through OpenDota; a name needs the key and says so.
    od.setProfile(123456, { personaname: 'NoKey', steamid: steamId64(123456) });
    const byId = await boss.get(`/api/steam/lookup?q=${steamId64(123456)}`);
    expect(byId.status, byId.text).toBe(200);
    expect(byId.body).toMatchObject({ accountId: 123456, profile: { personaName: 'NoKey' } });
    const byName = await boss.get('/api/steam/lookup?q=somename');
    expect(byName.status).toBe(503);
    expect(byName.body.error.message).toMatch(/Steam key/);
  });

  it('ST3 player lookup: a name gives profile and recent matches; an unknown name is a 404; a private profile says so', async () => {
    steam.setVanity('dtxhero', steamId64(555001));
    steam.setPlayer({ steamid: steamId64(555001), personaname: 'DTX Hero' });
    steam.setHistory(555001, [finishedMatch(8_100_000_001, range(555001, 5), range(1, 5), true)]);
    od.setRecent(555001, [finishedMatch(8_100_000_001, range(555001, 5), range(1, 5), true)]);
    const user = await t.login('looker');
    const res = await user.get('/api/steam/lookup?q=https://steamcommunity.com/id/dtxhero/');
    expect(res.status, res.text).toBe(200);
    const found = PlayerLookup.parse(res.body);
    expect(found).toMatchObject({ steamId64: steamId64(555001), accountId: 555001, matchesPrivate: false, profile: { personaName: 'DTX Hero', public: true } });
    expect(found.recentMatches[0]).toMatchObject({ matchId: '8100000001', won: true });
    expect(found.freshness.stale).toBeNull();

    const unknown = await user.get('/api/steam/lookup?q=nobody_by_that_name');
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.code).toBe('not_found');

    steam.setPlayer({ steamid: steamId64(555002), personaname: 'Hidden' });
    steam.setHistory(555002, 'private');
    const hidden = await user.get(`/api/steam/lookup?q=555002`);
    expect(hidden.status).toBe(200);
    expect(hidden.body).toMatchObject({ matchesPrivate: true, recentMatches: [] });

    expect((await t.client().get('/api/steam/lookup?q=555002')).status).toBe(401);
    expect((await user.get('/api/steam/lookup?q=')).status).toBe(400);
  });

  it('ST7 when Steam is down a lookup is a 503 with a clear message, never a 500', async () => {
    const user = await t.login('downlooker');
    steam.setDown(503);
    try {
      const res = await user.get(`/api/steam/lookup?q=${steamId64(555777)}`);
      expect(res.status).toBe(503);
      expect(res.body.error.message).toMatch(/Steam .*503/);
      expect(res.text).not.toContain(steam.key);
    } finally {
      steam.setDown(null);
    }
  });

  it('AU7 linking a Steam account found by name stores its SteamID64 on the profile; someone else’s is a conflict', async () => {
    steam.setVanity('linkme', steamId64(555100));
    steam.setPlayer({ steamid: steamId64(555100), personaname: 'Link Me' });
    const user = await t.login('linker');
    const res = await user.post('/api/me/steam', { q: 'linkme' });
    expect(res.status, res.text).toBe(200);
    expect(res.body).toMatchObject({ steamId64: steamId64(555100), linkedUser: { id: user.userId } });
    expect((await user.get('/api/me')).body.user.steamId).toBe(steamId64(555100));
    const other = await t.login('linker2');
    expect((await other.post('/api/me/steam', { q: 'linkme' })).status).toBe(409);
  });

  it('AU7 site staff link a Steam account to another user; members may not', async () => {
    steam.setPlayer({ steamid: steamId64(555200), personaname: 'Staff Linked' });
    const player = await t.login('linkedbystaff');
    const member = await t.login('notstaff');
    expect((await member.post(`/api/users/${player.userId}/steam`, { q: '555200' })).status).toBe(403);
    const res = await staff.post(`/api/users/${player.userId}/steam`, { q: 'https://steamcommunity.com/profiles/' + steamId64(555200) });
    expect(res.status, res.text).toBe(200);
    expect(res.body).toMatchObject({ steamId64: steamId64(555200), accountId: 555200, linkedUser: { id: player.userId } });
    expect((await t.client().get(`/api/users/${player.userId}`)).body).toMatchObject({ steamId: steamId64(555200), steamAccountId: 555200 });
    expect((await staff.post(`/api/users/999999/steam`, { q: '555201' })).status).toBe(404);
  });

  it('ST5 ST4 a match of the two teams links to their series, decides the winner by side, and a second import changes nothing', async () => {
    const s = await twoTeamSeries(t, staff, 700000);
    // Team B (Bravo, 700005..9) played Radiant and won.
    od.addMatch(finishedMatch(8_200_000_001, range(700005, 5), range(700000, 5), true));
    const res = await staff.post(`/api/tournaments/${s.id}/steam/import`, { matchIds: ['8200000001'] });
    expect(res.status, res.text).toBe(200);
    expect(res.body).toMatchObject({ imported: ['8200000001'], unchanged: [], linked: 1, suggested: 0, failed: [] });
    const bracket = await t.client().get(`/api/tournaments/${s.id}/bracket`);
    const series = bracket.body.stages[0].matches.find((m: { id: number }) => m.id === s.seriesId);
    const bravoIsA = series.teamA.id === s.teams[1];
    expect(series).toMatchObject({ status: 'done', winner: bravoIsA ? 'a' : 'b' });
    expect(series.games[0]).toMatchObject({ steamMatchId: '8200000001', radiant: bravoIsA ? 'a' : 'b' });

    const view = MatchView.parse((await t.client().get('/api/matches/8200000001')).body);
    expect(view.match!.players).toHaveLength(10);
    expect(view.match!.players[0]).toMatchObject({
      accountId: 700005,
      userId: s.users[5]!.userId,
      side: 'radiant',
      kills: 0,
      deaths: 10,
      netWorth: 9000,
      gpm: 300,
      xpm: 400,
      lastHits: 0,
    });
    expect(view.links).toMatchObject([{ state: 'linked', overlap: 10, seriesId: s.seriesId }]);

    const events = async () =>
      t.hub.services
        .db('events')
        .whereIn('room', ['match:8200000001', `tournament:${s.id}`])
        .count({ n: '*' })
        .first();
    const before = await events();
    const again = await staff.post(`/api/tournaments/${s.id}/steam/import`, { matchIds: ['8200000001'] });
    expect(again.body).toMatchObject({ imported: [], unchanged: ['8200000001'], linked: 0 });
    expect(await events()).toEqual(before);
    expect((await t.hub.services.db('steam_match_players').where({ match_id: '8200000001' })).length).toBe(10);
  });

  it('ST5 BR9 games played on Steam decide their series even while a hero draft of it is still open in the hub (the games happened)', async () => {
    const s = await twoTeamSeries(t, staff, 760000);
    const draft = await staff.post(`/api/tournaments/${s.id}/herodrafts`, {
      teamAId: s.teams[0],
      teamBId: s.teams[1],
      bracketMatchId: s.seriesId,
      gameNumber: 1,
    });
    expect(draft.status, draft.text).toBe(201);
    od.addMatch(finishedMatch(8_200_000_007, range(760000, 5), range(760005, 5), true));
    const res = await staff.post(`/api/tournaments/${s.id}/steam/import`, { matchIds: ['8200000007'] });
    expect(res.body).toMatchObject({ imported: ['8200000007'], linked: 1 });
    const bracket = await t.client().get(`/api/tournaments/${s.id}/bracket`);
    expect(bracket.body.stages[0].matches.find((m: { id: number }) => m.id === s.seriesId)).toMatchObject({ status: 'done' });
    // The draft is left as it was: staff decide what becomes of it.
    expect((await t.client().get(`/api/herodrafts/${draft.body.id}`)).body).toMatchObject({ status: 'waiting' });
  });

  it('ST4 a match OpenDota has without net worth is stored with net worth null and its total gold labelled as such', async () => {
    const s = await twoTeamSeries(t, staff, 740000);
    const old = finishedMatch(8_200_000_005, range(740000, 5), range(740005, 5), true);
    for (const p of old.players) delete p.net_worth;
    od.addMatch(old);
    const res = await staff.post(`/api/tournaments/${s.id}/steam/import`, { matchIds: ['8200000005'] });
    expect(res.body).toMatchObject({ imported: ['8200000005'] });
    const view = MatchView.parse((await t.client().get('/api/matches/8200000005')).body);
    // gpm 300 over 35 minutes: 10500 gold earned, which is not a net worth.
    expect(view.match!.players[0]).toMatchObject({ accountId: 740000, netWorth: null, totalGold: 10500, gpm: 300 });
    const withWorth = MatchView.parse((await t.client().get('/api/matches/8200000001')).body);
    expect(withWorth.match!.players[0]).toMatchObject({ netWorth: 9000 });
  });

  it('ST5 a partial roster becomes a suggestion; staff confirm it and the series is reported, or dismiss it', async () => {
    const s = await twoTeamSeries(t, staff, 710000);
    // Two stand-ins (990001, 990002): 8 of 10.
    od.addMatch(finishedMatch(8_200_000_002, [710000, 710001, 710002, 710003, 990001], [710005, 710006, 710007, 710008, 990002], false));
    const res = await staff.post(`/api/tournaments/${s.id}/steam/import`, { matchIds: ['8200000002'] });
    expect(res.body).toMatchObject({ imported: ['8200000002'], linked: 0, suggested: 1 });
    const links = await staff.get(`/api/tournaments/${s.id}/steam/links`);
    expect(links.status).toBe(200);
    const [link] = links.body.items;
    expect(link).toMatchObject({ state: 'suggested', overlap: 8, teamA: { name: 'Alpha' }, teamB: { name: 'Bravo' } });
    const member = s.users[1]!;
    expect((await member.post(`/api/tournaments/${s.id}/steam/links/${link.id}/confirm`)).status).toBe(403);
    const confirmed = await staff.post(`/api/tournaments/${s.id}/steam/links/${link.id}/confirm`);
    expect(confirmed.status, confirmed.text).toBe(200);
    expect(confirmed.body).toMatchObject({ state: 'linked' });
    const bracket = await t.client().get(`/api/tournaments/${s.id}/bracket`);
    const series = bracket.body.stages[0].matches.find((m: { id: number }) => m.id === s.seriesId);
    // Dire (Bravo) won.
    expect(series.winner).toBe(series.teamA.id === s.teams[1] ? 'a' : 'b');
    expect((await staff.post(`/api/tournaments/${s.id}/steam/links/${link.id}/dismiss`)).status).toBe(409);

    const s2 = await twoTeamSeries(t, staff, 720000);
    od.addMatch(finishedMatch(8_200_000_003, [720000, 720001, 720002, 990001, 990003], [720005, 720006, 720007, 720008, 990002], true));
    await staff.post(`/api/tournaments/${s2.id}/steam/import`, { matchIds: ['8200000003'] });
    const [suggestion] = (await staff.get(`/api/tournaments/${s2.id}/steam/links`)).body.items;
    const dismissed = await staff.post(`/api/tournaments/${s2.id}/steam/links/${suggestion.id}/dismiss`);
    expect(dismissed.body).toMatchObject({ state: 'dismissed', overlap: 7 });
    const after = await t.client().get(`/api/tournaments/${s2.id}/bracket`);
    expect(after.body.stages[0].matches.find((m: { id: number }) => m.id === s2.seriesId).status).toBe('ready');
  });

  it('import without ids finds the series games in the captains’ histories; OpenDota down falls back to Steam by sequence number', async () => {
    const s = await twoTeamSeries(t, staff, 730000);
    const game = finishedMatch(8_200_000_004, range(730000, 5), range(730005, 5), true, Math.floor(Date.parse('2026-01-02T00:00:00Z') / 1000));
    steam.setHistory(730000, [game]);
    steam.setHistory(730005, [game]);
    steam.addMatch(game);
    od.setDown(503);
    try {
      const res = await staff.post(`/api/tournaments/${s.id}/steam/import`, {});
      expect(res.status, res.text).toBe(200);
      expect(res.body).toMatchObject({ imported: ['8200000004'], linked: 1 });
    } finally {
      od.setDown(null);
    }
    const view = MatchView.parse((await t.client().get('/api/matches/8200000004')).body);
    expect(view.match).toMatchObject({ source: 'steam', radiantWin: true });
    expect((await t.client().get('/api/matches/8299999999')).status).toBe(404);
  });
});
