/**
 * Captains Mode hero draft: pure rules (no I/O, no clock of its own, no randomness of its own).
 *
 * F = the team with first pick, S = the other. Sequences are data; timing is arithmetic on
 * millisecond timestamps the caller passes in. The rules the page applies too (whose turn, used
 * heroes, the turn clock) live in shared/rules/herodraft.ts and are re-exported here.
 */

import { HERO_DRAFT_PRESETS } from '../../shared/schemas/herodraft';
import type { Action, Slot, Step } from '../../shared/rules/herodraft';

export {
  availableHeroes,
  checkHero,
  spend,
  teamOfStep,
  turnDeadline,
  usedHeroes,
  type Action,
  type DoneStep,
  type Slot,
  type Step,
  type TurnClock,
} from '../../shared/rules/herodraft';

export interface Sequence {
  steps: Step[];
  reserveSeconds: number;
}

/** The same list the API accepts. */
export const PRESETS = HERO_DRAFT_PRESETS;
export type Preset = (typeof PRESETS)[number];
export const DEFAULT_PRESET: Preset = '7.40';

/** Phases as in domain.md: action and the teams in order. */
const ORDERS: Record<Preset, [Action, string][]> = {
  '7.40': [
    ['ban', 'FFSSFSS'],
    ['pick', 'FS'],
    ['ban', 'FFS'],
    ['pick', 'SFFSSF'],
    ['ban', 'FSFS'],
    ['pick', 'FS'],
  ],
  '7.34': [
    ['ban', 'FSSFSSF'],
    ['pick', 'FS'],
    ['ban', 'FFS'],
    ['pick', 'SFFSSF'],
    ['ban', 'FSSF'],
    ['pick', 'FS'],
  ],
  '7.30': [
    ['ban', 'FSFS'],
    ['pick', 'FSSF'],
    ['ban', 'FSFSFS'],
    ['pick', 'SFFS'],
    ['ban', 'FSFS'],
    ['pick', 'FS'],
  ],
  '7.00': [
    ['ban', 'FSFS'],
    ['pick', 'FSSF'],
    ['ban', 'SFSF'],
    ['pick', 'SFSF'],
    ['ban', 'SF'],
    ['pick', 'FS'],
  ],
};

export const DEFAULT_TIMING = { firstBanSeconds: 15, stepSeconds: 30, reserveSeconds: 130 };

export interface Timing {
  /** Seconds of each step in the first ban phase. */
  firstBanSeconds: number;
  /** Seconds of every other step. */
  stepSeconds: number;
  reserveSeconds: number;
}

/** A preset's steps with per-step time: the first ban phase gets firstBanSeconds. */
export function buildSequence(preset: Preset, timing: Timing = DEFAULT_TIMING): Sequence {
  const steps: Step[] = [];
  ORDERS[preset].forEach(([action, teams], phase) => {
    for (const team of teams) {
      steps.push({ team: team as Slot, action, seconds: phase === 0 ? timing.firstBanSeconds : timing.stepSeconds });
    }
  });
  return { steps, reserveSeconds: timing.reserveSeconds };
}

// ------------------------------------------------------------------ coin toss and choices

export type Side = 'radiant' | 'dire';
export type Order = 'first' | 'second';
export type ChoiceKind = 'order' | 'side';
export interface Choice {
  kind: ChoiceKind;
  value: Order | Side;
}

/** A random source: an integer in [0, n). Injected so tests are reproducible. */
export interface RandomSource {
  int(n: number): number;
}

/** The toss: one of the two teams, index 0 or 1. */
export const coinToss = (random: RandomSource): 0 | 1 => (random.int(2) === 0 ? 0 : 1);

export interface ChoiceState {
  /** Index (0/1) of the toss winner. */
  tossWinner: 0 | 1;
  winnerChoice: Choice | null;
  loserChoice: Choice | null;
}

/**
 * CM2: whose choice is due and which kinds it may take. The winner picks one kind (and its
 * value); the loser gets only the remaining kind. null once both are made.
 */
export function choiceDue(s: ChoiceState): { team: 0 | 1; kinds: ChoiceKind[] } | null {
  if (!s.winnerChoice) return { team: s.tossWinner, kinds: ['order', 'side'] };
  if (!s.loserChoice) return { team: s.tossWinner === 0 ? 1 : 0, kinds: [s.winnerChoice.kind === 'order' ? 'side' : 'order'] };
  return null;
}

export function checkChoice(s: ChoiceState, team: 0 | 1, choice: Choice): string | null {
  const due = choiceDue(s);
  if (!due) return 'both choices have been made';
  if (due.team !== team)
    return s.winnerChoice ? 'the coin toss winner has already chosen; the other captain chooses now' : 'the coin toss winner chooses first';
  if (!due.kinds.includes(choice.kind)) return `only the remaining choice (${due.kinds.join('')}) is left`;
  const valid = choice.kind === 'order' ? ['first', 'second'] : ['radiant', 'dire'];
  if (!valid.includes(choice.value)) return `a ${choice.kind} choice is ${valid.join(' or ')}`;
  return null;
}

/** Both choices made: which team index has first pick and which plays Radiant. */
export function settleChoices(s: ChoiceState): { firstPick: 0 | 1; radiant: 0 | 1 } {
  const loser: 0 | 1 = s.tossWinner === 0 ? 1 : 0;
  const mine = (c: Choice, team: 0 | 1, want: string): 0 | 1 => (c.value === want ? team : team === 0 ? 1 : 0);
  const orderChoice = s.winnerChoice!.kind === 'order' ? { c: s.winnerChoice!, t: s.tossWinner } : { c: s.loserChoice!, t: loser };
  const sideChoice = s.winnerChoice!.kind === 'side' ? { c: s.winnerChoice!, t: s.tossWinner } : { c: s.loserChoice!, t: loser };
  return { firstPick: mine(orderChoice.c, orderChoice.t, 'first'), radiant: mine(sideChoice.c, sideChoice.t, 'radiant') };
}

// ------------------------------------------------------------------ steps (CM3 is in shared/rules)

/** CM5: on timeout a ban is skipped (null) and a pick is a random available hero. */
export function timeoutChoice(action: Action, available: number[], random: RandomSource): number | null {
  if (action === 'ban' || available.length === 0) return null;
  return available[random.int(available.length)]!;
}

// ------------------------------------------------------------------ timing

/** A penalty: reserve never goes below zero. */
export const deduct = (reserveMs: number, ms: number) => Math.max(0, reserveMs - ms);
