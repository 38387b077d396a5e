import { z } from 'zod';
import { Id } from './common';

export const STAGE_FORMATS = ['single_elimination', 'double_elimination', 'round_robin', 'swiss'] as const;
export const StageFormat = z.enum(STAGE_FORMATS);
export type StageFormat = z.infer<typeof StageFormat>;

export const SEEDING_METHODS = ['ranked', 'mmr', 'random', 'manual', 'standings'] as const;
export const SeedingMethod = z
  .enum(SEEDING_METHODS)
  .describe(
    'ranked: teamIds in the given order (default: draft order); mmr: by team MMR total; random: shuffled from a recorded seed; manual: teamIds as listed; standings: from an earlier stage (fromStageId, top)',
  );
export type SeedingMethod = z.infer<typeof SeedingMethod>;

export const BestOf = z.union([z.literal(1), z.literal(2), z.literal(3), z.literal(5)]);
export type BestOf = z.infer<typeof BestOf>;

export const TIEBREAK_NAMES = ['headToHead', 'gameDiff', 'buchholz', 'coinToss'] as const;
export const Tiebreak = z.enum(TIEBREAK_NAMES);

/** Round keys for best-of overrides: U3 (upper round 3), L4, R2 (group/Swiss round 2), GF, 3RD. */
export const RoundKey = z.string().regex(/^(?:[ULR][1-9]\d?|GF|3RD)$/, 'a round key: U1, L2, R3, GF or 3RD');

export const StageSettings = z.object({
  bestOf: BestOf.default(1),
  bestOfByRound: z.record(RoundKey, BestOf).default({}),
  thirdPlace: z.boolean().default(false).describe('single elimination: a match for third place'),
  grandFinalReset: z.boolean().default(true).describe('double elimination: a second grand final when the lower-bracket team wins the first'),
  groups: z.number().int().min(1).max(16).default(1).describe('round robin: number of groups'),
  stopAt: z.number().int().min(1).max(5).default(3).describe('Swiss: a team stops at this many wins or losses'),
  points: z.enum(['series', 'games']).default('series').describe('series: win 3 / draw 1 / loss 0; games: a point per game won (Bo2 2/1/0)'),
  allowDraws: z.boolean().default(false).describe('round robin and Swiss: a Bo2 may end 1–1'),
  tiebreaks: z.array(Tiebreak).max(4).default(['headToHead', 'gameDiff', 'buchholz', 'coinToss']).describe('published before the stage starts'),
  captainReports: z.boolean().default(false).describe('captains report results and the other captain confirms or disputes (staff may always report)'),
});
export type StageSettings = z.infer<typeof StageSettings>;

export const StageCreate = StageSettings.extend({
  name: z.string().trim().min(1).max(60).optional(),
  format: StageFormat,
  seeding: SeedingMethod.default('ranked'),
  teamIds: z.array(z.number().int().positive()).min(2).max(64).optional().describe('which teams, in seed order for ranked and manual (default: every team)'),
  randomSeed: z.number().int().min(0).max(2_147_483_647).optional().describe('random seeding: replay a recorded seed'),
  fromStageId: z.number().int().positive().optional().describe('standings seeding: the earlier stage'),
  top: z.number().int().min(2).max(64).optional().describe('standings seeding: how many teams go through'),
})
  .strict()
  .meta({ id: 'StageCreate' });
export type StageCreate = z.input<typeof StageCreate>;

export const Side = z.enum(['a', 'b']);
export const DraftAction = z.object({ team: Side, action: z.enum(['pick', 'ban']), heroId: z.number().int().positive().max(1000) }).strict();
export const GameInput = z
  .object({
    winner: Side,
    radiant: Side.nullable().default(null).describe('which team played Radiant'),
    steamMatchId: z
      .string()
      .regex(/^\d{1,20}$/)
      .nullable()
      .default(null),
    draft: z.array(DraftAction).max(40).nullable().default(null),
  })
  .strict();

/**
 * BR9: a result is refused (409) while a hero draft of the series is not finished (waiting,
 * choosing, drafting or paused); the refusal carries an issue with this code at `ignoreRunningDrafts`.
 */
export const HERO_DRAFT_RUNNING = 'hero_draft_running';
const IgnoreRunningDrafts = z
  .boolean()
  .default(false)
  .describe('record the result although a hero draft of this series is still running (the draft is left as it is)');

