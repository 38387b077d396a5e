import { z } from 'zod';
import { Id, IsoDateTime } from './common';

/** Dota match ids fit a double but travel as decimal text, like every Steam id. */
export const MatchIdText = z.string().regex(/^[1-9]\d{0,15}$/, 'expected a Dota match id');
export const MatchIdParams = z.object({ matchId: MatchIdText });
export const Side = z.enum(['radiant', 'dire']);
export type Side = z.infer<typeof Side>;

/** How the live poller's last round failed (ST3, ST7). */
export const PollErrorKind = z.enum(['rate_limited', 'unavailable', 'failed']);
export type PollErrorKind = z.infer<typeof PollErrorKind>;

/** What a Steam-backed answer knows about its own freshness (ST7). */
export const Freshness = z.object({
  fetchedAt: IsoDateTime.nullable(),
  /** Set when the service failed and this is the last good answer. */
  stale: z.string().nullable(),
});

export const FeatureState = z.object({ enabled: z.boolean(), reason: z.string().nullable() });

export const SteamStatus = z
  .object({
    steamKey: z.boolean(),
    live: FeatureState,
    import: FeatureState,
    lookup: FeatureState,
    poll: z.object({
      lastSuccessAt: IsoDateTime.nullable(),
      lastError: z.string().nullable(),
      /** Since when the poller has been failing this way (the first refusal). */
      errorSince: IsoDateTime.nullable(),
      errorService: z.enum(['Steam', 'OpenDota']).nullable().describe('Which service is failing, while lastError is set'),
      errorKind: PollErrorKind.nullable().describe(
        'rate_limited: the service refuses with 429 (we back off); unavailable: 503, 5xx or no answer; failed: anything else',
      ),
      /** Seconds since the last successful poll. */
      ageSeconds: z.number().nullable(),
    }),
  })
  .meta({ id: 'SteamStatus' });
export type SteamStatus = z.infer<typeof SteamStatus>;

export const SteamProfile = z.object({
  steamId64: z.string(),
  accountId: z.number().int(),
  personaName: z.string(),
  profileUrl: z.string().nullable(),
  avatarUrl: z.string().nullable(),
  /** Steam's communityvisibilitystate 3 = public. */
  public: z.boolean(),
});
export type SteamProfile = z.infer<typeof SteamProfile>;

export const RecentMatch = z.object({
  matchId: z.string(),
  startTime: IsoDateTime,
  durationSeconds: z.number().int(),
  heroId: z.number().int(),
  kills: z.number().int(),
  deaths: z.number().int(),
  assists: z.number().int(),
  won: z.boolean().nullable(),
});
export type RecentMatch = z.infer<typeof RecentMatch>;

export const LookupQuery = z.object({ q: z.string().trim().min(1).max(200) });
export const PlayerLookup = z
  .object({
    query: z.string(),
    steamId64: z.string(),
    accountId: z.number().int(),
    profile: SteamProfile.nullable(),
    recentMatches: z.array(RecentMatch),
    /** The profile hides its match data (Steam's status 15). */
    matchesPrivate: z.boolean(),
    linkedUser: z.object({ id: z.number().int(), displayName: z.string() }).nullable(),
    freshness: Freshness,
  })
  .meta({ id: 'PlayerLookup' });
export type PlayerLookup = z.infer<typeof PlayerLookup>;

export const LinkSteamBody = z.object({ q: z.string().trim().min(1).max(200).describe('a name, profile URL, SteamID64 or account id') }).strict();

/** One player's line on a scoreboard, live or finished. */
const ScoreboardLine = z.object({
  accountId: z.number().int().nullable(),
  name: z.string().nullable(),
  userId: z.number().int().nullable(),
  side: Side,
  heroId: z.number().int(),
  kills: z.number().int(),
  deaths: z.number().int(),
  assists: z.number().int(),
  netWorth: z.number().int(),
  lastHits: z.number().int(),
  gpm: z.number().int(),
  xpm: z.number().int(),
});

export const LivePlayer = ScoreboardLine.extend({ level: z.number().int() });
export type LivePlayer = z.infer<typeof LivePlayer>;

