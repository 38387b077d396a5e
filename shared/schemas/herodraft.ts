import { z } from 'zod';
import { Id } from './common';

export const HERO_DRAFT_PRESETS = ['7.40', '7.34', '7.30', '7.00'] as const;
export const HeroDraftPreset = z.enum(HERO_DRAFT_PRESETS);

/**
 * waiting: both captains ready up (staff may still change timings); choosing: the coin toss is
 * done, first pick and side are being chosen; drafting; paused; completed; abandoned.
 */
export const HERO_DRAFT_STATUSES = ['waiting', 'choosing', 'drafting', 'paused', 'completed', 'abandoned'] as const;
export const HeroDraftStatus = z.enum(HERO_DRAFT_STATUSES);
export type HeroDraftStatus = z.infer<typeof HeroDraftStatus>;

export const HeroDraftStep = z.object({
  team: z.enum(['F', 'S']),
  action: z.enum(['ban', 'pick']),
  seconds: z.number().int().min(1).max(600),
});
export type HeroDraftStep = z.infer<typeof HeroDraftStep>;

/** Timings staff may change before the draft starts; `steps` replaces the preset's order. */
export const HeroDraftTimings = z
  .object({
    preset: HeroDraftPreset,
    firstBanSeconds: z.number().int().min(1).max(600),
    stepSeconds: z.number().int().min(1).max(600),
    reserveSeconds: z.number().int().min(0).max(3600),
    steps: z.array(HeroDraftStep).min(1).max(40),
  })
  .partial()
  .strict();

export const HeroDraftCreate = HeroDraftTimings.extend({
  teamAId: z.number().int().positive(),
  teamBId: z.number().int().positive(),
  /** The bracket match (series) and game this draft is for, when there is one. */
  bracketMatchId: z.number().int().positive().nullable().optional(),
  gameNumber: z.number().int().min(1).max(9).nullable().optional(),
})
  .strict()
  .meta({ id: 'HeroDraftCreate' });
export type HeroDraftCreate = z.infer<typeof HeroDraftCreate>;

/** Optional guard: refused with 409 when the draft room moved past this seq. */
const Guard = { expectedSeq: z.number().int().min(0).optional() };

export const HeroDraftConfigure = HeroDraftTimings.extend(Guard).strict().meta({ id: 'HeroDraftConfigure' });
export const HeroDraftControl = z.object(Guard).strict().meta({ id: 'HeroDraftControl' });
export const HeroDraftPause = z
  .object({ ...Guard, reason: z.string().trim().max(200).optional() })
  .strict()
  .meta({ id: 'HeroDraftPause' });
export const HeroDraftReady = z.object({ ready: z.boolean() }).strict().meta({ id: 'HeroDraftReady' });
export const HeroDraftChoice = z
  .discriminatedUnion('kind', [
    z.object({ kind: z.literal('order'), value: z.enum(['first', 'second']) }).strict(),
    z.object({ kind: z.literal('side'), value: z.enum(['radiant', 'dire']) }).strict(),
  ])
  .meta({ id: 'HeroDraftChoice' });
export type HeroDraftChoice = z.infer<typeof HeroDraftChoice>;
export const HeroDraftAct = z
  .object({
    /** The step the captain is acting on: a second click or tab for the same step gets 409. */
    stepIndex: z.number().int().min(0).max(39),
    heroId: z.number().int().positive().max(10_000),
  })
  .strict()
  .meta({ id: 'HeroDraftAct' });
export const HeroDraftPenalty = z
  .object({ ...Guard, teamId: z.number().int().positive(), seconds: z.number().int().min(1).max(3600) })
  .strict()
  .meta({ id: 'HeroDraftPenalty' });

export const HeroDraftParams = z.object({ heroDraftId: Id });

/**
 * A team's position in a hero draft's `teams[]`: 0 is team A, 1 team B. Not a team id (the
 * player draft's fields are ids): every team field of the hero-draft view says so in the
 * OpenAPI document.
 */
const TeamIndex = z.number().int().min(0).max(1);
const POSITION = 'a position in `teams[]` (0 = team A, 1 = team B), not a team id';
const teamIndex = (what: string) => TeamIndex.describe(`${what}: ${POSITION}`);

const Choice = z.object({ kind: z.enum(['order', 'side']), value: z.string() });

export const HeroDraftTeam = z.object({
  id: z.number().int(),
  name: z.string(),
  captain: z.object({ id: z.number().int(), name: z.string() }),
  ready: z.boolean(),
  /** Reserve left; for the team on turn, as of the turn's startedAt. */
  reserveMs: z.number().int(),
  side: z.enum(['radiant', 'dire']).nullable(),
  firstPick: z.boolean().nullable(),
  picks: z.array(z.number().int()),
  bans: z.array(z.number().int()),
});

