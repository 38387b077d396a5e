/**
 * Stage-level rules, pure: which best-of applies to a round, which formats allow draws, and
 * the checks on a new stage before anything is written.
 */
import type { BestOf } from '../../shared/rules/series';
import type { Bracket, EliminationOptions } from './elimination';

export type Format = 'single_elimination' | 'double_elimination' | 'round_robin' | 'swiss';

export interface StageRules {
  bestOf: BestOf;
  bestOfByRound: Record<string, BestOf>;
  thirdPlace: boolean;
  grandFinalReset: boolean;
  groups: number;
  stopAt: number;
  allowDraws: boolean;
}

export const isElimination = (format: Format) => format === 'single_elimination' || format === 'double_elimination';

/** U3, L4, GF, 3RD for elimination rounds; R2 for group and Swiss rounds. */
export function roundKey(bracket: Bracket | 'group' | 'swiss', round: number): string {
  switch (bracket) {
    case 'upper':
      return `U${round}`;
    case 'lower':
      return `L${round}`;
    case 'final':
      return 'GF';
    case 'third':
      return '3RD';
    default:
      return `R${round}`;
  }
}

export function bestOfFor(rules: Pick<StageRules, 'bestOf' | 'bestOfByRound'>, key: string): BestOf {
  return rules.bestOfByRound[key] ?? rules.bestOf;
}

/** Only round robin and Swiss may end a Bo2 1–1, and only when the stage says so. */
export function drawsAllowed(format: Format, rules: Pick<StageRules, 'allowDraws'>): boolean {
  return !isElimination(format) && rules.allowDraws;
}

export function eliminationOptions(format: Format, rules: Pick<StageRules, 'thirdPlace' | 'grandFinalReset'>): EliminationOptions {
  const double = format === 'double_elimination';
  return { double, thirdPlace: !double && rules.thirdPlace, grandFinalReset: double && rules.grandFinalReset };
}

/** Problems with a new stage, or null. */
export function checkStage(format: Format, teamCount: number, rules: StageRules): string | null {
  if (teamCount < 2) return 'a stage needs at least two teams';
  if (teamCount > 64) return 'a stage has at most 64 teams';
  const bestOfs = [rules.bestOf, ...Object.values(rules.bestOfByRound)];
  if (isElimination(format)) {
    if (bestOfs.includes(2)) return 'a best of 2 can end in a draw: elimination series need a winner (use 1, 3 or 5)';
    if (rules.allowDraws) return 'draws are only for round robin and Swiss';
  }
  if (format === 'round_robin' && rules.groups > Math.floor(teamCount / 2)) return `${teamCount} teams cannot fill ${rules.groups} groups of at least two`;
  if (rules.allowDraws && !bestOfs.includes(2)) return 'draws need a best of 2 somewhere in the stage';
  return null;
}