export const LiveGame = z
  .object({
    matchId: z.string(),
    leagueId: z.number().int().nullable(),
    lobbyId: z.string().nullable(),
    status: z.enum(['live', 'finished']),
    radiantName: z.string(),
    direName: z.string(),
    gameTimeSeconds: z.number().int(),
    radiantScore: z.number().int(),
    direScore: z.number().int(),
    /** Radiant net worth minus Dire's. */
    goldLead: z.number().int(),
    /** Towers and barracks still standing (Steam's bit masks counted). */
    towers: z.object({ radiant: z.number().int(), dire: z.number().int() }),
    barracks: z.object({ radiant: z.number().int(), dire: z.number().int() }),
    players: z.array(LivePlayer),
    goldGraph: z.array(z.object({ t: z.number().int(), lead: z.number().int() })),
    radiantWin: z.boolean().nullable(),
    updatedAt: IsoDateTime,
    finishedAt: IsoDateTime.nullable(),
  })
  .meta({ id: 'LiveGame' });
export type LiveGame = z.infer<typeof LiveGame>;

export const LiveFeed = z.object({ live: FeatureState, poll: SteamStatus.shape.poll, games: z.array(LiveGame) }).meta({ id: 'LiveFeed' });
export type LiveFeed = z.infer<typeof LiveFeed>;

/** A finished match's line: net worth only when the source had it; total gold is another figure. */
export const PlayerStats = ScoreboardLine.extend({
  denies: z.number().int(),
  netWorth: z.number().int().nullable().describe('Net worth at the end of the game; null when the source has none (OpenDota leaves it out of older matches)'),
  totalGold: z
    .number()
    .int()
    .nullable()
    .describe('Gold earned over the whole game (OpenDota `total_gold`), not net worth; null when the source has none (Steam)'),
});
export type PlayerStats = z.infer<typeof PlayerStats>;

export const ImportedMatch = z.object({
  matchId: z.string(),
  leagueId: z.number().int().nullable(),
  startTime: IsoDateTime,
  durationSeconds: z.number().int(),
  radiantWin: z.boolean(),
  source: z.enum(['opendota', 'steam']),
  players: z.array(PlayerStats),
});
export type ImportedMatch = z.infer<typeof ImportedMatch>;

export const LinkState = z.enum(['linked', 'suggested', 'dismissed']);
export const MatchLink = z
  .object({
    id: z.number().int(),
    matchId: z.string(),
    tournamentId: z.number().int(),
    seriesId: z.number().int(),
    teamA: z.object({ id: z.number().int(), name: z.string() }),
    teamB: z.object({ id: z.number().int(), name: z.string() }),
    /** How many of the ten players are the two teams' players. */
    overlap: z.number().int(),
    state: LinkState,
    /** Which team played Radiant, and which won (by side). */
    radiant: z.enum(['a', 'b']).nullable(),
    winner: z.enum(['a', 'b']).nullable(),
    startTime: IsoDateTime,
  })
  .meta({ id: 'MatchLink' });
export type MatchLink = z.infer<typeof MatchLink>;
export const MatchLinkList = z.object({ items: z.array(MatchLink) });
export const LinkParams = z.object({ tournamentId: Id, linkId: Id });

export const MatchView = z
  .object({ matchId: z.string(), live: LiveGame.nullable(), match: ImportedMatch.nullable(), links: z.array(MatchLink) })
  .meta({ id: 'MatchView' });
export type MatchView = z.infer<typeof MatchView>;

export const ImportInput = z
  .object({ matchIds: z.array(MatchIdText).max(50).optional().describe('these matches; default: recent matches of the league and of the pool') })
  .strict();
export const ImportResult = z
  .object({
    imported: z.array(z.string()),
    unchanged: z.array(z.string()),
    linked: z.number().int(),
    suggested: z.number().int(),
    failed: z.array(z.object({ matchId: z.string().nullable(), reason: z.string() })),
  })
  .meta({ id: 'ImportResult' });
export type ImportResult = z.infer<typeof ImportResult>;
