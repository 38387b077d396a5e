import { z } from 'zod';
import { Id, IsoDateTime } from './common';
import { Mmr, Positions, PublicUser, SteamIdInput } from './users';

/**
 * Players sign themselves up for a tournament in `registration` (issue 21): staff set the rules
 * (capacity, closing time, approval, MMR floor/ceiling, Steam), review the sign-ups, and open a
 * check-in window before the draft. Approved sign-ups are the tournament's player pool.
 */

export const SIGNUP_STATES = ['pending', 'approved', 'waitlisted', 'declined', 'withdrawn'] as const;
export const SignupState = z.enum(SIGNUP_STATES);
export type SignupState = z.infer<typeof SignupState>;

export const SignupApproval = z.enum(['manual', 'automatic']);
export type SignupApproval = z.infer<typeof SignupApproval>;

/** Largest capacity staff may set (a pool bigger than this is not a tournament night). */
export const MAX_CAPACITY = 1024;

/** The check-in window staff opened, if any. */
export const CheckInWindow = z
  .object({
    openedAt: z.string(),
    closesAt: z.string().describe('UTC instant the window closes (a deadline of the hub)'),
    closedAt: z.string().nullable().describe('when the close ran (null while the window is open)'),
    open: z.boolean().describe('players may check in now'),
  })
  .meta({ id: 'CheckInWindow' });
export type CheckInWindow = z.infer<typeof CheckInWindow>;

/** The sign-up rules of a tournament, and whether sign-up is open now. */
export const SignupSettings = z
  .object({
    tournamentId: z.number().int(),
    capacity: z.number().int().nullable().describe('places (pending and approved sign-ups); null: no limit, no waitlist'),
    closesAt: z.string().nullable().describe('sign-up closes at this UTC instant; null: only by hand'),
    closed: z.boolean().describe('staff closed sign-up by hand'),
    approval: SignupApproval.describe("'manual': staff approve each sign-up; 'automatic': a sign-up within capacity is approved at once"),
    mmrMin: z.number().int().nullable().describe('lowest declared MMR accepted'),
    mmrMax: z.number().int().nullable().describe('highest declared MMR accepted'),
    steamRequired: z.boolean().describe('a sign-up needs a Steam account'),
    open: z.boolean().describe("sign-up is open now: the tournament is in 'registration', not closed by hand, before closesAt"),
    checkIn: CheckInWindow.nullable(),
    places: z.object({ taken: z.number().int().describe('pending and approved sign-ups'), waitlisted: z.number().int() }),
    serverTime: z.string().describe('the hub clock when this was read'),
  })
  .meta({ id: 'SignupSettings' });
export type SignupSettings = z.infer<typeof SignupSettings>;

/** What staff change (PUT: any subset; a field not sent keeps its value). */
export const SignupSettingsInput = z
  .object({
    capacity: z.number().int().min(1).max(MAX_CAPACITY).nullable(),
    closesAt: IsoDateTime.nullable(),
    closed: z.boolean(),
    approval: SignupApproval,
    mmrMin: Mmr.nullable(),
    mmrMax: Mmr.nullable(),
    steamRequired: z.boolean(),
  })
  .partial()
  .strict()
  .refine((s) => s.mmrMin == null || s.mmrMax == null || s.mmrMin <= s.mmrMax, { message: 'the MMR floor is above the ceiling', path: ['mmrMax'] })
  .meta({ id: 'SignupSettingsInput' });
export type SignupSettingsInput = z.input<typeof SignupSettingsInput>;

export const MMR_CHECK_UNAVAILABLE = ['no_steam', 'unknown_account', 'upstream', 'steam_off'] as const;

/** What OpenDota says about a sign-up's Steam account (staff only). */
export const MmrCheck = z
  .discriminatedUnion('available', [
    z.object({
      available: z.literal(true),
      accountId: z.number().int(),
      personaName: z.string().nullable(),
      rankTier: z.number().int().nullable().describe('OpenDota rank_tier: tens = medal (1 Herald … 8 Immortal), units = stars; null when unranked or hidden'),
      medal: z.string().nullable().describe("the medal's name, e.g. 'Legend 3' or 'Immortal'; null when unranked"),
      leaderboardRank: z.number().int().nullable(),
      gamesPlayed: z.number().int().nullable().describe('wins + losses; null when OpenDota did not say'),
      wins: z.number().int().nullable(),
      losses: z.number().int().nullable(),
      lastMatchAt: z.string().nullable().describe('start of the most recent match OpenDota knows'),
      fetchedAt: z.string(),
    }),
    z.object({
      available: z.literal(false),
      reason: z
        .enum(MMR_CHECK_UNAVAILABLE)
        .describe(
          'no_steam: the sign-up has no Steam account; unknown_account: OpenDota has no profile (private or unknown); upstream: OpenDota failed or is rate limited (try later); steam_off: the hub has no OpenDota',
        ),
      message: z.string(),
      fetchedAt: z.string(),
    }),
  ])
  .meta({ id: 'MmrCheck' });
