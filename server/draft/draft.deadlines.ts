import type { Knex } from 'knex';
import type { Deadline } from '../deadlines/deadlines';
import type { DraftCommand } from './draft.progress';

/** The deadline kind of a player-draft turn. */
export const TURN_DEADLINE = 'draft.turn';

/** When the turn's timer runs out (ms), if one is armed. */
export async function turnDueAt(db: Knex, room: string): Promise<number | null> {
  const row = await db('deadlines').where({ kind: TURN_DEADLINE, room }).first('dueAtMs');
  return row ? Number(row.dueAtMs) : null;
}

/** Arms the timer of the turn that is now on, to be void once the room moves past `expectedSeq`. */
export async function setTurnDeadline(cmd: DraftCommand, pickNumber: number, ms: number, expectedSeq: number) {
  const deadline: Deadline = { kind: TURN_DEADLINE, room: cmd.room, dueAt: cmd.hub.clock.now() + ms, expectedSeq, payload: { pickNumber } };
  await cmd.hub.deadlines.set(cmd.tx, deadline);
}

export const clearTurnDeadline = (cmd: DraftCommand) => cmd.hub.deadlines.clear(cmd.tx, TURN_DEADLINE, cmd.room);

/** What is left of the turn's time (ms), or null when no timer runs. */
export async function turnTimeLeft(cmd: DraftCommand): Promise<number | null> {
  const deadline = await cmd.hub.deadlines.get(cmd.tx.db, TURN_DEADLINE, cmd.room);
  return deadline ? Math.max(0, deadline.dueAt - cmd.hub.clock.now()) : null;
}
