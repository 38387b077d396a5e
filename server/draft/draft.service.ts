import { rooms } from '../../shared/rooms';
import { queueDiscord } from '../discord/outbox';
import type { DraftQueue, DraftSettings, DraftView, PickMethod } from '../../shared/schemas/draft';
import type { Actor } from '../auth/actor';
import type { CommandTx } from '../commands/command';
import { conflict, forbidden, notFound } from '../commands/errors';
import type { Deadline } from '../deadlines/deadlines';
import type { HubServices } from '../services';
import { isTournamentStaff, touchTournament } from '../tournaments/access';
import { toTournament, Tournament } from '../tournaments/tournament.model';
import { beforeDrafting, checkTeamSizeChange } from '../tournaments/tournaments.rules';
import { clearTurnDeadline, TURN_DEADLINE, turnTimeLeft } from './draft.deadlines';
import { draftBoard, draftStatus, draftStyle } from './draft.load';
import { Draft, DraftQueueRow } from './draft.model';
import { continueDraft, draftRoom, ensureDraftRow, patchDraft, recordPick, requireDraftStatus } from './draft.progress';
import { autoPickChoice, checkPick, derivePosition, undoLastPick } from './draft.rules';
import { buildDraftView } from './draft.view';

// Who may run each command is the command table's (draft.commands.ts); these check the draft's rules.

type Control = { expectedSeq?: number | undefined };

/** Staff set the style, team size (before opening) and pick timer (before starting). */
export function configureDraft(hub: HubServices, actor: Actor, tournamentId: number, input: DraftSettings & Control): Promise<DraftView> {
  return draftRoom.run(hub, actor, tournamentId, input.expectedSeq, async (cmd) => {
    const { tx, rows } = cmd;
    requireDraftStatus(cmd, ['setup', 'open'], 'change the settings');
    await ensureDraftRow(cmd);
    const changed: string[] = [];
    if (input.teamSize !== undefined && input.teamSize !== rows.tournament.teamSize) {
      const verdict = checkTeamSizeChange(rows.tournament.state, rows.tournament.teamSize, input.teamSize);
      if (!verdict.ok) throw conflict(verdict.reason);
      const room = rooms.tournament(tournamentId);
      await tx.lock(room);
      const row = await Tournament.query(tx.db).patchAndFetchById(tournamentId, { teamSize: input.teamSize });
      await tx.emit(room, 'tournament.updated', { tournament: toTournament(row), changed: ['teamSize'] });
      touchTournament(tx, tournamentId);
      changed.push('teamSize');
    }
    const changes: Partial<Draft> = {};
    if (input.style !== undefined && input.style !== draftStyle(rows)) changes.style = input.style;
    if (input.pickSeconds !== undefined && input.pickSeconds !== (rows.draft?.pickSeconds ?? null)) changes.pickSeconds = input.pickSeconds;
    changed.push(...Object.keys(changes));
    if (changed.length === 0 && rows.draft) return buildDraftView(tx.db, rows, cmd.seq);
    await patchDraft(cmd, changes);
    return draftRoom.emitWithView(cmd, 'draft.configured', { changed });
  });
}

/** Staff open the draft: teams and pool freeze (the tournament moves to 'drafting'). */
export function openDraft(hub: HubServices, actor: Actor, tournamentId: number, input: Control = {}): Promise<DraftView> {
  return draftRoom.run(hub, actor, tournamentId, input.expectedSeq, async (cmd) => {
    const { tx } = cmd;
    requireDraftStatus(cmd, ['setup'], 'open the draft');
    const { tournament, teams } = cmd.rows;
    if (!beforeDrafting(tournament.state)) {
      throw conflict(`a tournament that is '${tournament.state}' cannot open a player draft`);
    }
    if (teams.length < 2) throw conflict(`a draft needs at least two teams (this tournament has ${teams.length})`);
    await ensureDraftRow(cmd);
    // Back from a return to setup: what was picked before no longer counts.
    await tx.db('draft_picks').where({ tournamentId }).delete();
    await tx.db('draft_rolls').where({ tournamentId }).delete();
    await clearTurnDeadline(cmd);
    await patchDraft(cmd, { status: 'open', startedAt: null, pausedRemainingMs: null });
    const room = rooms.tournament(tournamentId);
    await tx.lock(room);
    const row = await Tournament.query(tx.db).patchAndFetchById(tournamentId, { state: 'drafting' });
    await tx.emit(room, 'tournament.stateChanged', { from: tournament.state, to: 'drafting', tournament: toTournament(row) });
    touchTournament(tx, tournamentId);
    return draftRoom.emitWithView(cmd, 'draft.opened');
  });
}

