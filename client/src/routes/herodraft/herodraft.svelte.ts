import { spend, teamOfStep } from '$shared/rules/herodraft';
import type { HeroDraftView } from '$shared/schemas/herodraft';

export interface Countdown {
  /** Before the step's clock starts (a resume countdown). */
  startsInMs: number;
  stepMs: number;
  reserveMs: number;
}

/** CM4 on the client: the hub's own arithmetic (shared) on the stored turn clock. */
export function countdown(turn: NonNullable<HeroDraftView['turn']>, serverNow: number): Countdown {
  const startedAt = Date.parse(turn.startedAt);
  return { startsInMs: Math.max(0, startedAt - serverNow), ...spend({ startedAt, stepMs: turn.stepMs, reserveMs: turn.reserveMs }, serverNow) };
}

/** The team index (0/1) acting at a step, or null before first pick is chosen. */
export function actingTeam(d: HeroDraftView, stepIndex: number): 0 | 1 | null {
  const step = d.steps[stepIndex];
  const first = d.teams.findIndex((t) => t.firstPick);
  if (!step || (first !== 0 && first !== 1)) return null;
  return teamOfStep(step, first);
}

/** A countdown's figure: "45", or "2:10" from a minute on. */
export const seconds = (ms: number) => {
  const s = Math.ceil(ms / 1000);
  return s >= 60 ? clock(ms) : `${s}`;
};

/** A stretch of time as a clock reads it, "2:10" or "0:45" (a reserve: never "2:10 s"). */
export const clock = (ms: number) => {
  const s = Math.ceil(ms / 1000);
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
};

/** A stretch of time in a sentence: "45 s", or "2:10" from a minute on. */
export const duration = (ms: number) => (Math.ceil(ms / 1000) >= 60 ? clock(ms) : `${Math.ceil(ms / 1000)} s`);

export const ATTRIBUTES = [
  { value: '', label: 'All' },
  { value: 'str', label: 'Strength' },
  { value: 'agi', label: 'Agility' },
  { value: 'int', label: 'Intelligence' },
  { value: 'all', label: 'Universal' },
] as const;

/** One team's side of a finished (or reported) draft: what a compact summary shows. */
export interface DraftSummaryTeam {
  name: string;
  side: 'radiant' | 'dire' | null;
  picks: number[];
  bans: number[];
}
