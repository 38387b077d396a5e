import type { Logger } from 'pino';
import { STEAM_ID64_BASE } from '../../shared/steamid';
import type { SteamProfile } from '../../shared/schemas/steam';
import { account, idText, matchPlayer, num, teamName } from './json';
import type { Deadline } from './deadline';
import type { RateLimiter } from './limiter';
import { createUpstream, type Fetched, type Staleness, UpstreamError, type UpstreamOptions } from './upstream';

/** Steam's account id for a player who hides their identity in a match. */
export { ANONYMOUS_ACCOUNT_ID } from './json';

export interface HistoryMatch {
  matchId: string;
  matchSeqNum: string;
  startTime: number;
  lobbyType: number;
  players: { accountId: number | null; playerSlot: number; heroId: number }[];
}

/** A match from GetMatchHistoryBySequenceNum (the same shape GetMatchDetails had). */
export interface SteamMatch {
  matchId: string;
  matchSeqNum: string;
  leagueId: number | null;
  startTime: number;
  duration: number;
  radiantWin: boolean;
  players: {
    accountId: number | null;
    playerSlot: number;
    heroId: number;
    kills: number;
    deaths: number;
    assists: number;
    lastHits: number;
    denies: number;
    gpm: number;
    xpm: number;
    /** Null when the source had none (OpenDota, older matches). */
    netWorth: number | null;
    /** Gold earned over the game, when the source gives it (OpenDota). */
    totalGold: number | null;
  }[];
}

export interface LiveLeaguePlayer {
  accountId: number | null;
  name: string | null;
  heroId: number;
  side: 'radiant' | 'dire';
  kills: number;
  deaths: number;
  assists: number;
  lastHits: number;
  netWorth: number;
  gpm: number;
  xpm: number;
  level: number;
}

export interface LiveLeagueGame {
  matchId: string;
  lobbyId: string | null;
  leagueId: number;
  radiantName: string;
  direName: string;
  gameTime: number;
  radiantScore: number;
  direScore: number;
  towers: { radiant: number; dire: number };
  barracks: { radiant: number; dire: number };
  players: LiveLeaguePlayer[];
}

/** A person waits on this call: it ends by the deadline (see CallOptions). */
export interface Waiting {
  deadline?: Deadline;
}

const bits = (v: unknown) =>
  num(v)
    .toString(2)
    .split('')
    .filter((b) => b === '1').length;
const isRadiantSlot = (slot: number) => slot < 128;

function need<T>(value: T | null | undefined, path: string): T {
  if (value === null || value === undefined) throw new UpstreamError('Steam', 'bad_response', 200, `Steam ${path}: unexpected answer`);
  return value;
}

/**
 * The Steam Web API, server side only: the key is added to each call by the upstream layer
 * and never appears in answers, logs or errors. Match details come from OpenDota or from
 * GetMatchHistoryBySequenceNum (GetMatchDetails answers 500 for every match since 2024).
 */
