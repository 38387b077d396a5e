import http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A fake Steam Web API on 127.0.0.1 speaking the parts the hub uses, with the shapes Valve's
 * answers really have (see the Steam Web API documentation of each method):
 * - `response` wrappers for ISteamUser, `result` for IDOTA2Match_570, `success: 42` for an
 *   unknown vanity name, `status: 15` for a private match history;
 * - HTML bodies for 403/429/503 (a 429 may carry Retry-After), GetMatchDetails answering 500
 *   `{}` as it has since May 2024;
 * - 17-digit lobby ids, 18–19-digit team logos and SteamID64s written as raw JSON numbers;
 * - live league games: the game clock (`scoreboard.duration`) and map positions are floats
 *   (Valve's float32, e.g. 1759.669677734375), `hero_id` 0 before a player has picked, a game
 *   still in its draft has no `scoreboard` (or duration 0), pub-like lobbies have no
 *   `radiant_team`/`dire_team` objects, casters (team 2) and unassigned players (team 4) sit in
 *   the player list, and each side repeats the key `abilities` once per player;
 * - anonymous players as account id 4294967295.
 */
export type SteamMethod =
  'ResolveVanityURL' | 'GetPlayerSummaries' | 'GetMatchHistory' | 'GetMatchHistoryBySequenceNum' | 'GetLiveLeagueGames' | 'GetMatchDetails';

export interface FakeSteamPlayer {
  steamid: string;
  personaname: string;
  communityvisibilitystate?: 1 | 3;
  avatarfull?: string;
}

export interface FakeMatchPlayer {
  /** 4294967295 for an anonymous player. */
  account_id: number;
  player_slot: number;
  hero_id: number;
  kills?: number;
  deaths?: number;
  assists?: number;
  last_hits?: number;
  denies?: number;
  gold_per_min?: number;
  xp_per_min?: number;
  /** Steam always sends it; OpenDota leaves it out for older matches (then only total_gold). */
  net_worth?: number;
}

export interface FakeMatch {
  match_id: number;
  match_seq_num: number;
  start_time: number;
  duration: number;
  radiant_win: boolean;
  leagueid?: number;
  players: FakeMatchPlayer[];
}

export interface FakeLivePlayer {
  /** 4294967295 for an anonymous player. */
  account_id: number;
  name: string;
  /** 0 until the player has picked. */
  hero_id: number;
  /** 0 Radiant, 1 Dire (on the scoreboard); 2 a caster, 4 unassigned (player list only). */
  team: 0 | 1 | 2 | 4;
  kills?: number;
  death?: number;
  assists?: number;
  net_worth?: number;
  last_hits?: number;
  level?: number;
}

export interface FakeLiveGame {
  match_id: number;
  /** Written raw, past 2^53. */
  lobby_id: bigint;
  league_id: number;
  /** No name: no team object at all, as in lobbies without registered teams. */
  radiant_team?: string;
  dire_team?: string;
  /**
   * Seconds on the game clock. Steam's clock is a float: a whole number here is sent with a
   * fraction of a second (615 → 615.669677734375); 0 (not started) is sent as 0.
   */
  duration: number;
  /** false: still in the draft, the answer has no scoreboard yet. */
  scoreboard?: boolean;
  radiant_score?: number;
  dire_score?: number;
  radiant_tower_state?: number;
  dire_tower_state?: number;
  players: FakeLivePlayer[];
}

export interface FakeSteamRequest {
  method: SteamMethod | string;
  query: Record<string, string>;
  /** performance.now() when it arrived. */
  at: number;
}

export interface FakeSteam {
  url: string;
  key: string;
  env(): Record<string, string>;
  setVanity(name: string, steamId64: string): void;
  setPlayer(player: FakeSteamPlayer): void;
  /** A player's match history; 'private' answers status 15. */
  setHistory(accountId: number, matches: FakeMatch[] | 'private'): void;
  setLeagueHistory(leagueId: number, matches: FakeMatch[]): void;
  /** Matches served by GetMatchHistoryBySequenceNum. */
  addMatch(match: FakeMatch): void;
  setLiveGames(leagueId: number, games: FakeLiveGame[]): void;
  /** The next `times` calls to the method answer this status with Valve's body. */
  failNext(method: SteamMethod, status: 403 | 429 | 500 | 503, times?: number): void;
  /** Every call answers this status until set to null. */
  setDown(status: 429 | 503 | null): void;
  /** Seconds sent in Retry-After with every 429 from now on (null: no header). */
  setRetryAfter(seconds: number | null): void;
  /** The next call to the method gets its connection cut without an answer. */
  dropNext(method: SteamMethod): void;
  requests: FakeSteamRequest[];
  close(): Promise<void>;
}

const html = (title: string) => `<html><head><title>${title}</title></head><body><h1>${title}</h1></body></html>`;
const STATUS_TITLE: Record<number, string> = { 403: 'Forbidden', 429: 'Too Many Requests', 500: 'Internal Server Error', 503: 'Service Unavailable' };

/** The sub-second part added to a whole game clock: what a float32 clock shows (and > 15 characters). */
const CLOCK_FRACTION = 0.669677734375;
/** Steam's float32 game clock for `seconds`. */
export const steamClock = (seconds: number) => (Number.isInteger(seconds) && seconds > 0 ? Math.fround(seconds + CLOCK_FRACTION) : seconds);

/** JSON text with bigint values written as raw numbers (as Valve writes 64-bit ids). */
export function rawJson(value: unknown): string {
  return JSON.stringify(value, (_k, v) => (typeof v === 'bigint' ? `@@big:${v}@@` : v)).replace(/"@@big:(\d+)@@"/g, '$1');
}

export async function startFakeSteam(options: { key?: string } = {}): Promise<FakeSteam> {
  const key = options.key ?? '0123456789ABCDEF0123456789ABCDEF';
  const vanity = new Map<string, string>();
  const players = new Map<string, FakeSteamPlayer>();
  const histories = new Map<number, FakeMatch[] | 'private'>();
  const leagueHistories = new Map<number, FakeMatch[]>();
  const bySeq = new Map<number, FakeMatch>();
  const live = new Map<number, FakeLiveGame[]>();
  const failures = new Map<string, { status: number; times: number }>();
  let down: number | null = null;
  const drops = new Set<string>();
  const requests: FakeSteamRequest[] = [];

  let retryAfter: number | null = null;

  const send = (res: http.ServerResponse, status: number, body: string, type = 'application/json; charset=UTF-8') => {
    res.writeHead(status, { 'content-type': type, ...(status === 429 && retryAfter !== null ? { 'retry-after': String(retryAfter) } : {}) });
    res.end(body);
  };
  const error = (res: http.ServerResponse, status: number) => {
    if (status === 500)
      send(res, 500, '{}'); // GetMatchDetails's answer since May 2024
    else send(res, status, html(STATUS_TITLE[status] ?? 'Error'), 'text/html');
  };
  const historyEntry = (m: FakeMatch) => ({
    match_id: m.match_id,
    match_seq_num: m.match_seq_num,
    start_time: m.start_time,
    lobby_type: m.leagueid ? 1 : 7,
    radiant_team_id: 0,
    dire_team_id: 0,
    players: m.players.map((p) => ({
      account_id: p.account_id,
      player_slot: p.player_slot,
      team_number: p.player_slot < 128 ? 0 : 1,
      team_slot: p.player_slot % 128,
      hero_id: p.hero_id,
      hero_variant: 1,
    })),
  });
  /** A match as GetMatchHistoryBySequenceNum writes it (GetMatchDetails's old shape). */
  const sequenceEntry = (m: FakeMatch) => ({
    radiant_win: m.radiant_win,
    duration: m.duration,
    pre_game_duration: 90,
    start_time: m.start_time,
    match_id: m.match_id,
    match_seq_num: m.match_seq_num,
    tower_status_radiant: m.radiant_win ? 1972 : 0,
    tower_status_dire: m.radiant_win ? 0 : 1590,
    barracks_status_radiant: 63,
    barracks_status_dire: 15,
    cluster: 271,
    first_blood_time: 214,
    lobby_type: m.leagueid ? 1 : 7,
    human_players: m.players.length,
    leagueid: m.leagueid ?? 0,
    game_mode: 2,
    flags: 5,
    engine: 1,
    radiant_score: m.players.filter((p) => p.player_slot < 128).reduce((n, p) => n + (p.kills ?? 0), 0),
    dire_score: m.players.filter((p) => p.player_slot >= 128).reduce((n, p) => n + (p.kills ?? 0), 0),
    ...(m.leagueid
      ? {
          radiant_team_id: 9048057,
          radiant_name: 'Radiant Side',
          radiant_logo: 2041868205277029400n,
          dire_team_id: 8970060,
          dire_name: 'Dire Side',
          dire_logo: 2446097424529632000n,
        }
      : {}),
    players: m.players.map((p) => ({
      account_id: p.account_id,
      player_slot: p.player_slot,
      team_number: p.player_slot < 128 ? 0 : 1,
      team_slot: p.player_slot % 128,
      hero_id: p.hero_id,
      hero_variant: 1,
      item_0: 63,
      item_neutral: 0,
      kills: p.kills ?? 0,
      deaths: p.deaths ?? 0,
      assists: p.assists ?? 0,
      leaver_status: 0,
      last_hits: p.last_hits ?? 0,
      denies: p.denies ?? 0,
      gold_per_min: p.gold_per_min ?? 0,
      xp_per_min: p.xp_per_min ?? 0,
      level: 20,
      // Steam always has net worth; a fake player without one gets a plausible figure.
      net_worth: p.net_worth ?? Math.round(((p.gold_per_min ?? 400) * m.duration) / 60),
      gold: 1723,
      gold_spent: 18465,
      hero_damage: 17701,
      tower_damage: 6192,
      hero_healing: 0,
      ability_upgrades: [{ ability: 5615, time: 299, level: 1 }],
    })),
  });

  /** One live league game, written as Valve does (raw 64-bit numbers, floats, repeated keys). */
  function liveGame(g: FakeLiveGame): string {
    const started = g.players.some((p) => p.hero_id > 0);
    // The repeated `abilities` key cannot live in an object: each side is written by hand.
    const side = (team: 0 | 1) => {
      const players = g.players.filter((p) => p.team === team);
      const body = {
        score: team === 0 ? (g.radiant_score ?? 0) : (g.dire_score ?? 0),
        tower_state: team === 0 ? (g.radiant_tower_state ?? 0b11111111111) : (g.dire_tower_state ?? 0b11111111111),
        barracks_state: 63,
        ...(started ? { picks: players.filter((p) => p.hero_id > 0).map((p) => ({ hero_id: p.hero_id })), bans: [{ hero_id: team === 0 ? 17 : 75 }] } : {}),
        players: players.map((p, i) => ({
          player_slot: i + 1,
          account_id: p.account_id,
          hero_id: p.hero_id,
          kills: p.kills ?? 0,
          death: p.death ?? 0,
          assists: p.assists ?? 0,
          last_hits: p.last_hits ?? 0,
          denies: 0,
          gold: 366,
          level: p.hero_id > 0 ? (p.level ?? 1) : 0,
          gold_per_min: 255,
          xp_per_min: 381,
          ultimate_state: 3,
          ultimate_cooldown: 0,
          item0: 0,
          item1: 60,
          item2: 0,
          item3: 0,
          item4: 0,
          item5: 0,
          respawn_timer: 0,
          // Map positions are floats (float32) too.
          position_x: p.hero_id > 0 ? Math.fround(-5192.2 + 311.3 * i) : 0,
          position_y: p.hero_id > 0 ? Math.fround(-4190.3 + 97.1 * i) : 0,
          net_worth: p.net_worth ?? 625,
        })),
      };
      const abilities = players
        .filter((p) => p.hero_id > 0)
        .map(
          (p) =>
            `,"abilities":${JSON.stringify([
              { ability_id: 5000 + p.hero_id * 4, ability_level: 1 },
              { ability_id: 5002, ability_level: 1 },
            ])}`,
        );
      return rawJson(body).slice(0, -1) + abilities.join('') + '}';
    };
    const team = (name: string | undefined, id: number, logo: bigint) =>
      name === undefined ? {} : { team_name: name, team_id: id, team_logo: logo, complete: false };
    const body = {
      players: g.players.map((p) => ({ account_id: p.account_id, name: p.name, hero_id: p.hero_id, team: p.team })),
      ...(g.radiant_team === undefined ? {} : { radiant_team: team(g.radiant_team, 1734383, 46500877983858209n) }),
      ...(g.dire_team === undefined ? {} : { dire_team: team(g.dire_team, 2181036, 536264712575506853n) }),
      lobby_id: g.lobby_id,
      match_id: g.match_id,
      spectators: 56,
      league_id: g.league_id,
      stream_delay_s: 120,
      radiant_series_wins: 0,
      dire_series_wins: 0,
      series_type: 0,
      league_tier: 1,
      ...(g.scoreboard === false ? {} : { scoreboard: '@@scoreboard@@' }),
    };
    const clock = steamClock(g.duration);
    const scoreboard = `{"duration":${clock},"roshan_respawn_timer":0,"radiant":${side(0)},"dire":${side(1)}}`;
    return rawJson(body).replace('"@@scoreboard@@"', scoreboard);
  }

  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://fake');
    const parts = url.pathname.split('/').filter(Boolean);
    const method = parts[1] ?? '';
    const query = Object.fromEntries(url.searchParams);
    requests.push({ method, query, at: performance.now() });
    if (req.method !== 'GET') return send(res, 405, html('Method Not Allowed'), 'text/html');
    const iface = parts[0];
    const version = parts[2];
    if (!iface || !version || (iface !== 'ISteamUser' && iface !== 'IDOTA2Match_570')) return send(res, 404, html('Not Found'), 'text/html');
    if (down) return error(res, down);
    if (drops.delete(method)) {
      req.socket.destroy();
      return;
    }
    const failure = failures.get(method);
    if (failure) {
      if (--failure.times <= 0) failures.delete(method);
      return error(res, failure.status);
    }
    if (query.key !== key) return error(res, 403); // Valve answers a missing or wrong key with an HTML 403

    switch (`${iface}/${method}/${version}`) {
      case 'ISteamUser/ResolveVanityURL/v1': {
        const id = vanity.get((query.vanityurl ?? '').toLowerCase());
        const body = id ? `{"response":{"steamid":"${id}","success":1}}` : '{"response":{"success":42,"message":"No match"}}';
        return send(res, 200, body);
      }
      case 'ISteamUser/GetPlayerSummaries/v2': {
        const ids = (query.steamids ?? '').split(',').filter(Boolean);
        if (ids.length > 100) return send(res, 400, html('Bad Request'), 'text/html');
        const found = ids.flatMap((id) => {
          const p = players.get(id);
          // SteamID64s and clan ids are strings here (unlike in the Dota interfaces).
          return p
            ? [
                {
                  steamid: p.steamid,
                  communityvisibilitystate: p.communityvisibilitystate ?? 3,
                  profilestate: 1,
                  personaname: p.personaname,
                  commentpermission: 1,
                  profileurl: `https://steamcommunity.com/profiles/${p.steamid}/`,
                  avatar: '',
                  avatarmedium: '',
                  avatarfull: p.avatarfull ?? 'https://avatars.steamstatic.com/x_full.jpg',
                  avatarhash: 'fef49e7fa7e1997310d705b2a6158ff8dc1cdfeb',
                  lastlogoff: 1_764_900_000,
                  personastate: 0,
                  primaryclanid: '103582791429521408',
                  timecreated: 1_288_000_000,
                  personastateflags: 0,
                },
              ]
            : [];
        });
        return send(res, 200, rawJson({ response: { players: found } }));
      }
      case 'IDOTA2Match_570/GetMatchHistory/v1': {
        let list: FakeMatch[] | 'private';
        if (query.account_id) list = histories.get(Number(query.account_id)) ?? [];
        else if (query.league_id) list = leagueHistories.get(Number(query.league_id)) ?? [];
        else list = [];
        if (list === 'private') return send(res, 200, '{"result":{"status":15,"statusDetail":"Cannot get match history for a user that hasn\'t allowed it"}}');
        const n = Math.min(Number(query.matches_requested ?? 100), 100);
        const matches = list.slice(0, n).map(historyEntry);
        return send(
          res,
          200,
          rawJson({ result: { status: 1, num_results: matches.length, total_results: list.length, results_remaining: list.length - matches.length, matches } }),
        );
      }
      case 'IDOTA2Match_570/GetMatchHistoryBySequenceNum/v1': {
        const start = Number(query.start_at_match_seq_num ?? 0);
        const n = Number(query.matches_requested ?? 100);
        const matches = [...bySeq.values()]
          .filter((m) => m.match_seq_num >= start)
          .sort((a, b) => a.match_seq_num - b.match_seq_num)
          .slice(0, n);
        return send(res, 200, rawJson({ result: { status: 1, matches: matches.map(sequenceEntry) } }));
      }
      case 'IDOTA2Match_570/GetLiveLeagueGames/v1': {
        const leagueId = query.league_id ? Number(query.league_id) : undefined;
        const games = leagueId === undefined ? [...live.values()].flat() : (live.get(leagueId) ?? []);
        return send(res, 200, `{"result":{"games":[${games.map(liveGame).join(',')}],"status":200}}`);
      }
      case 'IDOTA2Match_570/GetMatchDetails/v1':
        return error(res, 500);
      default:
        return send(res, 404, html('Not Found'), 'text/html');
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url,
    key,
    env: () => ({ STEAM_API_KEY: key, STEAM_API_BASE: url }),
    setVanity: (name, id) => vanity.set(name.toLowerCase(), id),
    setPlayer: (p) => players.set(p.steamid, p),
    setHistory: (id, m) => histories.set(id, m),
    setLeagueHistory: (id, m) => leagueHistories.set(id, m),
    addMatch: (m) => bySeq.set(m.match_seq_num, m),
    setLiveGames: (id, g) => live.set(id, g),
    failNext: (method, status, times = 1) => failures.set(method, { status, times }),
    setDown: (status) => (down = status),
    setRetryAfter: (seconds) => (retryAfter = seconds),
    dropNext: (method) => drops.add(method),
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