export const HeroDraftView = z
  .object({
    id: z.number().int(),
    tournamentId: z.number().int(),
    bracketMatchId: z.number().int().nullable(),
    gameNumber: z.number().int().nullable(),
    preset: z.string(),
    steps: z.array(HeroDraftStep),
    reserveSeconds: z.number().int(),
    status: HeroDraftStatus,
    teams: z.array(HeroDraftTeam).describe('Teams A and B. Every other team field of this view is a position in this array (0 or 1), not a team id'),
    toss: z.object({
      winner: teamIndex('The coin toss winner').nullable(),
      winnerChoice: Choice.nullable(),
      loserChoice: Choice.nullable(),
      due: z
        .object({ team: teamIndex('The captain whose choice is due'), kinds: z.array(z.enum(['order', 'side'])) })
        .nullable()
        .describe('Whose choice is due and which kinds are left'),
    }),
    stepIndex: z.number().int(),
    done: z.array(
      z.object({
        stepIndex: z.number().int(),
        team: teamIndex('The team that acted'),
        action: z.enum(['ban', 'pick']),
        heroId: z.number().int().nullable(),
        method: z.enum(['captain', 'timeout']),
      }),
    ),
    /** The step on turn and its clock (null unless drafting). */
    turn: z
      .object({
        stepIndex: z.number().int(),
        team: teamIndex('The team on turn'),
        action: z.enum(['ban', 'pick']),
        /** When the step's time starts counting (later than now during a resume countdown). */
        startedAt: z.string(),
        stepMs: z.number().int(),
        reserveMs: z.number().int(),
        deadlineAt: z.string(),
      })
      .nullable(),
    paused: z
      .object({
        reason: z.string().nullable(),
        stepMs: z.number().int(),
        reserveMs: z.number().int(),
        resumeVotes: z.array(teamIndex('A captain who voted to resume')).describe(`The captains who voted to resume, each as ${POSITION}`),
      })
      .nullable(),
    graceDueAt: z
      .string()
      .nullable()
      .describe(
        'Set (and announced by a `herodraft.grace` event) as soon as a captain has no connection left while drafting: the draft pauses at this time unless they come back. Null otherwise',
      ),
    completedAt: z.string().nullable(),
    seq: z.number().int(),
  })
  .meta({ id: 'HeroDraftView' });
export type HeroDraftView = z.infer<typeof HeroDraftView>;

/**
 * What every hero-draft event carries besides its details (issue 20): the view's fields that
 * commands change, as the rules left them. Teams' picks and bans follow from `done`;
 * shared/live/herodraft.ts applies an event to a view. herodraft.created, herodraft.configured
 * and herodraft.reset also carry the whole view as `heroDraft`.
 */
export const HeroDraftSet = HeroDraftView.pick({ status: true, stepIndex: true, turn: true, paused: true, toss: true, graceDueAt: true, completedAt: true })
  .extend({ teams: z.array(HeroDraftTeam.pick({ ready: true, reserveMs: true, side: true, firstPick: true })) })
  .meta({ id: 'HeroDraftSet' });
export type HeroDraftSet = z.infer<typeof HeroDraftSet>;

/** The payload of `herodraft.step` (a captain's ban or pick) and `herodraft.timeout` (CM5). */
export const HeroDraftStepEvent = z
  .object({
    stepIndex: z.number().int().describe('The step this event records (0-based, as in `done[].stepIndex`), not the step now on turn (`set.stepIndex`)'),
    team: TeamIndex.describe("The team that acted: a position in the view's `teams[]` (0 = team A, 1 = team B), not a team id"),
    action: z.enum(['ban', 'pick']),
    heroId: z.number().int().nullable().describe('null: a ban skipped on timeout'),
    method: z.enum(['captain', 'timeout']),
    set: HeroDraftSet,
  })
  .meta({ id: 'HeroDraftStepEvent' });
export type HeroDraftStepEvent = z.infer<typeof HeroDraftStepEvent>;

/**
 * The payload of `herodraft.grace`: a captain's last connection went (the draft pauses at
 * `graceDueAt` unless they come back), or every captain is back in time (`graceDueAt` null).
 */
export const HeroDraftGraceEvent = z
  .object({
    graceDueAt: z.string().nullable().describe('When the draft pauses unless the captains away come back; null: the pause is off'),
    away: z.array(teamIndex('A team whose captain is away')).describe(`The teams whose captain has no connection, each as ${POSITION}`),
    set: HeroDraftSet,
  })
  .meta({ id: 'HeroDraftGraceEvent' });
export type HeroDraftGraceEvent = z.infer<typeof HeroDraftGraceEvent>;

export const HeroDraftRead = HeroDraftView.extend({ serverTime: z.string() }).meta({ id: 'HeroDraftRead' });
export const HeroDraftList = z.object({ items: z.array(HeroDraftView) });

export const Hero = z.object({
  id: z.number().int(),
  name: z.string(),
  localizedName: z.string(),
  primaryAttr: z.enum(['str', 'agi', 'int', 'all']),
  img: z.string().nullable(),
  icon: z.string().nullable(),
  /** Offered in Captains Mode; games (live, finished) can also hold heroes that are not. */
  captainsMode: z.boolean(),
});
export type Hero = z.infer<typeof Hero>;
/** `captainsMode` (the default, what a hero draft offers) or `all`: every hero, for match pages. */
export const HeroListQuery = z.object({ scope: z.enum(['captainsMode', 'all']).default('captainsMode') });
export const HeroList = z.object({ imageBase: z.string(), heroes: z.array(Hero) }).meta({ id: 'HeroList' });
export type HeroList = z.infer<typeof HeroList>;