export const ReportInput = z
  .object({
    scoreA: z.number().int().min(0).max(5).optional(),
    scoreB: z.number().int().min(0).max(5).optional(),
    games: z.array(GameInput).min(1).max(5).optional().describe('game by game; the score follows from them'),
    forfeit: Side.optional().describe('this side forfeits the series'),
    correct: z.boolean().default(false).describe('replace an earlier result'),
    cascade: z.boolean().default(false).describe('with correct: also clear results downstream that the change makes wrong'),
    expectedVersion: z.number().int().min(0).optional().describe('the series version you saw (refused with 409 if it has changed)'),
    ignoreRunningDrafts: IgnoreRunningDrafts,
  })
  .strict()
  .refine(
    (r) => r.forfeit !== undefined || r.games !== undefined || (r.scoreA !== undefined && r.scoreB !== undefined),
    'give games, both scores, or a forfeit',
  )
  .meta({ id: 'ReportInput' });

export const ClaimAnswer = z
  .object({
    expectedVersion: z.number().int().min(0).optional(),
    /** Confirming applies the result: the same check as a report (a dispute does not use it). */
    ignoreRunningDrafts: IgnoreRunningDrafts,
  })
  .strict()
  .meta({ id: 'ClaimAnswer' });

export const DisqualifyInput = z.object({ teamId: z.number().int().positive() }).strict().meta({ id: 'DisqualifyInput' });

export const TeamRef = z.object({ id: z.number().int(), name: z.string() });
export const Slot = z.enum(['team', 'bye', 'tbd']);
export const Game = z.object({
  number: z.number().int(),
  winner: Side,
  radiant: Side.nullable(),
  steamMatchId: z.string().nullable(),
  draft: z.array(DraftAction).nullable(),
});
export const MatchStatus = z.enum(['tbd', 'ready', 'done', 'bye', 'skipped']);
export const BracketMatch = z
  .object({
    id: z.number().int(),
    key: z.string(),
    bracket: z.enum(['upper', 'lower', 'final', 'third', 'group', 'swiss']),
    group: z.number().int().nullable(),
    round: z.number().int(),
    position: z.number().int(),
    slotA: Slot,
    slotB: Slot,
    teamA: TeamRef.nullable(),
    teamB: TeamRef.nullable(),
    status: MatchStatus,
    bestOf: z.number().int(),
    scoreA: z.number().int().nullable(),
    scoreB: z.number().int().nullable(),
    winner: z.enum(['a', 'b', 'draw']).nullable(),
    forfeit: Side.nullable(),
    version: z.number().int(),
    claim: z
      .object({ side: Side, winner: z.enum(['a', 'b', 'draw']), scoreA: z.number().int(), scoreB: z.number().int(), forfeit: Side.nullable() })
      .nullable()
      .describe("a captain's report waiting for the other captain"),
    disputed: z.boolean().describe('the other captain disputed the report: staff decide'),
    games: z.array(Game),
  })
  .meta({ id: 'BracketMatch' });
export type BracketMatch = z.infer<typeof BracketMatch>;

export const StandingRow = z.object({
  team: TeamRef,
  rank: z.number().int(),
  played: z.number().int(),
  wins: z.number().int(),
  draws: z.number().int(),
  losses: z.number().int(),
  gamesWon: z.number().int(),
  gamesLost: z.number().int(),
  points: z.number().int(),
  buchholz: z.number().int(),
});
export type StandingRow = z.infer<typeof StandingRow>;

export const Stage = z
  .object({
    id: z.number().int(),
    tournamentId: z.number().int(),
    number: z.number().int(),
    name: z.string(),
    format: StageFormat,
    settings: StageSettings,
    seedingMethod: SeedingMethod,
    seeds: z.array(TeamRef).describe('seed 1 first'),
    randomSeed: z.number().int().nullable(),
    coinToss: z.array(z.number().int()),
    disqualified: z.array(z.number().int()),
    matches: z.array(BracketMatch),
    standings: z.array(z.object({ group: z.number().int(), rows: z.array(StandingRow) })).describe('round robin and Swiss'),
    placements: z.array(z.object({ team: TeamRef, place: z.number().int() })).describe('elimination: places decided so far (shared places repeat)'),
    finished: z.boolean(),
    createdAt: z.string(),
  })
  .meta({ id: 'Stage' });
export type Stage = z.infer<typeof Stage>;

export const BracketView = z
  .object({
    tournamentId: z.number().int(),
    stages: z.array(Stage),
    seq: z.number().int().describe('sequence number of the tournament room when this was read'),
  })
  .meta({ id: 'BracketView' });
export type BracketView = z.infer<typeof BracketView>;

export const StageParams = z.object({ tournamentId: Id, stageId: Id });
export const MatchParams = z.object({ tournamentId: Id, matchId: Id });
