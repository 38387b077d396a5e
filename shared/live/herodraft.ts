import type { HeroDraftSet, HeroDraftView } from '../schemas/herodraft';
import { CannotApply, type LiveEvent } from './event';

/**
 * The hero draft's events and their one reducer (issue 20). An event carries its effect, not
 * the whole draft: a step event the step done (stepIndex, team, action, heroId, method), and
 * every event the view's fields that change as the rules left them (`set`: status, step on
 * turn and its clock, pause, toss, grace, and each team's ready, reserve, side and first
 * pick). Teams' picks and bans follow from `done`, so the reducer derives them as the server
 * does. Setting the draft up (created, configured: preset, steps, reserve) and a reset carry
 * the whole view, so every hero draft's log starts with a whole view and replays from its
 * first event. The server's tests and the client apply events with `applyHeroDraftEvent`.
 */

type Step = HeroDraftView['done'][number];

/** The fields of a team that change during a draft (name, captain and id never do). */
export type HeroDraftTeamScalars = HeroDraftSet['teams'][number];

/** The view's fields that commands change (besides `done` and the lists derived from it): `set` in every event. */
export type HeroDraftScalars = HeroDraftSet;

const SCALARS = ['status', 'stepIndex', 'turn', 'paused', 'toss', 'graceDueAt', 'completedAt'] as const satisfies readonly (keyof HeroDraftScalars)[];

/** The payload of every hero-draft event, besides details such as `reason`, `away` or `seconds`. */
export interface HeroDraftDelta {
  set: HeroDraftScalars;
  /** herodraft.step and herodraft.timeout: the step done (the view's `stepIndex` is the next one). */
  stepIndex?: number;
  team?: 0 | 1;
  action?: 'ban' | 'pick';
  heroId?: number | null;
  method?: 'captain' | 'timeout';
  /** The whole draft: herodraft.created, herodraft.configured, herodraft.reset (and events logged before deltas). */
  heroDraft?: HeroDraftView;
}

/** Event types that record a step. */
const STEP_EVENTS = new Set(['herodraft.step', 'herodraft.timeout']);

/** The changing fields of a view, as an event carries them. */
export function heroDraftScalars(view: HeroDraftView): HeroDraftScalars {
  const set = {} as Record<(typeof SCALARS)[number], unknown>;
  for (const key of SCALARS) set[key] = view[key];
  const teams = view.teams.map((t) => ({ ready: t.ready, reserveMs: t.reserveMs, side: t.side, firstPick: t.firstPick }));
  return { ...(set as Omit<HeroDraftScalars, 'teams'>), teams };
}

/** The step an event records, checked against the draft it is applied to. */
function stepOf(view: HeroDraftView, event: LiveEvent, delta: Partial<HeroDraftDelta>): Step {
  const { stepIndex, team, action, heroId, method } = delta;
  if (typeof stepIndex !== 'number' || (team !== 0 && team !== 1) || !action || heroId === undefined || !method)
    throw new CannotApply(event, 'a step event without its step');
  if (view.done.some((d) => d.stepIndex === stepIndex)) throw new CannotApply(event, `step ${stepIndex} is already done`);
  if (stepIndex !== view.stepIndex || stepIndex !== view.done.length)
    throw new CannotApply(event, `step ${stepIndex} is not on turn (step ${view.stepIndex} is)`);
  if (view.steps[stepIndex]?.action !== action) throw new CannotApply(event, `step ${stepIndex} is not a ${action}`);
  if (heroId !== null && view.done.some((d) => d.heroId === heroId)) throw new CannotApply(event, `hero ${heroId} is already taken`);
  return { stepIndex, team, action, heroId, method };
}

/**
 * `view` with the event applied: the hero draft at the event's seq. `view` is undefined before
 * the room's first event (which carries the whole draft). Throws CannotApply when it does not fit.
 */
export function applyHeroDraftEvent(view: HeroDraftView | undefined, event: LiveEvent): HeroDraftView {
  const delta = event.payload as Partial<HeroDraftDelta> | null;
  if (!delta || typeof delta !== 'object') throw new CannotApply(event, 'no payload');
  if (delta.heroDraft) return { ...delta.heroDraft, seq: event.seq };
  const set = delta.set;
  if (!set || !Array.isArray(set.teams)) throw new CannotApply(event, 'no hero-draft fields');
  if (!view) throw new CannotApply(event, 'no hero draft to apply it to');
  if (event.seq !== view.seq + 1) throw new CannotApply(event, `the hero draft is at seq ${view.seq}`);
  if (set.teams.length !== view.teams.length) throw new CannotApply(event, `${set.teams.length} teams for a draft of ${view.teams.length}`);

  const done = STEP_EVENTS.has(event.type) ? [...view.done, stepOf(view, event, delta)] : view.done;
  const { teams: teamFields, ...scalars } = set;
  const teams = view.teams.map((team, i) => ({
    ...team,
    ...teamFields[i],
    picks: done.filter((s) => s.team === i && s.action === 'pick' && s.heroId !== null).map((s) => s.heroId!),
    bans: done.filter((s) => s.team === i && s.action === 'ban' && s.heroId !== null).map((s) => s.heroId!),
  }));
  return { ...view, ...scalars, teams, done, seq: event.seq };
}

/** The hero draft at the last of `events`, replayed from the room's first event. */
export function replayHeroDraft(events: readonly LiveEvent[]): HeroDraftView | undefined {
  return events.reduce<HeroDraftView | undefined>(applyHeroDraftEvent, undefined);
}