export function createSteamClient(options: {
  base: string;
  apiKey: string | undefined;
  limiter: RateLimiter;
  rateMs: number;
  sequenceRateMs: number;
  backoffMs: number;
  log: Logger;
  now?: () => number;
  observe?: UpstreamOptions['observe'];
}) {
  const upstream = createUpstream({
    service: 'Steam',
    base: options.base,
    limiter: options.limiter,
    bucket: 'steam',
    intervalMs: options.rateMs,
    backoffMs: options.backoffMs,
    log: options.log,
    now: options.now,
    observe: options.observe,
    secretQuery: options.apiKey ? { key: options.apiKey } : {},
  });
  const keyed = () => {
    if (!options.apiKey) throw new UpstreamError('Steam', 'rejected', null, 'Steam: no STEAM_API_KEY is configured');
  };

  return {
    configured: Boolean(options.apiKey),

    /** A vanity name (steamcommunity.com/id/<name>) to a SteamID64; null when Steam knows no such name (success 42). */
    async resolveVanity(name: string, opts: Waiting = {}): Promise<Fetched<string | null>> {
      keyed();
      return upstream.get('/ISteamUser/ResolveVanityURL/v1/', { vanityurl: name }, { ttlMs: 3_600_000, deadline: opts.deadline }, (raw) => {
        const r = need(raw?.response, 'ResolveVanityURL');
        if (r.success === 1) return need(idText(r.steamid), 'ResolveVanityURL');
        if (r.success === 42) return null;
        throw new UpstreamError('Steam', 'bad_response', 200, `Steam ResolveVanityURL: success ${String(r.success)}`);
      });
    },

    /** Profiles for up to any number of SteamID64s, asked 100 at a time as Steam allows. */
    async playerSummaries(steamIds: string[], opts: Waiting = {}): Promise<Fetched<SteamProfile[]>> {
      keyed();
      const out: SteamProfile[] = [];
      let fetchedAt = new Date().toISOString();
      let stale: Staleness | null = null;
      for (let i = 0; i < steamIds.length; i += 100) {
        const batch = steamIds.slice(i, i + 100);
        const got = await upstream.get(
          '/ISteamUser/GetPlayerSummaries/v2/',
          { steamids: batch.join(',') },
          { ttlMs: 600_000, deadline: opts.deadline },
          (raw) => {
            const players = need(raw?.response?.players, 'GetPlayerSummaries') as any[];
            return players.map((p): SteamProfile => {
              const steamId64 = need(idText(p.steamid), 'GetPlayerSummaries');
              return {
                steamId64,
                accountId: Number(BigInt(steamId64) - STEAM_ID64_BASE),
                personaName: String(p.personaname ?? ''),
                profileUrl: typeof p.profileurl === 'string' ? p.profileurl : null,
                avatarUrl: typeof p.avatarfull === 'string' ? p.avatarfull : null,
                public: p.communityvisibilitystate === 3,
              };
            });
          },
        );
        out.push(...got.data);
        if (got.fetchedAt < fetchedAt) fetchedAt = got.fetchedAt;
        stale ??= got.stale;
      }
      return { data: out, fetchedAt, stale };
    },

    /**
     * Recent matches of one player (32-bit account id) or of a league. A private profile
     * answers `status: 15`: that is `private: true`, not an error (ST3).
     */
    async matchHistory(
      query: { accountId?: number; leagueId?: number; count?: number },
      opts: Waiting = {},
    ): Promise<Fetched<{ private: boolean; matches: HistoryMatch[] }>> {
      keyed();
      const params = { account_id: query.accountId, league_id: query.leagueId, matches_requested: query.count ?? 25 };
      return upstream.get('/IDOTA2Match_570/GetMatchHistory/v1/', params, { ttlMs: 60_000, deadline: opts.deadline }, (raw) => {
        const r = need(raw?.result, 'GetMatchHistory');
        if (r.status === 15) return { private: true, matches: [] };
        if (r.status !== 1) throw new UpstreamError('Steam', 'bad_response', 200, `Steam GetMatchHistory: status ${String(r.status)}`);
        const matches = ((r.matches ?? []) as any[]).map((m) => ({
          matchId: need(idText(m.match_id), 'GetMatchHistory'),
          matchSeqNum: need(idText(m.match_seq_num), 'GetMatchHistory'),
          startTime: num(m.start_time),
          lobbyType: num(m.lobby_type),
          players: ((m.players ?? []) as any[]).map((p) => ({ accountId: account(p.account_id), playerSlot: num(p.player_slot), heroId: num(p.hero_id) })),
        }));
        return { private: false, matches };
      });
    },

    /** Full matches from a sequence number on (the slower bucket: about one call per 5 s). */
    async matchesBySequence(startAt: string, count = 1, opts: Waiting = {}): Promise<Fetched<SteamMatch[]>> {
      keyed();
      const params = { start_at_match_seq_num: startAt, matches_requested: count };
      return upstream.get(
        '/IDOTA2Match_570/GetMatchHistoryBySequenceNum/v1/',
        params,
        { ttlMs: 3_600_000, extraBucket: { bucket: 'steam-seq', intervalMs: options.sequenceRateMs }, deadline: opts.deadline },
        (raw) => {
          const r = need(raw?.result, 'GetMatchHistoryBySequenceNum');
          if (r.status !== 1) throw new UpstreamError('Steam', 'bad_response', 200, `Steam GetMatchHistoryBySequenceNum: status ${String(r.status)}`);
          return ((r.matches ?? []) as any[]).map((m) => ({
            matchId: need(idText(m.match_id), 'GetMatchHistoryBySequenceNum'),
            matchSeqNum: need(idText(m.match_seq_num), 'GetMatchHistoryBySequenceNum'),
            leagueId: num(m.leagueid) || null,
            startTime: num(m.start_time),
            duration: num(m.duration),
            radiantWin: m.radiant_win === true,
            players: ((m.players ?? []) as Record<string, unknown>[]).map(matchPlayer),
          }));
        },
      );
    },

    /** Games being played now in a ticketed league, with their scoreboards. */
    async liveLeagueGames(leagueId: number): Promise<Fetched<LiveLeagueGame[]>> {
      keyed();
      return upstream.get('/IDOTA2Match_570/GetLiveLeagueGames/v1/', { league_id: leagueId }, { ttlMs: 0 }, (raw) => {
        const games = need(raw?.result?.games, 'GetLiveLeagueGames') as any[];
        return games.map((g): LiveLeagueGame => {
          const board = g.scoreboard ?? {};
          const names = new Map<number, string>();
          for (const p of (g.players ?? []) as any[]) if (account(p.account_id)) names.set(p.account_id, String(p.name ?? ''));
          const side = (s: 'radiant' | 'dire') =>
            ((board[s]?.players ?? []) as any[]).map((p): LiveLeaguePlayer => ({
              accountId: account(p.account_id),
              name: names.get(p.account_id) ?? null,
              heroId: num(p.hero_id),
              side: s,
              kills: num(p.kills),
              deaths: num(p.death),
              assists: num(p.assists),
              lastHits: num(p.last_hits),
              netWorth: num(p.net_worth),
              gpm: num(p.gold_per_min),
              xpm: num(p.xp_per_min),
              level: num(p.level),
            }));
          return {
            matchId: need(idText(g.match_id), 'GetLiveLeagueGames'),
            lobbyId: idText(g.lobby_id),
            leagueId: num(g.league_id),
            radiantName: teamName(g.radiant_team?.team_name) ?? 'Radiant',
            direName: teamName(g.dire_team?.team_name) ?? 'Dire',
            gameTime: num(board.duration),
            radiantScore: num(board.radiant?.score),
            direScore: num(board.dire?.score),
            towers: { radiant: bits(board.radiant?.tower_state), dire: bits(board.dire?.tower_state) },
            barracks: { radiant: bits(board.radiant?.barracks_state), dire: bits(board.dire?.barracks_state) },
            players: [...side('radiant'), ...side('dire')],
          };
        });
      });
    },
  };
}

export type SteamClient = ReturnType<typeof createSteamClient>;
export { isRadiantSlot };
