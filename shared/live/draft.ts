import type { DraftPickView, DraftRollView, DraftView } from '../schemas/draft';
import { CannotApply, type LiveEvent } from './event';

/**
 * The player draft's events and their one reducer (issue 20). An event carries its effect, not
 * the whole draft: the pick (or the undone pick), the dice it rolled, and the draft's scalar
 * fields as the rules left them (`set`: status, turn, deadline…, a few hundred bytes). Teams'
 * members, totals and the pool's owners follow from the picks, so the reducer derives them as
 * the server does. The server builds its snapshots and the client its copy with `applyDraftEvent`.
 */

/** Every field of the view that is neither a list nor the seq: each event carries them all. */
export type DraftScalars = Pick<
  DraftView,
  'tournamentName' | 'status' | 'style' | 'teamSize' | 'pickSeconds' | 'turn' | 'deadlineAt' | 'pausedRemainingMs' | 'startedAt' | 'completedAt'
>;

export const DRAFT_SCALARS = [
  'tournamentName',
  'status',
  'style',
  'teamSize',
  'pickSeconds',
  'turn',
  'deadlineAt',
  'pausedRemainingMs',
  'startedAt',
  'completedAt',
] as const satisfies readonly (keyof DraftScalars)[];

/** The payload of every player-draft event (besides details such as `changed` or `remainingMs`). */
export interface DraftDelta {
  set: DraftScalars;
  /** draft.picked: the pick made; draft.undone: the pick taken back. */
  pick?: DraftPickView;
  /** Dice rolled by this event to settle a shuffle tie. */
  rolls?: DraftRollView[];
  /**
   * The whole draft, where the event's effect is all of it: draft.opened freezes the teams and
   * the pool as they are. Events logged before deltas (protocol 1) carry it too.
   */
  draft?: DraftView;
}

/** The scalars of a view, as an event carries them. */
export function draftScalars(view: DraftView): DraftScalars {
  const set = {} as Record<keyof DraftScalars, unknown>;
  for (const key of DRAFT_SCALARS) set[key] = view[key];
  return set as DraftScalars;
}

const byRollOrder = (a: DraftRollView, b: DraftRollView) => a.pickNumber - b.pickNumber || a.round - b.round || a.teamId - b.teamId;

/**
 * `view` with the event applied: the draft at the event's seq. `view` is undefined before the
 * room's first event (which carries the whole draft). Throws CannotApply when it does not fit.
 */
export function applyDraftEvent(view: DraftView | undefined, event: LiveEvent): DraftView {
  const delta = event.payload as Partial<DraftDelta> | null;
  if (!delta || typeof delta !== 'object') throw new CannotApply(event, 'no payload');
  if (delta.draft) return { ...delta.draft, seq: event.seq };
  if (!delta.set) throw new CannotApply(event, 'no draft fields');
  if (!view) throw new CannotApply(event, 'no draft to apply it to');
  if (event.seq !== view.seq + 1) throw new CannotApply(event, `the draft is at seq ${view.seq}`);

  let picks = view.picks;
  let rolls = view.rolls;
  switch (event.type) {
    case 'draft.picked':
      if (!delta.pick) throw new CannotApply(event, 'a pick event without its pick');
      if (picks.some((p) => p.pickNumber === delta.pick!.pickNumber || p.userId === delta.pick!.userId)) throw new CannotApply(event, 'pick already applied');
      picks = [...picks, delta.pick];
      break;
    case 'draft.undone': {
      const undone = delta.pick;
      if (!undone || picks.at(-1)?.pickNumber !== undone.pickNumber) throw new CannotApply(event, 'the undone pick is not the last one');
      picks = picks.slice(0, -1);
      // The dice of later turns go with it; the undone turn's own tie stays settled.
      rolls = rolls.filter((r) => r.pickNumber <= undone.pickNumber);
      break;
    }
    case 'draft.restarted':
      picks = [];
      rolls = [];
      break;
  }
  if (delta.rolls?.length) rolls = [...rolls, ...delta.rolls].sort(byRollOrder);
  // A draft back in setup shows no picks: they are void once it opens again.
  if (delta.set.status === 'setup') {
    picks = [];
    rolls = [];
  }
  return withRosters({ ...view, ...delta.set, picks, rolls, seq: event.seq });
}

/** The draft at the last of `events`, replayed from the room's first event. */
export function replayDraft(events: readonly LiveEvent[]): DraftView | undefined {
  return events.reduce<DraftView | undefined>(applyDraftEvent, undefined);
}

/** Teams' members, totals and fullness and the pool's owners, from the picks (as the server derives them). */
function withRosters(view: DraftView): DraftView {
  const poolByUser = new Map(view.pool.map((p) => [p.user.id, p]));
  const teamOf = new Map(view.picks.map((p) => [p.userId, p.teamId]));
  const pool = view.pool.map((p) => {
    const teamId = teamOf.get(p.user.id) ?? null;
    return p.teamId === teamId ? p : { ...p, teamId };
  });
  const teams = view.teams.map((team) => {
    const captain = team.members[0];
    if (!captain) throw new CannotApply(null, `team ${team.id} has no captain`);
    const members = [captain];
    for (const pick of view.picks) {
      if (pick.teamId !== team.id) continue;
      const player = poolByUser.get(pick.userId);
      if (!player) throw new CannotApply(null, `player ${pick.userId} is not in the pool`);
      members.push({ user: player.user, mmr: player.mmr, pickNumber: pick.pickNumber });
    }
    const totalMmr = members.reduce((sum, m) => sum + m.mmr, 0);
    return { ...team, members, totalMmr, full: members.length >= view.teamSize };
  });
  if (view.picks.some((p) => !teams.some((t) => t.id === p.teamId))) throw new CannotApply(null, 'a pick for a team not in the draft');
  return { ...view, teams, pool };
}
