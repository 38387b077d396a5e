import { z } from 'zod';
import { Id, IsoDateTime, Page, TimeZone } from './common';
import { FinalPlacements } from './placements';
import { Mmr, PublicUser, SteamIdInput, Positions } from './users';

export const TOURNAMENT_STATES = ['draft', 'registration', 'drafting', 'playing', 'finished'] as const;
export const TournamentState = z.enum(TOURNAMENT_STATES);
export type TournamentState = z.infer<typeof TournamentState>;

export const Tournament = z
  .object({
    id: z.number().int(),
    name: z.string(),
    description: z.string(),
    startsAt: z.string().describe('UTC instant (ISO 8601)'),
    timeZone: z.string().describe('IANA zone the start time is shown in'),
    state: TournamentState,
    teamSize: z.number().int(),
    leagueId: z.number().int().nullable(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .meta({ id: 'Tournament' });
export type Tournament = z.infer<typeof Tournament>;

export const TournamentSummary = Tournament.extend({
  playerCount: z.number().int(),
  teamCount: z.number().int(),
}).meta({ id: 'TournamentSummary' });
export type TournamentSummary = z.infer<typeof TournamentSummary>;

export const TeamSize = z.number().int().min(1).max(10);

export const TournamentInput = z
  .object({
    name: z.string().trim().min(1).max(100),
    description: z.string().trim().max(2000).default(''),
    startsAt: IsoDateTime,
    timeZone: TimeZone.default('UTC'),
    teamSize: TeamSize.default(5),
    leagueId: z.number().int().positive().nullable().default(null),
  })
  .strict()
  .meta({ id: 'TournamentInput' });
export type TournamentInput = z.input<typeof TournamentInput>;

export const TournamentUpdate = z
  .object({
    name: z.string().trim().min(1).max(100),
    description: z.string().trim().max(2000),
    startsAt: IsoDateTime,
    timeZone: TimeZone,
    teamSize: TeamSize,
    leagueId: z.number().int().positive().nullable(),
    state: TournamentState,
  })
  .partial()
  .strict()
  .meta({ id: 'TournamentUpdate' });
export type TournamentUpdate = z.infer<typeof TournamentUpdate>;

export const TournamentListQuery = Page.extend({ state: TournamentState.optional() });
export const TournamentList = z.object({ items: z.array(TournamentSummary), total: z.number().int() });
export const TournamentIdParams = z.object({ tournamentId: Id });

/** A player in a tournament's pool, with the MMR used for this tournament. */
export const PoolPlayer = z.object({ user: PublicUser, mmr: z.number().int(), addedAt: z.string() }).meta({ id: 'PoolPlayer' });
export type PoolPlayer = z.infer<typeof PoolPlayer>;

export const PoolList = z.object({ items: z.array(PoolPlayer) });
export const PoolAdd = z.object({ userId: z.number().int().positive(), mmr: Mmr.optional() }).strict().meta({ id: 'PoolAdd' });
export const PoolUpdate = z.object({ mmr: Mmr }).strict().meta({ id: 'PoolUpdate' });
export const PoolPlayerParams = z.object({ tournamentId: Id, userId: Id });

/**
 * CSV import: header row required. Columns: discord_id (required), username (required for
 * people the hub has not seen yet), mmr (required), steam_id, pos1..pos5 (0–5).
 */
export const CSV_COLUMNS = ['discord_id', 'username', 'mmr', 'steam_id', 'pos1', 'pos2', 'pos3', 'pos4', 'pos5'] as const;
export const PoolImport = z
  .object({
    csv: z.string().min(1).max(1_000_000),
    skipInvalid: z.boolean().default(false),
  })
  .strict()
  .meta({ id: 'PoolImport' });
/** One parsed CSV row, validated before anything is written. */
export const PoolCsvRow = z.object({
  // The message says what the id is: people put row numbers or names here.
  discord_id: z.string().regex(/^\d{15,21}$/, 'not a Discord user id: that is a number of 17–20 digits, such as 402143937851064320'),
  username: z.string().trim().max(100).optional(),
  mmr: z.coerce.number().pipe(Mmr),
  steam_id: SteamIdInput.optional(),
  positions: Positions.optional(),
});
export type PoolCsvRow = z.infer<typeof PoolCsvRow>;
export const RowError = z.object({ line: z.number().int(), field: z.string(), message: z.string() });
export type RowError = z.infer<typeof RowError>;
export const PoolImportResult = z
  .object({
    imported: z.number().int().describe('rows written to the pool'),
    createdUsers: z.number().int().describe('people the hub had not seen before'),
    skipped: z.array(RowError).describe('rows left out (only with skipInvalid)'),
  })
  .meta({ id: 'PoolImportResult' });
export type PoolImportResult = z.infer<typeof PoolImportResult>;

export const TeamMember = z.object({ user: PublicUser, mmr: z.number().int() });
export const Team = z
  .object({
    id: z.number().int(),
    tournamentId: z.number().int(),
    name: z.string(),
    captain: PublicUser,
    draftOrder: z.number().int(),
    members: z.array(TeamMember).describe('the captain first, then picks in order'),
    totalMmr: z.number().int(),
  })
  .meta({ id: 'Team' });
export type Team = z.infer<typeof Team>;

export const TeamCreate = z
  .object({ captainUserId: z.number().int().positive(), name: z.string().trim().min(1).max(60).optional() })
  .strict()
  .meta({ id: 'TeamCreate' });
export const TeamUpdate = z
  .object({ name: z.string().trim().min(1).max(60) })
  .strict()
  .meta({ id: 'TeamUpdate' });
export const TeamOrder = z
  .object({ teamIds: z.array(z.number().int().positive()).min(1).max(64) })
  .strict()
  .meta({ id: 'TeamOrder' });
export const TeamParams = z.object({ tournamentId: Id, teamId: Id });
export const TeamList = z.object({ items: z.array(Team) });

export const StaffAdd = z.object({ userId: z.number().int().positive() }).strict().meta({ id: 'StaffAdd' });
export const StaffParams = z.object({ tournamentId: Id, userId: Id });

/** Everything the tournament page shows, in one read. */
export const TournamentDetail = Tournament.extend({
  league: z.object({ id: z.number().int(), name: z.string(), steamLeagueId: z.number().int().nullable() }).nullable(),
  staff: z.array(PublicUser),
  players: z.array(PoolPlayer),
  teams: z.array(Team),
  placements: FinalPlacements,
  seq: z.number().int().describe('sequence number of the tournament room when this was read'),
}).meta({ id: 'TournamentDetail' });
export type TournamentDetail = z.infer<typeof TournamentDetail>;
