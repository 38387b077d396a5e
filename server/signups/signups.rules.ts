import type { SignupApproval, SignupState } from '../../shared/schemas/signups';
import type { TournamentState } from '../../shared/schemas/tournaments';

/**
 * The rules of sign-ups, without I/O: the commands load the rows under the tournament room's
 * lock and ask these what to do.
 */

export interface Rules {
  capacity: number | null;
  closesAt: number | null;
  closed: boolean;
  approval: SignupApproval;
  mmrMin: number | null;
  mmrMax: number | null;
  steamRequired: boolean;
}

export const DEFAULT_RULES: Rules = {
  capacity: null,
  closesAt: null,
  closed: false,
  approval: 'manual',
  mmrMin: null,
  mmrMax: null,
  steamRequired: true,
};

/** States that hold a place (count against capacity). */
export const HOLDS_PLACE: readonly SignupState[] = ['pending', 'approved'];
/** States a member can still change or withdraw. */
export const ACTIVE: readonly SignupState[] = ['pending', 'approved', 'waitlisted'];

export type Verdict = { ok: true } | { ok: false; reason: string; field?: 'declaredMmr' | 'steamId' };

/** Sign-up is open: tournament in registration, not closed by hand, before the closing time. */
export function signupOpen(state: TournamentState, rules: Rules, now: number): Verdict {
  if (state !== 'registration') return { ok: false, reason: `sign-up is only open while the tournament is in 'registration' (it is '${state}')` };
  if (rules.closed) return { ok: false, reason: 'sign-up has been closed by staff' };
  if (rules.closesAt !== null && now >= rules.closesAt) return { ok: false, reason: `sign-up closed at ${new Date(rules.closesAt).toISOString()}` };
  return { ok: true };
}

/**
 * Whether this member may sign up with this MMR and Steam account: the floor and ceiling, Steam
 * when required, and a Steam account nobody else holds (another member's profile, or another
 * sign-up of this tournament that was not withdrawn).
 */
export function eligibility(rules: Rules, input: { declaredMmr: number; steamId: string | null }, steamHeldByOther: boolean): Verdict & { conflict?: boolean } {
  if (rules.mmrMin !== null && input.declaredMmr < rules.mmrMin) {
    return { ok: false, field: 'declaredMmr', reason: `below this tournament's MMR floor of ${rules.mmrMin}` };
  }
  if (rules.mmrMax !== null && input.declaredMmr > rules.mmrMax) {
    return { ok: false, field: 'declaredMmr', reason: `above this tournament's MMR ceiling of ${rules.mmrMax}` };
  }
  if (rules.steamRequired && !input.steamId) {
    return { ok: false, field: 'steamId', reason: 'this tournament requires a Steam account: link one to your profile or give it here' };
  }
  if (input.steamId && steamHeldByOther) {
    return { ok: false, field: 'steamId', conflict: true, reason: 'this Steam account is already used by another member' };
  }
  return { ok: true };
}

/** Places still free (Infinity without a capacity). */
export function freePlaces(capacity: number | null, taken: number): number {
  return capacity === null ? Infinity : Math.max(0, capacity - taken);
}

/**
 * Where a new sign-up (or one off the waitlist) goes: a free place, approved at once or pending
 * by the approval rule; no free place, the waitlist.
 */
export function placeFor(rules: Pick<Rules, 'capacity' | 'approval'>, taken: number): SignupState {
  if (freePlaces(rules.capacity, taken) <= 0) return 'waitlisted';
  return rules.approval === 'automatic' ? 'approved' : 'pending';
}

export interface Queued {
  userId: number;
  queuedAt: number;
  checkedIn: boolean;
}

/** The waitlist in order: first queued first (user id breaks a tie of the same instant). */
export function waitlistOrder<T extends Pick<Queued, 'userId' | 'queuedAt'>>(waitlisted: readonly T[]): T[] {
  return [...waitlisted].sort((a, b) => a.queuedAt - b.queuedAt || a.userId - b.userId);
}

/** Who moves up when places free up: the first `free` of the waitlist. */
export function promotions<T extends Pick<Queued, 'userId' | 'queuedAt'>>(waitlisted: readonly T[], free: number): T[] {
  if (free <= 0) return [];
  return waitlistOrder(waitlisted).slice(0, free === Infinity ? undefined : free);
}

export interface CloseInput {
  capacity: number | null;
  /** Approved sign-ups: those not checked in leave (unless `keep`: a captain or drafted player). */
  approved: { userId: number; checkedIn: boolean; keep?: boolean }[];
  pending: number;
  waitlisted: Queued[];
}

/**
 * What the check-in close does: approved players who did not check in leave; the places then
 * free go to waitlisted players who did check in, in waitlist order. Waitlisted players who did
 * not check in stay waitlisted (they may still be let in by hand).
 */
export function checkInClose(input: CloseInput): { removed: number[]; promoted: number[] } {
  const removed = input.approved.filter((a) => !a.checkedIn && !a.keep).map((a) => a.userId);
  const taken = input.approved.length - removed.length + input.pending;
  const ready = input.waitlisted.filter((w) => w.checkedIn);
  const promoted = promotions(ready, freePlaces(input.capacity, taken)).map((w) => w.userId);
  return { removed, promoted };
}

/** Check-in is open at `now`: opened, not closed yet, before its closing time. */
export function checkInOpen(window: { openedAt: number | null; closesAt: number | null; closedAt: number | null }, now: number): boolean {
  return window.openedAt !== null && window.closesAt !== null && window.closedAt === null && now < window.closesAt;
}

/** Whose sign-up may check in: a player who holds a place or waits for one. */
export function canCheckIn(state: SignupState): Verdict {
  if (state === 'approved' || state === 'waitlisted') return { ok: true };
  return { ok: false, reason: `only approved or waitlisted sign-ups check in (this one is ${state})` };
}

/** OpenDota's rank_tier as a medal: tens are the medal, units the stars (80 Immortal has none). */
const MEDALS = ['Herald', 'Guardian', 'Crusader', 'Archon', 'Legend', 'Ancient', 'Divine', 'Immortal'];
export function medalName(rankTier: number | null | undefined): string | null {
  if (rankTier === null || rankTier === undefined || !Number.isInteger(rankTier)) return null;
  const medal = MEDALS[Math.floor(rankTier / 10) - 1];
  if (!medal) return null;
  const stars = rankTier % 10;
  if (medal === 'Immortal' || stars < 1 || stars > 5) return medal;
  return `${medal} ${stars}`;
}
