/**
 * Captains Mode rules the hub and the page both apply: whose turn a step is, which heroes are
 * used, how a turn's clock runs down. Pure (no I/O, no clock of its own), so the page's
 * countdown and greyed-out heroes are the server's own arithmetic, not a copy of it.
 *
 * F = the team with first pick, S = the other.
 */

export type Slot = 'F' | 'S';
export type Action = 'ban' | 'pick';
export interface Step {
  team: Slot;
  action: Action;
  seconds: number;
}

/** Whose turn: the team index (0/1) acting at a step, given which index has first pick. */
export const teamOfStep = (step: Step, firstPick: 0 | 1): 0 | 1 => (step.team === 'F' ? firstPick : firstPick === 0 ? 1 : 0);

// ------------------------------------------------------------------ heroes

export interface DoneStep {
  heroId: number | null;
}

/** CM3: the heroes already picked or banned (a skipped ban uses none). */
export function usedHeroes(done: readonly DoneStep[]): Set<number> {
  return new Set(done.map((d) => d.heroId).filter((id): id is number => id !== null));
}

/** CM3: a hero is used once per draft; ids must be in the hero list. */
export function checkHero(heroIds: ReadonlySet<number>, done: readonly DoneStep[], heroId: number): string | null {
  if (!heroIds.has(heroId)) return `there is no hero with id ${heroId} in Captains Mode`;
  if (usedHeroes(done).has(heroId)) return 'that hero has already been picked or banned';
  return null;
}

export function availableHeroes(heroIds: Iterable<number>, done: readonly DoneStep[]): number[] {
  const used = usedHeroes(done);
  return [...heroIds].filter((id) => !used.has(id)).sort((a, b) => a - b);
}

// ------------------------------------------------------------------ timing

/**
 * The clock of the step on turn. `startedAt` is when the step's time (re)started counting;
 * `stepMs` is its own time left at that moment; `reserveMs` the acting team's reserve then.
 */
export interface TurnClock {
  startedAt: number;
  stepMs: number;
  reserveMs: number;
}

/** CM4: when the turn times out: its own time first, then the reserve. */
export const turnDeadline = (c: TurnClock) => c.startedAt + c.stepMs + c.reserveMs;

/**
 * CM4: what is left at `now` (before startedAt, e.g. a resume countdown, nothing is spent).
 * Unused step time is simply dropped when the step ends: it never carries over.
 */
export function spend(c: TurnClock, now: number): { stepMs: number; reserveMs: number } {
  const elapsed = Math.max(0, now - c.startedAt);
  const fromStep = Math.min(elapsed, c.stepMs);
  const fromReserve = Math.min(Math.max(0, elapsed - c.stepMs), c.reserveMs);
  return { stepMs: c.stepMs - fromStep, reserveMs: c.reserveMs - fromReserve };
}
