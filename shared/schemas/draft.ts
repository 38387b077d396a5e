import { z } from 'zod';
import { PublicUser } from './users';

export const DRAFT_STYLES = ['normal', 'snake', 'shuffle'] as const;
export const DraftStyle = z.enum(DRAFT_STYLES);
export type DraftStyle = z.infer<typeof DraftStyle>;

/**
 * setup: being configured (teams and pool still editable); open: teams and pool frozen, not
 * started; running / paused; completed: every team full or the pool empty, teams final.
 */
export const DRAFT_STATUSES = ['setup', 'open', 'running', 'paused', 'completed'] as const;
export const DraftStatus = z.enum(DRAFT_STATUSES);
export type DraftStatus = z.infer<typeof DraftStatus>;

export const PICK_METHODS = ['captain', 'staff', 'auto'] as const;
export const PickMethod = z.enum(PICK_METHODS);
export type PickMethod = z.infer<typeof PickMethod>;

/** Seconds per turn; null turns the timer off. */
export const PickSeconds = z.number().int().min(5).max(3600).nullable();

export const DraftSettings = z
  .object({
    style: DraftStyle,
    teamSize: z.number().int().min(1).max(10),
    pickSeconds: PickSeconds,
  })
  .partial()
  .strict()
  .meta({ id: 'DraftSettings' });
export type DraftSettings = z.infer<typeof DraftSettings>;

/** Optional guard on staff controls: refused with 409 when the draft room moved past this seq. */
export const DraftControl = z
  .object({ expectedSeq: z.number().int().min(0).optional() })
  .strict()
  .meta({ id: 'DraftControl' });

export const DraftConfigure = DraftSettings.extend(DraftControl.shape).meta({ id: 'DraftConfigure' });

export const DraftPickInput = z
  .object({
    userId: z.number().int().positive(),
    /** The pick the client is making: a second click (or tab) for the same pick gets 409. */
    pickNumber: z.number().int().positive(),
  })
  .strict()
  .meta({ id: 'DraftPickInput' });

export const DraftQueueInput = z
  .object({ userIds: z.array(z.number().int().positive()).max(200) })
  .strict()
  .meta({ id: 'DraftQueueInput' });
export const DraftQueue = z.object({ tournamentId: z.number().int(), userIds: z.array(z.number().int()) }).meta({ id: 'DraftQueue' });
export type DraftQueue = z.infer<typeof DraftQueue>;

export const DraftMember = z.object({ user: PublicUser, mmr: z.number().int(), pickNumber: z.number().int().nullable() });
export type DraftMember = z.infer<typeof DraftMember>;

export const DraftTeamView = z.object({
  id: z.number().int(),
  name: z.string(),
  draftOrder: z.number().int(),
  captain: PublicUser,
  members: z.array(DraftMember).describe('the captain first, then picks in order'),
  totalMmr: z.number().int(),
  full: z.boolean(),
});
export type DraftTeamView = z.infer<typeof DraftTeamView>;

export const DraftPoolPlayer = z.object({
  user: PublicUser,
  mmr: z.number().int(),
  /** The team that drafted them, or null while available. */
  teamId: z.number().int().nullable(),
});
export type DraftPoolPlayer = z.infer<typeof DraftPoolPlayer>;

export const DraftPickView = z.object({
  pickNumber: z.number().int(),
  teamId: z.number().int(),
  userId: z.number().int(),
  method: PickMethod,
  byUserId: z.number().int().nullable(),
  at: z.string(),
});
export type DraftPickView = z.infer<typeof DraftPickView>;

export const DraftRollView = z.object({
  pickNumber: z.number().int(),
  round: z.number().int(),
  teamId: z.number().int(),
  value: z.number().int().min(1).max(6),
});
export type DraftRollView = z.infer<typeof DraftRollView>;

/** The public state of a player draft: snapshot of the draft room and the REST read. */
export const DraftView = z
  .object({
    tournamentId: z.number().int(),
    tournamentName: z.string(),
    status: DraftStatus,
    style: DraftStyle,
    teamSize: z.number().int(),
    pickSeconds: z.number().int().nullable(),
    teams: z.array(DraftTeamView).describe('in draft order'),
    pool: z.array(DraftPoolPlayer).describe('every player but the captains, highest MMR first'),
    picks: z.array(DraftPickView),
    rolls: z.array(DraftRollView).describe('every d6 roll of shuffle ties, by pick and round'),
    turn: z
      .object({
        pickNumber: z.number().int(),
        teamId: z.number().int().nullable(),
        tied: z.array(z.number().int()).describe('teams tied for the lowest total (shuffle)'),
      })
      .nullable()
      .describe('the next pick; null once complete'),
    deadlineAt: z.string().nullable().describe('when the running turn times out (hub clock)'),
    pausedRemainingMs: z.number().int().nullable(),
    startedAt: z.string().nullable(),
    completedAt: z.string().nullable(),
    seq: z.number().int().describe('sequence number of the draft room when this was read'),
  })
  .meta({ id: 'DraftView' });
export type DraftView = z.infer<typeof DraftView>;

/** The REST read adds the hub's clock, so a client can render countdowns from deadlines. */
export const DraftRead = DraftView.extend({ serverTime: z.string() }).meta({ id: 'DraftRead' });

export const DraftPreview = z
  .object({
    normal: z.array(z.object({ teamId: z.number().int(), total: z.number().int() })),
    snake: z.array(z.object({ teamId: z.number().int(), total: z.number().int() })),
    shuffle: z.string().describe('why shuffle has no preview'),
  })
  .meta({ id: 'DraftPreview' });
export type DraftPreview = z.infer<typeof DraftPreview>;
