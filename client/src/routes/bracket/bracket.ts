import { winsNeeded } from '$shared/rules/series';
import { type BracketMatch, HERO_DRAFT_RUNNING, type Stage } from '$shared/schemas/brackets';
import { ApiError } from '../../lib/api';

export type { BracketMatch, Stage };

export const FORMAT_LABELS: Record<Stage['format'], string> = {
  single_elimination: 'Single elimination',
  double_elimination: 'Double elimination',
  round_robin: 'Round robin',
  swiss: 'Swiss',
};

export const BRACKET_LABELS: Record<BracketMatch['bracket'], string> = {
  upper: 'Upper bracket',
  lower: 'Lower bracket',
  final: 'Grand final',
  third: 'Third place',
  group: 'Group',
  swiss: 'Swiss',
};

/** What a slot shows: the team, "bye" or "TBD". */
export function slotLabel(match: BracketMatch, side: 'a' | 'b'): string {
  const team = side === 'a' ? match.teamA : match.teamB;
  const slot = side === 'a' ? match.slotA : match.slotB;
  return team ? team.name : slot === 'bye' ? 'bye' : 'TBD';
}

/** Round columns of one part of an elimination bracket, in order. */
export function roundsOf(matches: BracketMatch[], bracket: BracketMatch['bracket']): { round: number; matches: BracketMatch[] }[] {
  const inPart = matches.filter((m) => m.bracket === bracket);
  const rounds = [...new Set(inPart.map((m) => m.round))].sort((a, b) => a - b);
  return rounds.map((round) => ({ round, matches: inPart.filter((m) => m.round === round).sort((a, b) => a.position - b.position) }));
}

export function roundTitle(bracket: BracketMatch['bracket'], round: number, lastRound: number): string {
  if (bracket === 'final') return round === 1 ? 'Grand final' : 'Grand final reset';
  if (bracket === 'third') return 'Third place';
  if (bracket === 'upper' && round === lastRound) return 'Upper final';
  if (bracket === 'lower' && round === lastRound) return 'Lower final';
  return `Round ${round}`;
}

/** A series still waiting for one team whose other team is known: it is up next. */
export const isNext = (m: BracketMatch) => m.status === 'tbd' && (m.teamA !== null || m.teamB !== null);

/** The score that wins a best-of for one side (a quick report). */
export function winningScore(bestOf: number, side: 'a' | 'b'): { scoreA: number; scoreB: number } {
  const need = winsNeeded(bestOf);
  return side === 'a' ? { scoreA: need, scoreB: 0 } : { scoreA: 0, scoreB: need };
}

/** BR9: a result the hub refused because a hero draft of the series is still running. */
export const refusedForRunningDraft = (err: unknown): boolean =>
  err instanceof ApiError && err.code === 'conflict' && err.issues.some((i) => i.code === HERO_DRAFT_RUNNING);
