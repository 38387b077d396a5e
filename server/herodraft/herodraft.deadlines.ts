import type { Deadline } from '../deadlines/deadlines';
import { msOf, turnClock } from './herodraft.load';
import type { HeroDraftCommand } from './herodraft.room';
import { turnDeadline } from './herodraft.rules';

/** Deadline kinds: the step on turn, and a captain's disconnect grace. */
export const STEP_DEADLINE = 'herodraft.step';
export const GRACE_DEADLINE = 'herodraft.grace';

/**
 * Arms or clears the step's and the grace's deadlines for the state the command leaves, set at
 * the room's seq after its event (any later event voids them).
 */
export async function armDeadlines(cmd: HeroDraftCommand, seq: number) {
  const scheduler = cmd.hub.deadlines;
  const d = cmd.rows.draft;
  const clock = d.status === 'drafting' ? turnClock(d) : null;
  if (clock) {
    const deadline: Deadline = { kind: STEP_DEADLINE, room: cmd.room, dueAt: turnDeadline(clock), expectedSeq: seq, payload: { stepIndex: d.stepIndex } };
    await scheduler.set(cmd.tx, deadline);
  } else {
    await scheduler.clear(cmd.tx, STEP_DEADLINE, cmd.room);
  }
  const grace = msOf(d.graceDueAtMs);
  if (grace !== null && d.status === 'drafting') {
    await scheduler.set(cmd.tx, { kind: GRACE_DEADLINE, room: cmd.room, dueAt: grace, expectedSeq: seq, payload: {} });
  } else {
    await scheduler.clear(cmd.tx, GRACE_DEADLINE, cmd.room);
  }
}
