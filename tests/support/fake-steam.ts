import http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A fake Steam Web API on 127.0.0.1 speaking the parts the hub uses, with Valve's shapes:
 * `response` wrappers for ISteamUser, `result` for IDOTA2Match_570, `success: 42` for an
 * unknown vanity name, `status: 15` for a private match history, HTML bodies for 403/429/503,
 * GetMatchDetails answering 500 `{}` as it has since 2024, 64-bit ids written as raw JSON
 * numbers and the repeated `abilities` key of live league scoreboards.
 */
export type SteamMethod = 'ResolveVanityURL' | 'GetPlayerSummaries' | 'GetMatchHistory' | 'GetMatchHistoryBySequenceNum' | 'GetLiveLeagueGames' | 'GetMatchDetails';

export interface FakeSteamPlayer {
  steamid: string;
  personaname: string;
  communityvisibilitystate?: 1 | 3;
  avatarfull?: string;
}

export interface FakeMatchPlayer {
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
  account_id: number;
  name: string;
  hero_id: number;
  /** 0 Radiant, 1 Dire. */
  team: 0 | 1;
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
  radiant_team: string;
  dire_team: string;
  duration: number;
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
  /** The next call to the method gets its connection cut without an answer. */
  dropNext(method: SteamMethod): void;
  requests: FakeSteamRequest[];
  close(): Promise<void>;
}

const html = (title: string) => `<html><head><title>${title}</title></head><body><h1>${title}</h1></body></html>`;
const STATUS_TITLE: Record<number, string> = { 403: 'Forbidden', 429: 'Too Many Requests', 500: 'Internal Server Error', 503: 'Service Unavailable' };

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

  const send = (res: http.ServerResponse, status: number, body: string, type = 'application/json; charset=UTF-8') => {
    res.writeHead(status, { 'content-type': type });
    res.end(body);
  };
  const error = (res: http.ServerResponse, status: number) => {
    if (status === 500) send(res, 500, '{}'); // GetMatchDetails's answer since May 2024
    else send(res, status, html(STATUS_TITLE[status] ?? 'Error'), 'text/html');
  };
  const historyEntry = (m: FakeMatch) => ({
    match_id: m.match_id,
    match_seq_num: m.match_seq_num,
    start_time: m.start_time,
    lobby_type: m.leagueid ? 1 : 7,
    radiant_team_id: 0,
    dire_team_id: 0,
    players: m.players.map((p) => ({ account_id: p.account_id, player_slot: p.player_slot, team_number: p.player_slot < 128 ? 0 : 1, team_slot: p.player_slot % 128, hero_id: p.hero_id })),
  });

  function liveGame(g: FakeLiveGame): string {
    const side = (team: 0 | 1) => ({
      score: team === 0 ? (g.radiant_score ?? 0) : (g.dire_score ?? 0),
      tower_state: team === 0 ? (g.radiant_tower_state ?? 0b11111111111) : (g.dire_tower_state ?? 0b11111111111),
      barracks_state: 63,
      picks: g.players.filter((p) => p.team === team).map((p) => ({ hero_id: p.hero_id })),
      bans: [],
      players: g.players
        .filter((p) => p.team === team)
        .map((p, i) => ({
          player_slot: i + 1,
          account_id: p.account_id,
          hero_id: p.hero_id,
          kills: p.kills ?? 0,
          death: p.death ?? 0,
          assists: p.assists ?? 0,
          last_hits: p.last_hits ?? 0,
          denies: 0,
          gold: 600,
          level: p.level ?? 1,
          gold_per_min: 400,
          xp_per_min: 450,
          ultimate_state: 0,
          ultimate_cooldown: 0,
          item0: 0,
          respawn_timer: 0,
          position_x: 0,
          position_y: 0,
          net_worth: p.net_worth ?? 600,
        })),
      abilities: [{ ability_id: 5003, ability_level: 1 }],
    });
    const body = {
      players: g.players.map((p) => ({ account_id: p.account_id, name: p.name, hero_id: p.hero_id, team: p.team })),
      radiant_team: { team_name: g.radiant_team, team_id: 0, team_logo: 1234567890123456789n, complete: false },
      dire_team: { team_name: g.dire_team, team_id: 0, team_logo: 9223372036854775807n, complete: false },
      lobby_id: g.lobby_id,
      match_id: g.match_id,
      spectators: 3,
      league_id: g.league_id,
      league_node_id: 0,
      stream_delay_s: 10,
      radiant_series_wins: 0,
      dire_series_wins: 0,
      series_type: 0,
      scoreboard: { duration: g.duration, roshan_respawn_timer: 0, radiant: side(0), dire: side(1) },
    };
    // Valve repeats the key in each team's scoreboard: write it twice like they do.
    return rawJson(body).replace(/"abilities":(\[[^\]]*\])/g, '"abilities":$1,"abilities":$1');
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
          return p ? [{ steamid: p.steamid, communityvisibilitystate: p.communityvisibilitystate ?? 3, profilestate: 1, personaname: p.personaname, profileurl: `https://steamcommunity.com/profiles/${p.steamid}/`, avatar: '', avatarmedium: '', avatarfull: p.avatarfull ?? 'https://avatars.steamstatic.com/x_full.jpg', personastate: 0 }] : [];
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
        return send(res, 200, rawJson({ result: { status: 1, num_results: matches.length, total_results: list.length, results_remaining: list.length - matches.length, matches } }));
      }
      case 'IDOTA2Match_570/GetMatchHistoryBySequenceNum/v1': {
        const start = Number(query.start_at_match_seq_num ?? 0);
        const n = Number(query.matches_requested ?? 100);
        const matches = [...bySeq.values()].filter((m) => m.match_seq_num >= start).sort((a, b) => a.match_seq_num - b.match_seq_num).slice(0, n);
        return send(res, 200, rawJson({ result: { status: 1, matches } }));
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
    dropNext: (method) => drops.add(method),
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
