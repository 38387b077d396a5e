import type { Knex } from 'knex';
import { applyDraftEvent, CannotApply, type DraftDelta, draftScalars } from '../../shared/live';
import { rooms } from '../../shared/rooms';
import type { DraftPreview, DraftQueue, DraftView } from '../../shared/schemas/draft';
import { type Actor, requireUser } from '../auth/actor';
import { tags } from '../cache/read-cache';
import { roomTag } from '../commands/command';
import { forbidden } from '../commands/errors';
import { isoTime } from '../db/base.model';
import type { Db } from '../db/knex';
import { serverTimeOf } from '../deadlines/deadlines';
import { RoomEventRow } from '../events/event.model';
import { readConsistently, roomSeq } from '../events/snapshot';
import type { HubServices } from '../services';
import { Team } from '../teams/team.model';
import { findTournament, requireTournamentStaff } from '../tournaments/access';
import { toPublicUser, User } from '../users/user.model';
import { turnDueAt } from './draft.deadlines';
import { draftBoard, draftPosition, type DraftRows, draftStatus, draftStyle, loadDraftRows } from './draft.load';
import { DraftQueueRow } from './draft.model';
import { previewBalance, SHUFFLE_PREVIEW_NOTE } from './draft.rules';

/** The draft's public view at `seq`: what its room's events carry and its snapshot shows. */
export async function buildDraftView(db: Knex, rows: DraftRows, seq: number): Promise<DraftView> {
  const position = draftPosition(rows);
  const status = draftStatus(rows);
  const stale = status === 'setup';
  const userIds = [...new Set([...rows.pool.map((p) => p.userId), ...rows.teams.map((t) => t.captainUserId)])];
  const users = new Map((userIds.length ? await User.query(db).findByIds(userIds) : []).map((u) => [u.id, toPublicUser(u)]));
  const mmr = new Map(rows.pool.map((p) => [p.userId, p.mmr]));
  const picks = stale ? [] : rows.picks;
  const pickOf = new Map(picks.map((p) => [p.userId, p]));
  const captains = new Set(rows.teams.map((t) => t.captainUserId));
  const dueAt = await turnDueAt(db, rooms.draft(rows.tournament.id));
  const byTeam = new Map(position.teams.map((t) => [t.id, t]));

  return {
    tournamentId: rows.tournament.id,
    tournamentName: rows.tournament.name,
    status,
    style: draftStyle(rows),
    teamSize: rows.tournament.teamSize,
    pickSeconds: rows.draft?.pickSeconds ?? null,
    teams: rows.teams.map((team) => {
      const derived = byTeam.get(team.id)!;
      return {
        id: team.id,
        name: team.name,
        draftOrder: team.draftOrder,
        captain: users.get(team.captainUserId)!,
        members: derived.members.map((m) => ({ user: users.get(m.userId)!, mmr: m.mmr, pickNumber: pickOf.get(m.userId)?.pickNumber ?? null })),
        totalMmr: derived.total,
        full: derived.full,
      };
    }),
    pool: rows.pool
      .filter((p) => !captains.has(p.userId))
      .sort((a, b) => b.mmr - a.mmr || a.userId - b.userId)
      .map((p) => ({ user: users.get(p.userId)!, mmr: mmr.get(p.userId)!, teamId: pickOf.get(p.userId)?.teamId ?? null })),
    picks: picks.map((p) => ({
      pickNumber: p.pickNumber,
      teamId: p.teamId,
      userId: p.userId,
      method: p.method,
      byUserId: p.byUserId,
      at: isoTime(p.createdAt),
    })),
    rolls: (stale ? [] : rows.rolls).map((r) => ({ pickNumber: r.pickNumber, round: r.round, teamId: r.teamId, value: r.value })),
    turn: position.turn && { pickNumber: position.turn.pickNumber, teamId: position.turn.teamId, tied: position.turn.tied },
    deadlineAt: dueAt !== null && !stale ? new Date(dueAt).toISOString() : null,
    pausedRemainingMs: rows.draft?.pausedRemainingMs ?? null,
    startedAt: rows.draft?.startedAt ? isoTime(rows.draft.startedAt) : null,
    completedAt: rows.draft?.completedAt ? isoTime(rows.draft.completedAt) : null,
    seq,
  };
}

/**
 * What a draft event carries: its details (the pick, the dice…) and the draft's scalar fields
 * at the event. Opening carries the whole draft, since it freezes the teams and the pool; so
 * does an event in setup (teams and pool change there through the tournament's room), which
 * makes the first event of every draft's log a whole draft. shared/live/draft.ts applies it.
 */