export function startDraft(hub: HubServices, actor: Actor, tournamentId: number, input: Control = {}): Promise<DraftView> {
  return draftRoom.run(hub, actor, tournamentId, input.expectedSeq, async (cmd) => {
    requireDraftStatus(cmd, ['open'], 'start the draft');
    await patchDraft(cmd, { status: 'running', startedAt: new Date().toISOString(), pausedRemainingMs: null });
    cmd.rows.draft!.status = 'running';
    const announce = `The player draft of ${cmd.rows.tournament.name} has started: watch it live.`;
    await queueDiscord(cmd.tx, hub.config, {
      kind: 'draft.started',
      to: { channel: 'announce' },
      content: announce,
      path: `/tournaments/${tournamentId}/draft`,
    });
    return continueDraft(cmd, 'draft.started', {});
  });
}

export function pauseDraft(hub: HubServices, actor: Actor, tournamentId: number, input: Control = {}): Promise<DraftView> {
  return draftRoom.run(hub, actor, tournamentId, input.expectedSeq, async (cmd) => {
    requireDraftStatus(cmd, ['running'], 'pause the draft');
    const remaining = await turnTimeLeft(cmd);
    await clearTurnDeadline(cmd);
    await patchDraft(cmd, { status: 'paused', pausedRemainingMs: remaining });
    return draftRoom.emitWithView(cmd, 'draft.paused', { remainingMs: remaining });
  });
}

/** The turn gets back the time it had left when paused. */
export function resumeDraft(hub: HubServices, actor: Actor, tournamentId: number, input: Control = {}): Promise<DraftView> {
  return draftRoom.run(hub, actor, tournamentId, input.expectedSeq, async (cmd) => {
    requireDraftStatus(cmd, ['paused'], 'resume the draft');
    const remaining = cmd.rows.draft!.pausedRemainingMs;
    await patchDraft(cmd, { status: 'running', pausedRemainingMs: null });
    cmd.rows.draft!.status = 'running';
    return continueDraft(cmd, 'draft.resumed', {}, remaining ?? undefined);
  });
}

/** DR6: the last pick goes back to the pool and its team is on turn again, with a fresh timer. */
export function undoPick(hub: HubServices, actor: Actor, tournamentId: number, input: Control = {}): Promise<DraftView> {
  return draftRoom.run(hub, actor, tournamentId, input.expectedSeq, async (cmd) => {
    const { tx } = cmd;
    requireDraftStatus(cmd, ['running', 'paused'], 'undo a pick');
    const undone = undoLastPick(draftBoard(cmd.rows));
    if (!undone) throw conflict('there is no pick to undo');
    const { pickNumber } = undone.undone;
    await tx.db('draft_picks').where({ tournamentId, pickNumber }).delete();
    await tx.db('draft_rolls').where({ tournamentId }).where('pickNumber', '>', pickNumber).delete();
    if (draftStatus(cmd.rows) === 'paused') {
      const seconds = cmd.rows.draft!.pickSeconds;
      await patchDraft(cmd, { pausedRemainingMs: seconds === null ? null : seconds * 1000 });
    }
    await draftRoom.reload(cmd);
    return continueDraft(cmd, 'draft.undone', { pick: undone.undone });
  });
}

/** Every pick and roll goes; the draft is open again, to be started anew. */
export function restartDraft(hub: HubServices, actor: Actor, tournamentId: number, input: Control = {}): Promise<DraftView> {
  return draftRoom.run(hub, actor, tournamentId, input.expectedSeq, async (cmd) => {
    const { tx } = cmd;
    requireDraftStatus(cmd, ['open', 'running', 'paused'], 'restart the draft');
    await tx.db('draft_picks').where({ tournamentId }).delete();
    await tx.db('draft_rolls').where({ tournamentId }).delete();
    await clearTurnDeadline(cmd);
    await patchDraft(cmd, { status: 'open', startedAt: null, pausedRemainingMs: null });
    return draftRoom.emitWithView(cmd, 'draft.restarted');
  });
}

/**
 * DR3: the captain on turn, or staff on their behalf (recorded as such), picks a player still
 * in the pool. `pickNumber` makes a pick once per turn: a second click, a second tab or staff
 * racing the captain gets 409.
 */
