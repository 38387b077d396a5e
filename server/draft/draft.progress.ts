import { rooms } from '../../shared/rooms';
import type { DraftStatus, DraftView, PickMethod } from '../../shared/schemas/draft';
import { conflict } from '../commands/errors';
import { isoTime } from '../db/base.model';
import { type RoomCommand, roomCommands } from '../commands/room-command';
import { listTeams } from '../teams/teams.queries';
import { touchTournament } from '../tournaments/access';
import { announceTeamsFinal } from '../discord/notices';
import { queueDiscord } from '../discord/outbox';
import { clearTurnDeadline, setTurnDeadline } from './draft.deadlines';
import { DEFAULT_STYLE, draftBoard, type DraftRows, draftStatus, loadDraftRows } from './draft.load';
import { Draft, DraftPickRow, DraftRollRow } from './draft.model';
import { type DraftPosition, settle } from './draft.rules';
import { buildDraftView, draftEventPayload } from './draft.view';

/** A command on a player draft; its id is the tournament's. */
export type DraftCommand = RoomCommand<DraftRows>;

export const draftRoom = roomCommands<DraftRows, DraftView>({
  name: 'the draft',
  roomOf: rooms.draft,
  load: loadDraftRows,
  status: draftStatus,
  view: buildDraftView,
  payload: draftEventPayload,
});

/** 409 unless the draft is in one of `allowed`, and in a tournament that is drafting once opened. */
export function requireDraftStatus(cmd: DraftCommand, allowed: DraftStatus[], doing: string) {
  const status = draftStatus(cmd.rows);
  if (status === 'completed' && !allowed.includes(status)) throw conflict(`the draft is completed and the teams are final: cannot ${doing}`);
  draftRoom.requireStatus(cmd, allowed, doing);
  // Staff could move the tournament out of 'drafting' by hand: then teams and pool may change.
  if (status !== 'setup' && cmd.rows.tournament.state !== 'drafting') {
    throw conflict(`the tournament is '${cmd.rows.tournament.state}', not 'drafting': reopen the draft first`);
  }
}

export async function patchDraft(cmd: DraftCommand, changes: Partial<Draft>) {
  cmd.stale = true;
  await Draft.query(cmd.tx.db)
    .findById(cmd.id)
    .patch({ ...changes, updatedAt: new Date().toISOString() });
}

export async function ensureDraftRow(cmd: DraftCommand) {
  cmd.stale = true;
  if (!cmd.rows.draft) await cmd.tx.db('drafts').insert({ tournamentId: cmd.id, style: DEFAULT_STYLE, status: 'setup' });
}

async function insertRolls(cmd: DraftCommand, rolls: { pickNumber: number; round: number; teamId: number; value: number }[]) {
  if (rolls.length === 0) return;
  const rows = rolls.map((r) => ({ tournamentId: cmd.id, ...r }));
  await cmd.tx.db('draft_rolls').insert(rows);
  // Kept in `rows` as loadDraftRows orders them, so a pick's event needs no second read.
  cmd.rows.rolls.push(...rows.map((row) => Object.assign(new DraftRollRow(), row)));
  cmd.rows.rolls.sort((a, b) => a.pickNumber - b.pickNumber || a.round - b.round || a.teamId - b.teamId);
}

/**
 * After the position changed (start, pick, undo, resume): settle a shuffle tie with dice,
 * complete the draft when nothing is left to pick, else arm the turn's timer. Emits `type`
 * (and `draft.completed` when it completed).
 */
export async function continueDraft(cmd: DraftCommand, type: string, details: Record<string, unknown>, timerMs?: number): Promise<DraftView> {
  const { position, rolls } = settle(draftBoard(cmd.rows), cmd.hub.random);
  await insertRolls(cmd, rolls);
  if (position.complete) {
    await completeDraft(cmd, position);
    await draftRoom.emitWithView(cmd, type, { ...details, rolls });
    return draftRoom.emitWithView(cmd, 'draft.completed', { teams: position.teams.map((t) => ({ id: t.id, totalMmr: t.total })) });
  }
  const status = draftStatus(cmd.rows);
  const seconds = cmd.rows.draft?.pickSeconds ?? null;
  const captain = status === 'running' ? cmd.rows.teams.find((t) => t.id === position.turn?.teamId)?.captainUserId : undefined;
  if (captain !== undefined) {
    const content = `Your turn to pick in the player draft of ${cmd.rows.tournament.name} (pick ${position.turn!.pickNumber}).`;
    await queueDiscord(cmd.tx, cmd.hub.config, { kind: 'draft.turn', to: { dm: captain }, content, path: `/tournaments/${cmd.id}/draft` });
  }
  if (status === 'running' && seconds !== null) {
    await setTurnDeadline(cmd, position.turn!.pickNumber, timerMs ?? seconds * 1000, cmd.seq + 1);
  } else {
    await clearTurnDeadline(cmd);
  }
  return draftRoom.emitWithView(cmd, type, { ...details, rolls });
}

/** DR8: the draft ends; the drafted players become the teams' members. */
async function completeDraft(cmd: DraftCommand, position: DraftPosition) {
  const tournamentId = cmd.id;
  await clearTurnDeadline(cmd);
  await patchDraft(cmd, { status: 'completed', completedAt: new Date().toISOString(), pausedRemainingMs: null });
  const picks = await DraftPickRow.query(cmd.tx.db).where({ tournamentId });
  if (picks.length > 0) {
    await cmd.tx.db('team_members').insert(picks.map((p) => ({ teamId: p.teamId, tournamentId, userId: p.userId, pickNumber: p.pickNumber })));
  }
  const tournamentRoom = rooms.tournament(tournamentId);
  await cmd.tx.lock(tournamentRoom);
  const teams = await listTeams(cmd.tx.db, tournamentId);
  await cmd.tx.emit(tournamentRoom, 'teams.drafted', { teams, complete: position.complete });
  await announceTeamsFinal(cmd.tx, cmd.hub.config, cmd.rows.tournament, teams);
  touchTournament(cmd.tx, tournamentId);
}

export interface Pick {
  pickNumber: number;
  teamId: number;
  userId: number;
  method: PickMethod;
  byUserId: number | null;
}

export async function recordPick(cmd: DraftCommand, pick: Pick) {
  const row = { tournamentId: cmd.id, ...pick, createdAt: new Date().toISOString() };
  await cmd.tx.db('draft_picks').insert(row);
  // Picks are in pick order, and this one is the latest: `rows` stay current without a read.
  cmd.rows.picks.push(Object.assign(new DraftPickRow(), row));
  return continueDraft(cmd, 'draft.picked', { pick: { ...pick, at: isoTime(row.createdAt) } });
}