export function draftEventPayload(view: DraftView, type: string, details: Record<string, unknown>): DraftDelta & Record<string, unknown> {
  if (type === 'draft.opened' || view.status === 'setup') return { ...details, set: draftScalars(view), draft: view };
  return { ...details, set: draftScalars(view) };
}

/** The draft's public state and the seq it reflects, read consistently (room snapshot). */
export async function draftSnapshot(db: Db, tournamentId: number): Promise<DraftView> {
  const read = async (trx: Knex.Transaction) => {
    const seq = await roomSeq(trx, rooms.draft(tournamentId));
    return buildDraftView(trx, await loadDraftRows(trx, tournamentId), seq);
  };
  return readConsistently(db, read);
}

/** What changes a draft's public state outside its own room: the tournament (teams, pool, names) and users' names. */
const draftOutsideTags = (tournamentId: number) => [tags.tournament(tournamentId), tags.userList()];

/** What a draft's public state depends on. */
export const draftTags = (tournamentId: number) => [roomTag(rooms.draft(tournamentId)), ...draftOutsideTags(tournamentId)];

/** A base view serves this many of the room's events; then the next is built from the rows. */
const EVENTS_PER_BASE = 64;

/**
 * The draft at its room's head, built with the shared reducer: a base view built from the rows
 * (eight queries and the users), cached under what changes a draft outside its room and under
 * its stretch of EVENTS_PER_BASE seqs, then brought to the head by applying the events logged
 * since (one query). Whatever does not fit (a pruned log, an event the reducer refuses) is
 * built from the rows instead.
 */
async function currentDraft(hub: HubServices, tournamentId: number): Promise<DraftView> {
  const { db } = hub;
  const room = rooms.draft(tournamentId);
  const stretch = Math.floor((await roomSeq(db, room)) / EVENTS_PER_BASE);
  const base = await hub.cache.get(`draft-base:${tournamentId}:${stretch}`, draftOutsideTags(tournamentId), () => draftSnapshot(db, tournamentId));
  return readConsistently(db, async (trx) => {
    const head = await roomSeq(trx, room);
    const build = async () => buildDraftView(trx, await loadDraftRows(trx, tournamentId), head);
    if (head === base.seq) return base;
    if (head < base.seq || head - base.seq > EVENTS_PER_BASE) return build();
    const rows = await RoomEventRow.query(trx).where({ room }).where('seq', '>', base.seq).where('seq', '<=', head).orderBy('seq');
    if (rows.length !== head - base.seq) return build();
    try {
      return rows.reduce<DraftView>((view, row) => applyDraftEvent(view, { seq: Number(row.seq), type: row.type, payload: row.payload }), base);
    } catch (err) {
      if (!(err instanceof CannotApply)) throw err;
      hub.log.warn({ err: err.message, room }, 'draft read: the log did not apply to the cached base; built from the rows');
      return build();
    }
  });
}

/** The REST read: the cached public state plus the hub's clock (for countdowns). */
export async function readDraft(hub: HubServices, tournamentId: number) {
  const view = await hub.cache.get(`draft:${tournamentId}`, draftTags(tournamentId), () => currentDraft(hub, tournamentId));
  return { ...view, serverTime: serverTimeOf(hub) };
}

// The two reads below are not commands: they check who asks themselves.

/** Staff see the predicted totals before starting (normal and snake, greedy captains). */
export async function previewDraft(hub: HubServices, actor: Actor | null, tournamentId: number): Promise<DraftPreview> {
  await requireTournamentStaff(hub.db, actor, tournamentId);
  const board = draftBoard(await loadDraftRows(hub.db, tournamentId));
  const totals = (style: 'normal' | 'snake') => previewBalance(style, board.teamSize, board.teams, board.pool).map(({ teamId, total }) => ({ teamId, total }));
  return { normal: totals('normal'), snake: totals('snake'), shuffle: SHUFFLE_PREVIEW_NOTE };
}

/** A captain's own queue (DR9: nobody else may read it, staff included). */
export async function readQueue(hub: HubServices, actor: Actor | null, tournamentId: number): Promise<DraftQueue> {
  const user = requireUser(actor);
  await findTournament(hub.db, tournamentId);
  const team = await Team.query(hub.db).findOne({ tournamentId, captainUserId: user.id });
  if (!team) throw forbidden('only captains of this tournament have a draft queue');
  const row = await DraftQueueRow.query(hub.db).findById([tournamentId, user.id]);
  return { tournamentId, userIds: row?.playerIds ?? [] };
}
