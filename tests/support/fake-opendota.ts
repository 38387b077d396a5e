import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { type FakeMatch, rawJson } from './fake-steam';

/**
 * A fake OpenDota API on 127.0.0.1: `/matches/{id}`, `/players/{id}`,
 * `/players/{id}/recentMatches` and `/live`, with OpenDota's shapes and errors
 * (404 `{"error":"Not Found"}`, 429 `{"error":"rate limit exceeded"}`, 500/503), as its API
 * documentation describes them:
 * - `/matches/{id}`: per-player `total_gold` and `total_xp` always, `net_worth` only when the
 *   match has it (older matches do not), floats among the stats (`kda`, `stuns`,
 *   `kills_per_min`, `lane_efficiency`), `isRadiant`, `personaname`;
 * - `/players/{id}`: `rank_tier` and `leaderboard_rank` null for unranked or hidden accounts,
 *   no `profile` at all for an account OpenDota does not know (still 200);
 * - `/players/{id}/wl`: `{win, lose}`, zeros for an unknown account;
 * - `/live` (Steam's GetTopLiveGame passed on): match, lobby and server ids as strings,
 *   `team_name_radiant`/`team_name_dire` empty strings in pub games, `hero_id` 0 before picks,
 *   anonymous players as account id 4294967295.
 */
export type OpenDotaPath = 'matches' | 'players' | 'recentMatches' | 'wl' | 'live';

export interface FakeOpenDotaLive {
  match_id: number;
  lobby_id: bigint;
  server_steam_id: bigint;
  league_id: number;
  game_time: number;
  radiant_score: number;
  dire_score: number;
  radiant_lead: number;
  /** Pub games: "" (sent when not given). */
  team_name_radiant?: string;
  team_name_dire?: string;
  /** hero_id 0 before the player picks; account_id 4294967295 for an anonymous player. */
  players: { account_id: number; hero_id: number; team: 0 | 1; name?: string }[];
}

/** A profile as /players/{id} gives it: rank 55 (Legend 5) unless given; null rank for unranked. */
export interface FakeProfile {
  personaname: string;
  steamid: string;
  rank_tier?: number | null;
  leaderboard_rank?: number | null;
}

export interface FakeOpenDota {
  url: string;
  env(): Record<string, string>;
  addMatch(match: FakeMatch): void;
  setProfile(accountId: number, profile: FakeProfile | null): void;
  setWinLoss(accountId: number, wl: { win: number; lose: number }): void;
  setRecent(accountId: number, matches: FakeMatch[]): void;
  setLive(games: FakeOpenDotaLive[]): void;
  failNext(path: OpenDotaPath, status: 429 | 500 | 503, times?: number): void;
  setDown(status: 429 | 503 | null): void;
  requests: { path: string; at: number }[];
  close(): Promise<void>;
}

