import { rooms } from '../../shared/rooms';
import type { HeroDraftView } from '../../shared/schemas/herodraft';
import type { Actor } from '../auth/actor';
import { type RoomCommand, roomCommands } from '../commands/room-command';
import { armDeadlines } from './herodraft.deadlines';
import { actingTeam, captainTeam, type HeroDraftRows, loadHeroDraftRows, reserveColumn, turnClock } from './herodraft.load';
import { HeroDraft } from './herodraft.model';
import { spend } from './herodraft.rules';
import { buildHeroDraftView, heroDraftEventPayload } from './herodraft.view';

/** A command on a hero draft. */
export type HeroDraftCommand = RoomCommand<HeroDraftRows>;

export const heroDraftRoom = roomCommands<HeroDraftRows, HeroDraftView>({
  name: 'the hero draft',
  roomOf: rooms.heroDraft,
  load: loadHeroDraftRows,
  status: (rows) => rows.draft.status,
  view: (_db, rows, seq) => buildHeroDraftView(rows, seq),
  payload: heroDraftEventPayload,
  // Every event voids the deadlines set before it: each is set again for the state it leaves.
  afterEmit: armDeadlines,
});

/**
 * Writes changes to the draft row and applies them to the loaded rows, which the command's
 * answer and event are built from (reloading the draft, its teams, steps and captains after
 * every write cost five queries). herodraft.state.test.ts checks the two never drift apart.
 */
export async function patchHeroDraft(cmd: HeroDraftCommand, changes: Partial<HeroDraft>) {
  const updatedAt = new Date().toISOString();
  await HeroDraft.query(cmd.tx.db)
    .findById(cmd.id)
    .patch({ ...changes, updatedAt } as never);
  Object.assign(cmd.rows.draft, changes, { updatedAt });
}

/**
 * The team (0/1) of the captain running a captains' command. Its authority admits only the
 * two captains, and a draft's captains never change: anyone else here is a bug in the table.
 */
export function teamOfCaptain(cmd: HeroDraftCommand, actor: Actor): 0 | 1 {
  const team = captainTeam(cmd.rows, actor.id);
  if (team === null) throw new Error(`user ${actor.id} is not a captain of hero draft ${cmd.id}: the command's authority let them in`);
  return team;
}

/**
 * A draft's creation and the changes to its result are also events of the tournament room:
 * the bracket page and the tournament's draft list follow that room.
 */
export async function announceToTournament(cmd: HeroDraftCommand, type: string) {
  const d = cmd.rows.draft;
  await cmd.tx.emit(rooms.tournament(d.tournamentId), type, {
    heroDraftId: d.id,
    bracketMatchId: d.bracketMatchId,
    gameNumber: d.gameNumber,
    status: d.status,
  });
}

/** The stored state at `now` when a turn stops counting (pause): what is left is kept. */
export async function stopClock(cmd: HeroDraftCommand) {
  const d = cmd.rows.draft;
  const clock = turnClock(d);
  const team = actingTeam(d);
  if (!clock || team === null) return;
  const left = spend(clock, cmd.now);
  await patchHeroDraft(cmd, { stepMs: left.stepMs, [reserveColumn(team)]: left.reserveMs, turnStartedAtMs: null });
}

/** CM6: nobody is charged while paused. */
export async function pauseNow(cmd: HeroDraftCommand, reason: string | null) {
  await stopClock(cmd);
  await patchHeroDraft(cmd, { status: 'paused', pauseReason: reason, resumeVotes: [], graceDueAtMs: null });
  return heroDraftRoom.emitWithView(cmd, 'herodraft.paused', { reason });
}
