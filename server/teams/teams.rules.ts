import type { TournamentState } from '../../shared/schemas/tournaments';
import { beforeDrafting } from '../tournaments/tournaments.rules';

/** Teams are set up before the player draft; once drafting starts they are frozen. */
export function teamsEditable(state: TournamentState): boolean {
  return beforeDrafting(state);
}

export const TEAM_NAME_MAX = 60;

/** "Team <captain's display name>", cut to fit the column. */
export function defaultTeamName(captainDisplayName: string): string {
  return `Team ${captainDisplayName}`.slice(0, TEAM_NAME_MAX).trim();
}

/** A new team goes last. */
export function nextDraftOrder(existing: number[]): number {
  return existing.reduce((max, n) => Math.max(max, n), 0) + 1;
}

/**
 * Checks a requested draft order against the tournament's teams: every team exactly once, and
 * nothing else. Returns a message for the first problem found, or null when the order is valid.
 */
export function checkTeamOrder(teamIds: number[], requested: number[]): string | null {
  const known = new Set(teamIds);
  const seen = new Set<number>();
  const twice = new Set<number>();
  const unknown: number[] = [];
  for (const id of requested) {
    if (!known.has(id)) unknown.push(id);
    else if (seen.has(id)) twice.add(id);
    seen.add(id);
  }
  const missing = teamIds.filter((id) => !seen.has(id));
  if (unknown.length) return `not teams of this tournament: ${unknown.join(', ')}`;
  if (twice.size) return `listed more than once: ${[...twice].join(', ')}`;
  if (missing.length) return `the order must list every team once; missing: ${missing.join(', ')}`;
  return null;
}
