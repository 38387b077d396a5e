import type { Logger } from 'pino';
import type { RecentMatch } from '../../shared/schemas/steam';
import { account, idText, matchPlayer, num, teamName } from './json';
import type { RateLimiter } from './limiter';
import type { SteamMatch, Waiting } from './steam.client';
import { createUpstream, type Fetched, UpstreamError, type UpstreamOptions } from './upstream';

export interface OpenDotaProfile {
  accountId: number;
  steamId64: string | null;
  personaName: string;
  avatarUrl: string | null;
  profileUrl: string | null;
}

/** What /players/{id} says of an account's rank. */
export interface OpenDotaRank {
  /** OpenDota has a profile (false: private or unknown account). */
  known: boolean;
  personaName: string | null;
  rankTier: number | null;
  leaderboardRank: number | null;
}

/** A live game from OpenDota's /live (top games, any lobby): used for the pool's players. */
export interface OpenDotaLiveGame {
  matchId: string;
  lobbyId: string | null;
  leagueId: number | null;
  gameTime: number;
  radiantScore: number;
  direScore: number;
  radiantLead: number;
  /** Null for pub games: OpenDota sends "" there. */
  radiantName: string | null;
  direName: string | null;
  players: { accountId: number | null; heroId: number; side: 'radiant' | 'dire'; name: string | null }[];
}

/** OpenDota (60 requests a minute without a key): match details, profiles, recent matches, live games. */
export function createOpenDotaClient(options: {
  base: string;
  limiter: RateLimiter;
  rateMs: number;
  backoffMs: number;
  log: Logger;
  now?: () => number;
  observe?: UpstreamOptions['observe'];
}) {
  const upstream = createUpstream({
    service: 'OpenDota',
    base: options.base,
    limiter: options.limiter,
    bucket: 'opendota',
    intervalMs: options.rateMs,
    backoffMs: options.backoffMs,
    log: options.log,
    now: options.now,
    observe: options.observe,
  });
  const bad = (path: string) => new UpstreamError('OpenDota', 'bad_response', 200, `OpenDota ${path}: unexpected answer`);

  return {
    /** A finished match with per-player stats; not_found when OpenDota does not know it. */
    async match(matchId: string, opts: Waiting = {}): Promise<Fetched<SteamMatch>> {
      return upstream.get(`/matches/${matchId}`, {}, { ttlMs: 3_600_000, deadline: opts.deadline }, (m) => {
        const id = idText(m?.match_id);
        if (!id || !Array.isArray(m.players) || typeof m.radiant_win !== 'boolean') throw bad('/matches');
        return {
          matchId: id,
          matchSeqNum: idText(m.match_seq_num) ?? '0',
          leagueId: num(m.leagueid) || null,
          startTime: num(m.start_time),
          duration: num(m.duration),
          radiantWin: m.radiant_win,
          players: (m.players as Record<string, unknown>[]).map(matchPlayer),
        };
      });
    },

    /** Profile by 32-bit account id; null when OpenDota has none (a private or unknown account). */
    async player(accountId: number, opts: Waiting = {}): Promise<Fetched<OpenDotaProfile | null>> {
      return upstream.get(`/players/${accountId}`, {}, { ttlMs: 600_000, deadline: opts.deadline }, (raw) => {
        const p = raw?.profile;
        if (!p) return null;
        return {
          accountId: num(p.account_id) || accountId,
          steamId64: idText(p.steamid),
          personaName: String(p.personaname ?? p.name ?? ''),
          avatarUrl: typeof p.avatarfull === 'string' ? p.avatarfull : null,
          profileUrl: typeof p.profileurl === 'string' ? p.profileurl : null,
        };
      });
    },

    /** Rank of an account (sign-up MMR checks): rank_tier and leaderboard_rank are null when unranked or hidden. */
    async rank(accountId: number, opts: Waiting = {}): Promise<Fetched<OpenDotaRank>> {
      return upstream.get(`/players/${accountId}`, {}, { ttlMs: 300_000, deadline: opts.deadline, view: 'rank' }, (raw) => {
        if (!raw || typeof raw !== 'object') throw bad('/players');
        const p = raw.profile;
        const int = (v: unknown) => (typeof v === 'number' && Number.isInteger(v) ? v : null);
        return {
          known: Boolean(p),
          personaName: p ? String(p.personaname ?? p.name ?? '') || null : null,
          rankTier: int(raw.rank_tier),
          leaderboardRank: int(raw.leaderboard_rank),
        };
      });
    },

    /** Wins and losses of an account over all its matches OpenDota knows. */
    async winLoss(accountId: number, opts: Waiting = {}): Promise<Fetched<{ wins: number | null; losses: number | null }>> {
      return upstream.get(`/players/${accountId}/wl`, {}, { ttlMs: 300_000, deadline: opts.deadline }, (raw) => {
        if (!raw || typeof raw !== 'object') throw bad('/players/wl');
        const int = (v: unknown) => (typeof v === 'number' && Number.isInteger(v) ? v : null);
        return { wins: int(raw.win), losses: int(raw.lose) };
      });
    },

    async recentMatches(accountId: number, opts: Waiting = {}): Promise<Fetched<RecentMatch[]>> {
      return upstream.get(`/players/${accountId}/recentMatches`, {}, { ttlMs: 120_000, deadline: opts.deadline }, (raw) => {
        if (!Array.isArray(raw)) throw bad('/players/recentMatches');
        return raw.map((m: any) => ({
          matchId: idText(m.match_id) ?? '0',
          startTime: new Date(num(m.start_time) * 1000).toISOString(),
          durationSeconds: num(m.duration),
          heroId: num(m.hero_id),
          kills: num(m.kills),
          deaths: num(m.deaths),
          assists: num(m.assists),
          won: typeof m.radiant_win === 'boolean' ? m.radiant_win === num(m.player_slot) < 128 : null,
        }));
      });
    },

    async live(): Promise<Fetched<OpenDotaLiveGame[]>> {
      return upstream.get('/live', {}, { ttlMs: 0 }, (raw) => {
        if (!Array.isArray(raw)) throw bad('/live');
        return raw.map((g: any) => ({
          matchId: idText(g.match_id) ?? '0',
          lobbyId: idText(g.lobby_id),
          leagueId: num(g.league_id) || null,
          gameTime: num(g.game_time),
          radiantScore: num(g.radiant_score),
          direScore: num(g.dire_score),
          radiantLead: num(g.radiant_lead),
          radiantName: teamName(g.team_name_radiant),
          direName: teamName(g.team_name_dire),
          players: ((g.players ?? []) as any[]).map((p) => ({
            accountId: account(p.account_id),
            heroId: num(p.hero_id),
            side: p.team === 1 ? ('dire' as const) : ('radiant' as const),
            name: typeof p.name === 'string' ? p.name : null,
          })),
        }));
      });
    },
  };
}

export type OpenDotaClient = ReturnType<typeof createOpenDotaClient>;
