import type { DraftRollView, DraftTeamView, DraftView } from '$shared/schemas/draft';
import { NO_POSITIONS, POSITIONS, type Positions } from '$shared/schemas/users';

/** m:ss (or s) left until a deadline. */
export function timeLeft(deadlineAt: string, serverNow: number): string {
  const s = Math.max(0, Math.ceil((Date.parse(deadlineAt) - serverNow) / 1000));
  return s >= 60 ? `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}` : `${s}s`;
}

/** A roster's coverage: the best rating any member gives each position. */
export function coverage(team: DraftTeamView): Positions {
  const best: Positions = { ...NO_POSITIONS };
  for (const m of team.members) for (const p of POSITIONS) best[p] = Math.max(best[p], m.user.positions[p]);
  return best;
}

/** Rolls of one pick, grouped by round, for the history. */
export function rollRounds(rolls: DraftRollView[], pickNumber: number): DraftRollView[][] {
  const rounds = new Map<number, DraftRollView[]>();
  for (const r of rolls.filter((x) => x.pickNumber === pickNumber)) rounds.set(r.round, [...(rounds.get(r.round) ?? []), r]);
  return [...rounds.keys()].sort((a, b) => a - b).map((k) => rounds.get(k)!);
}

export const STATUS_TEXT: Record<DraftView['status'], string> = {
  setup: 'Being set up',
  open: 'Teams and pool are set: waiting for staff to start',
  running: 'Drafting',
  paused: 'Paused',
  completed: 'Draft complete',
};

export const STYLE_TEXT: Record<DraftView['style'], string> = {
  normal: 'Normal (same order every round)',
  snake: 'Snake (order reverses every round)',
  shuffle: 'Shuffle (lowest total MMR picks next)',
};