export async function startFakeOpenDota(): Promise<FakeOpenDota> {
  const matches = new Map<number, FakeMatch>();
  const profiles = new Map<number, FakeProfile | null>();
  const winLoss = new Map<number, { win: number; lose: number }>();
  const recent = new Map<number, FakeMatch[]>();
  let live: FakeOpenDotaLive[] = [];
  const failures = new Map<string, { status: number; times: number }>();
  let down: number | null = null;
  const requests: { path: string; at: number }[] = [];

  const send = (res: http.ServerResponse, status: number, body: string) => {
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
    res.end(body);
  };
  const error = (res: http.ServerResponse, status: number) => {
    if (status === 429) send(res, 429, '{"error":"rate limit exceeded"}');
    else if (status === 404) send(res, 404, '{"error":"Not Found"}');
    else send(res, status, `{"error":"${status === 503 ? 'Service Unavailable' : 'Internal Server Error'}"}`);
  };

  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://fake');
    requests.push({ path: url.pathname, at: performance.now() });
    const parts = url.pathname.split('/').filter(Boolean);
    const kind: OpenDotaPath | null =
      parts[0] === 'matches' && parts.length === 2
        ? 'matches'
        : parts[0] === 'players' && parts.length === 2
          ? 'players'
          : parts[0] === 'players' && parts[2] === 'recentMatches'
            ? 'recentMatches'
            : parts[0] === 'players' && parts[2] === 'wl'
              ? 'wl'
              : parts[0] === 'live'
                ? 'live'
                : null;
    if (!kind) return error(res, 404);
    if (down) return error(res, down);
    const failure = failures.get(kind);
    if (failure) {
      if (--failure.times <= 0) failures.delete(kind);
      return error(res, failure.status);
    }
    const id = Number(parts[1]);
    switch (kind) {
      case 'matches': {
        const m = matches.get(id);
        if (!m) return error(res, 404);
        const minutes = m.duration / 60;
        const players = m.players.map((p) => {
          const kills = p.kills ?? 0;
          const deaths = p.deaths ?? 0;
          return {
            ...p,
            party_id: 0,
            item_0: 50,
            leaver_status: 0,
            gold: 2731,
            gold_spent: 12505,
            level: 19,
            isRadiant: p.player_slot < 128,
            win: p.player_slot < 128 === m.radiant_win ? 1 : 0,
            personaname: null,
            rank_tier: 80,
            // Gold earned over the game: not the net worth at the end.
            total_gold: Math.round((p.gold_per_min ?? 0) * minutes),
            total_xp: Math.round((p.xp_per_min ?? 0) * minutes),
            kills_per_min: kills / minutes,
            kda: Math.round(((kills + (p.assists ?? 0)) / (deaths + 1)) * 100) / 100,
            stuns: 35.72107,
            lane_efficiency: 0.633589329021827,
            duration: m.duration,
            start_time: m.start_time,
          };
        });
        return send(
          res,
          200,
          rawJson({ version: 21, ...m, radiant_score: 0, dire_score: 0, radiant_gold_adv: [0, 120, -45], od_data: { has_parsed: true }, players }),
        );
      }
      case 'players': {
        const p = profiles.get(id);
        // OpenDota answers an unknown account with a profile-less body, not a 404.
        if (!p) return send(res, 200, '{"rank_tier":null,"leaderboard_rank":null,"solo_competitive_rank":null,"competitive_rank":null}');
        return send(
          res,
          200,
          rawJson({
            profile: {
              account_id: id,
              personaname: p.personaname,
              name: null,
              plus: false,
              steamid: p.steamid,
              avatarfull: 'https://avatars.steamstatic.com/x_full.jpg',
              profileurl: `https://steamcommunity.com/profiles/${p.steamid}/`,
            },
            rank_tier: p.rank_tier === undefined ? 55 : p.rank_tier,
            leaderboard_rank: p.leaderboard_rank ?? null,
            solo_competitive_rank: null,
            competitive_rank: null,
            mmr_estimate: { estimate: 3100 },
            tracked_until: '1621953083',
          }),
        );
      }
      case 'recentMatches': {
        const list = (recent.get(id) ?? []).map((m) => {
          const me = m.players.find((p) => p.account_id === id)!;
          return {
            match_id: m.match_id,
            player_slot: me.player_slot,
            radiant_win: m.radiant_win,
            duration: m.duration,
            game_mode: 2,
            lobby_type: 1,
            hero_id: me.hero_id,
            start_time: m.start_time,
            kills: me.kills ?? 0,
            deaths: me.deaths ?? 0,
            assists: me.assists ?? 0,
          };
        });
        return send(res, 200, rawJson(list));
      }
      case 'wl': {
        const wl = winLoss.get(id) ?? { win: 0, lose: 0 };
        return send(res, 200, rawJson(wl));
      }
      case 'live':
        return send(
          res,
          200,
          rawJson(
            live.map((g) => ({
              activate_time: 1_764_980_697,
              deactivate_time: 0,
              // GetTopLiveGame writes these ids as strings; OpenDota passes them on.
              server_steam_id: String(g.server_steam_id),
              lobby_id: String(g.lobby_id),
              league_id: g.league_id,
              lobby_type: g.league_id ? 1 : 7,
              game_time: g.game_time,
              delay: 120,
              spectators: 37,
              game_mode: 22,
              average_mmr: 7351,
              match_id: String(g.match_id),
              series_id: 0,
              team_name_radiant: g.team_name_radiant ?? '',
              team_name_dire: g.team_name_dire ?? '',
              team_logo_radiant: '0',
              team_logo_dire: '0',
              team_id_radiant: 0,
              team_id_dire: 0,
              sort_score: 7888,
              last_update_time: 1_764_981_500,
              radiant_lead: g.radiant_lead,
              radiant_score: g.radiant_score,
              dire_score: g.dire_score,
              building_state: 4_784_201,
              players: g.players.map((p, i) => ({
                account_id: p.account_id,
                hero_id: p.hero_id,
                team_slot: i % 5,
                team: p.team,
                ...(p.name === undefined ? {} : { name: p.name }),
              })),
            })),
          ),
        );
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    env: () => ({ OPENDOTA_API_BASE: url }),
    addMatch: (m) => matches.set(m.match_id, m),
    setProfile: (id, p) => profiles.set(id, p),
    setWinLoss: (id, wl) => winLoss.set(id, wl),
    setRecent: (id, m) => recent.set(id, m),
    setLive: (g) => (live = g),
    failNext: (path, status, times = 1) => failures.set(path, { status, times }),
    setDown: (status) => (down = status),
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
