import { TOURNAMENT_STATES, type TournamentState } from '../../shared/schemas/tournaments';

/** The outcome of a pure rule: allowed (maybe with nothing to do), or refused with a reason. */
export type Verdict = { ok: true; changed: boolean } | { ok: false; reason: string };

/**
 * A tournament moves one step at a time along draft → registration → drafting → playing →
 * finished, forward or back (back lets staff undo a premature step). Asking for the state it
 * is already in changes nothing, so a client may send a whole form back unchanged.
 */
export function checkStateChange(from: TournamentState, to: TournamentState): Verdict {
  if (from === to) return { ok: true, changed: false };
  const distance = TOURNAMENT_STATES.indexOf(to) - TOURNAMENT_STATES.indexOf(from);
  if (distance === 1 || distance === -1) return { ok: true, changed: true };
  const allowed = neighbours(from)
    .map((s) => `'${s}'`)
    .join(' or ');
  return { ok: false, reason: `a tournament in '${from}' can only move one step, to ${allowed}, not to '${to}'` };
}

function neighbours(state: TournamentState): TournamentState[] {
  const i = TOURNAMENT_STATES.indexOf(state);
  return [TOURNAMENT_STATES[i - 1], TOURNAMENT_STATES[i + 1]].filter((s): s is TournamentState => s !== undefined);
}

/**
 * Before the player draft ('draft' or 'registration'): the pool, the teams and the team size may
 * still change. Moving back from 'drafting' makes this true again.
 */
export function beforeDrafting(state: TournamentState): boolean {
  return TOURNAMENT_STATES.indexOf(state) < TOURNAMENT_STATES.indexOf('drafting');
}

/** Team size shapes the draft: it is fixed once the player draft starts. */
export function checkTeamSizeChange(state: TournamentState, from: number, to: number): Verdict {
  if (from === to) return { ok: true, changed: false };
  if (beforeDrafting(state)) return { ok: true, changed: true };
  return { ok: false, reason: `the team size cannot change once the tournament is '${state}' (only in 'draft' or 'registration')` };
}

/** A tournament that has started playing keeps its history: it can no longer be deleted. */
export function checkDeletable(state: TournamentState): Verdict {
  if (state === 'playing' || state === 'finished') {
    return { ok: false, reason: `a tournament that is '${state}' cannot be deleted` };
  }
  return { ok: true, changed: true };
}

/**
 * Final placements are results: staff set them once the tournament is playing or finished
 * (BR10). Before that no series can have been played, so a placement could only be a guess.
 */
export function checkPlacementsSettable(state: TournamentState): Verdict {
  if (state === 'playing' || state === 'finished') return { ok: true, changed: true };
  return {
    ok: false,
    reason: `final placements are set once the tournament is playing or finished; it is '${state}' (move it to 'playing' first)`,
  };
}