export function pickPlayer(hub: HubServices, actor: Actor, tournamentId: number, input: { userId: number; pickNumber: number }): Promise<DraftView> {
  return draftRoom.run(hub, actor, tournamentId, undefined, async (cmd) => {
    const { rows } = cmd;
    requireDraftStatus(cmd, ['running'], 'pick');
    const position = derivePosition(draftBoard(rows));
    const turn = position.turn!;
    if (input.pickNumber !== turn.pickNumber) {
      throw conflict(`pick ${input.pickNumber} has already been made: it is now pick ${turn.pickNumber}`);
    }
    const onTurn = rows.teams.find((t) => t.id === turn.teamId)!;
    // A captain picks for their own team only; staff pick for whichever team is on turn.
    const method: PickMethod = onTurn.captainUserId === actor.id ? 'captain' : 'staff';
    if (method === 'staff' && !(await isTournamentStaff(cmd.tx.db, actor, tournamentId))) throw forbidden(`it is ${onTurn.name}'s turn, not yours`);
    if (!rows.pool.some((p) => p.userId === input.userId)) throw notFound(`player ${input.userId} in the pool of this tournament`);
    if (rows.teams.some((t) => t.captainUserId === input.userId)) throw conflict('that player is a captain');
    const problem = checkPick(position, input.pickNumber, input.userId);
    if (problem) throw conflict(problem === 'that player is not available' ? 'that player has already been picked' : problem);
    return recordPick(cmd, { pickNumber: turn.pickNumber, teamId: onTurn.id, userId: input.userId, method, byUserId: actor.id });
  });
}

/** DR7: the turn's time is up: the captain's first queued player still available, else the highest MMR. */
async function expireTurn(hub: HubServices, tx: CommandTx, deadline: Deadline) {
  const tournamentId = Number(deadline.room.slice(deadline.room.indexOf(':') + 1));
  // Deleted with its timer running: nothing to pick for (the deadline row goes with this command).
  if (!(await Tournament.query(tx.db).findById(tournamentId))) return;
  const cmd = await draftRoom.begin(hub, tx, tournamentId);
  if (draftStatus(cmd.rows) !== 'running' || cmd.rows.tournament.state !== 'drafting') return;
  const position = derivePosition(draftBoard(cmd.rows));
  const turn = position.turn;
  if (!turn || turn.teamId === null || turn.pickNumber !== (deadline.payload as { pickNumber?: number }).pickNumber) return;
  const team = cmd.rows.teams.find((t) => t.id === turn.teamId)!;
  const queue = await DraftQueueRow.query(tx.db).findById([tournamentId, team.captainUserId]);
  const choice = autoPickChoice(position.available, queue?.playerIds ?? []);
  if (!choice) return;
  await recordPick(cmd, { pickNumber: turn.pickNumber, teamId: team.id, userId: choice.userId, method: 'auto', byUserId: null });
}

/** Wires the pick timer's expiry into the hub's deadline scheduler. */
export function registerDraftDeadlines(hub: HubServices) {
  hub.deadlines.register(TURN_DEADLINE, (tx, deadline) => expireTurn(hub, tx, deadline));
}

/**
 * DR9: a captain's private wish list for auto-pick. Only pool players (not captains); picked
 * ones may stay in it and are passed over. Sent to the captain's own room, never the draft's.
 */
export function setQueue(hub: HubServices, actor: Actor, tournamentId: number, input: { userIds: number[] }): Promise<DraftQueue> {
  // The draft room's lock orders this with auto-picks that read the queue.
  return draftRoom.run(hub, actor, tournamentId, undefined, async (cmd) => {
    const { tx } = cmd;
    requireDraftStatus(cmd, ['setup', 'open', 'running', 'paused'], 'change your queue');
    const userIds = [...new Set(input.userIds)];
    const captains = new Set(cmd.rows.teams.map((t) => t.captainUserId));
    const pool = new Set(cmd.rows.pool.map((p) => p.userId));
    const bad = userIds.filter((id) => !pool.has(id) || captains.has(id));
    if (bad.length > 0) throw conflict(`not players of this draft's pool: ${bad.join(', ')}`);
    await ensureDraftRow(cmd);
    await tx
      .db('draft_queues')
      .insert({ tournamentId, userId: actor.id, playerIds: JSON.stringify(userIds) })
      .onConflict(['tournamentId', 'userId'])
      .merge();
    const queue = { tournamentId, userIds };
    await tx.emit(rooms.user(actor.id), 'draft.queue', queue);
    return queue;
  });
}