export type MmrCheck = z.infer<typeof MmrCheck>;

/** One member's sign-up to one tournament. */
export const Signup = z
  .object({
    tournamentId: z.number().int(),
    user: PublicUser,
    steamId: z.string().nullable().describe('SteamID64 the member signed up with'),
    declaredMmr: z.number().int(),
    positions: Positions,
    note: z.string().nullable().describe('to staff: only staff and the member see it (null for others)'),
    state: SignupState,
    waitlistPosition: z.number().int().nullable().describe('1 is next in; null unless waitlisted'),
    checkedIn: z.boolean(),
    checkedInAt: z.string().nullable(),
    missedCheckIn: z.boolean().describe('left the pool at the check-in close for not checking in'),
    poolMmr: z.number().int().nullable().describe('the MMR the draft uses, set by staff; null: the declared one'),
    reason: z.string().nullable().describe('why staff declined it, or why it left at the check-in close'),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .meta({ id: 'Signup' });
export type Signup = z.infer<typeof Signup>;

export const SignupList = z
  .object({
    items: z.array(Signup).describe('approved, then pending, then waitlisted in order, then the rest; by time of sign-up'),
    seq: z.number().int().describe('sequence number of the tournament room when this was read'),
  })
  .meta({ id: 'SignupList' });
export type SignupList = z.infer<typeof SignupList>;

/** A member signs up, or edits their own sign-up (the same call). */
export const SignupInput = z
  .object({
    steamId: SteamIdInput.optional().describe("any form Steam knows; default: the profile's linked account"),
    declaredMmr: Mmr,
    positions: Positions,
    note: z.string().trim().max(500).default(''),
  })
  .strict()
  .meta({ id: 'SignupInput' });
export type SignupInput = z.input<typeof SignupInput>;

export const SignupParams = z.object({ tournamentId: Id, userId: Id });
export const SignupDecline = z
  .object({ reason: z.string().trim().min(1).max(300) })
  .strict()
  .meta({ id: 'SignupDecline' });
export const SignupWaitlist = z
  .object({ on: z.boolean().describe('true: to the end of the waitlist; false: off it, into a free place') })
  .strict()
  .meta({ id: 'SignupWaitlist' });
export const SignupUpdate = z.object({ poolMmr: Mmr.nullable() }).strict().meta({ id: 'SignupUpdate' });
export const CheckInOpen = z
  .object({ closesAt: IsoDateTime.describe('must be in the future') })
  .strict()
  .meta({ id: 'CheckInOpen' });

/** A member's own sign-up with its tournament, for the profile and the header. */
export const MySignup = z
  .object({
    tournament: z.object({ id: z.number().int(), name: z.string(), state: z.string(), startsAt: z.string() }),
    signup: Signup,
    checkIn: CheckInWindow.nullable(),
  })
  .meta({ id: 'MySignup' });
export const MySignupList = z.object({ items: z.array(MySignup) }).meta({ id: 'MySignupList' });
export type MySignup = z.infer<typeof MySignup>;

/**
 * Events of the tournament room (`tournament:<id>`) about sign-ups and check-in. Each sign-up
 * event carries the sign-up's public view (note null). Approvals and the check-in close also
 * emit the pool's own events (`pool.added`, `pool.removed`).
 */
export const SignupEventPayload = z.object({ signup: Signup });
export const SignupEvents = {
  'signup.created': SignupEventPayload,
  'signup.updated': SignupEventPayload,
  'signup.withdrawn': SignupEventPayload,
  'signup.approved': SignupEventPayload,
  'signup.declined': SignupEventPayload,
  'signup.waitlisted': SignupEventPayload,
  'signup.settings': z.object({ settings: SignupSettings }),
  'checkin.opened': z.object({ checkIn: CheckInWindow }),
  'checkin.checked': z.object({ userId: z.number().int(), byStaff: z.boolean(), signup: Signup }),
  'checkin.closed': z.object({
    checkIn: CheckInWindow,
    removed: z.array(z.number().int()).describe('approved players who did not check in: out of the pool'),
    promoted: z.array(z.number().int()).describe('waitlisted players who checked in, in waitlist order: now approved, in the pool'),
  }),
} as const;
export type SignupEventType = keyof typeof SignupEvents;
