import type { Knex } from 'knex';
import { rooms } from '../../shared/rooms';
import type { DraftPreview, DraftQueue, DraftSettings, DraftStatus, DraftStyle, DraftView, PickMethod } from '../../shared/schemas/draft';
import { type Actor, requireUser } from '../auth/actor';
import { tags } from '../cache/read-cache';
import { type CommandTx, roomTag } from '../commands/command';
import { isoTime } from '../db/base.model';
import type { Db } from '../db/knex';
import { readConsistently, roomSeq } from '../events/snapshot';
import { serverTimeOf, type Deadline } from '../deadlines/deadlines';
import { conflict, forbidden, notFound } from '../commands/errors';
import { PoolPlayer } from '../pool/pool-player.model';
import type { HubServices } from '../services';
import { Team } from '../teams/team.model';
import { listTeams } from '../teams/teams.queries';
import { findTournament, isTournamentStaff, requireTournamentStaff, touchTournament } from '../tournaments/access';
import { toTournament, Tournament } from '../tournaments/tournament.model';
import { beforeDrafting, checkTeamSizeChange } from '../tournaments/tournaments.rules';
import { toPublicUser, User } from '../users/user.model';
import {
  autoPickChoice,
  checkPick,
  derivePosition,
  type DraftBoard,
  type DraftPosition,
  previewBalance,
  settle,
  SHUFFLE_PREVIEW_NOTE,
  storedRosters,
  undoLastPick,
} from './draft.rules';
import { Draft, DraftPickRow, DraftQueueRow, DraftRollRow } from './draft.model';

/** The deadline kind of a player-draft turn. */
export const TURN_DEADLINE = 'draft.turn';
const DEFAULT_STYLE: DraftStyle = 'snake';

// ---------------------------------------------------------------- loading

interface Loaded {
  tournament: Tournament;
  draft: Draft | undefined;
  teams: Team[];
  pool: PoolPlayer[];
  picks: DraftPickRow[];
  rolls: DraftRollRow[];
}

async function load(db: Knex, tournamentId: number): Promise<Loaded> {
  const tournament = await findTournament(db, tournamentId);
  // One after another: a transaction is one connection (pg warns about overlapping queries).
  const draft = await Draft.query(db).findById(tournamentId);
  const teams = await Team.query(db).where({ tournamentId }).orderBy('draftOrder');
  const pool = await PoolPlayer.query(db).where({ tournamentId });
  const picks = await DraftPickRow.query(db).where({ tournamentId }).orderBy('pickNumber');
  const rolls = await DraftRollRow.query(db)
    .where({ tournamentId })
    .orderBy([{ column: 'pickNumber' }, { column: 'round' }, { column: 'teamId' }]);
  return { tournament, draft, teams, pool, picks, rolls };
}

/**
 * The draft's status. A draft not yet completed whose tournament staff moved back before
 * 'drafting' is in setup again: teams and pool may change, and opening it again starts over.
 */
function statusOf(l: Loaded): DraftStatus {
  const stored = l.draft?.status ?? 'setup';
  const reopened = beforeDrafting(l.tournament.state);
  return reopened && stored !== 'completed' ? 'setup' : stored;
}
const styleOf = (l: Loaded): DraftStyle => l.draft?.style ?? DEFAULT_STYLE;

function boardOf(l: Loaded): DraftBoard {
  const mmr = new Map(l.pool.map((p) => [p.userId, p.mmr]));
  const captains = new Set(l.teams.map((t) => t.captainUserId));
  return {
    style: styleOf(l),
    teamSize: l.tournament.teamSize,
    teams: l.teams.map((t) => ({ id: t.id, captain: { userId: t.captainUserId, mmr: mmr.get(t.captainUserId) ?? 0 } })),
    pool: l.pool.filter((p) => !captains.has(p.userId)).map((p) => ({ userId: p.userId, mmr: p.mmr })),
    // Picks left over from before a return to setup are void: opening again clears them.
    picks: statusOf(l) === 'setup' ? [] : l.picks.map((p) => ({ pickNumber: p.pickNumber, teamId: p.teamId, userId: p.userId })),
    rolls: statusOf(l) === 'setup' ? [] : l.rolls.map((r) => ({ pickNumber: r.pickNumber, round: r.round, teamId: r.teamId, value: r.value })),
  };
}

/** Where the draft stands; a view never fails on stored picks that no longer replay. */
function positionOf(l: Loaded): DraftPosition {
  const board = boardOf(l);
  try {
    return derivePosition(board);
  } catch {
    return storedRosters(board);
  }
}

// ---------------------------------------------------------------- reads

async function buildView(db: Knex, l: Loaded, seq: number): Promise<DraftView> {
  const position = positionOf(l);
  const stale = statusOf(l) === 'setup';
  const userIds = [...new Set([...l.pool.map((p) => p.userId), ...l.teams.map((t) => t.captainUserId)])];
  const users = new Map((userIds.length ? await User.query(db).findByIds(userIds) : []).map((u) => [u.id, toPublicUser(u)]));
  const mmr = new Map(l.pool.map((p) => [p.userId, p.mmr]));
  const picks = stale ? [] : l.picks;
  const pickOf = new Map(picks.map((p) => [p.userId, p]));
  const captains = new Set(l.teams.map((t) => t.captainUserId));
  const deadline = await db('deadlines')
    .where({ kind: TURN_DEADLINE, room: rooms.draft(l.tournament.id) })
    .first('dueAtMs');
  const byTeam = new Map(position.teams.map((t) => [t.id, t]));

  return {
    tournamentId: l.tournament.id,
    tournamentName: l.tournament.name,
    status: statusOf(l),
    style: styleOf(l),
    teamSize: l.tournament.teamSize,
    pickSeconds: l.draft?.pickSeconds ?? null,
    teams: l.teams.map((team) => {
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
    pool: l.pool
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
    rolls: (stale ? [] : l.rolls).map((r) => ({ pickNumber: r.pickNumber, round: r.round, teamId: r.teamId, value: r.value })),
    turn: position.turn && { pickNumber: position.turn.pickNumber, teamId: position.turn.teamId, tied: position.turn.tied },
    deadlineAt: deadline && !stale ? new Date(Number(deadline.dueAtMs)).toISOString() : null,
    pausedRemainingMs: l.draft?.pausedRemainingMs ?? null,
    startedAt: l.draft?.startedAt ? isoTime(l.draft.startedAt) : null,
    completedAt: l.draft?.completedAt ? isoTime(l.draft.completedAt) : null,
    seq,
  };
}

/** The draft's public state and the seq it reflects, read consistently (room snapshot). */
export async function draftSnapshot(db: Db, tournamentId: number): Promise<DraftView> {
  const read = async (trx: Knex.Transaction) => {
    const seq = await roomSeq(trx, rooms.draft(tournamentId));
    return buildView(trx, await load(trx, tournamentId), seq);
  };
  return readConsistently(db, read);
}

/** What a draft's public state depends on, besides its own room. */
export const draftTags = (tournamentId: number) => [roomTag(rooms.draft(tournamentId)), tags.tournament(tournamentId), tags.userList()];

/** The REST read: the cached public state plus the hub's clock (for countdowns). */
export async function readDraft(hub: HubServices, tournamentId: number) {
  const view = await hub.cache.get(`draft:${tournamentId}`, draftTags(tournamentId), () => draftSnapshot(hub.db, tournamentId));
  return { ...view, serverTime: serverTimeOf(hub) };
}

/** Staff see the predicted totals before starting (normal and snake, greedy captains). */
export async function previewDraft(hub: HubServices, actor: Actor | null, tournamentId: number): Promise<DraftPreview> {
  await requireTournamentStaff(hub.db, actor, tournamentId);
  const board = boardOf(await load(hub.db, tournamentId));
  const totals = (style: 'normal' | 'snake') => previewBalance(style, board.teamSize, board.teams, board.pool).map(({ teamId, total }) => ({ teamId, total }));
  return { normal: totals('normal'), snake: totals('snake'), shuffle: SHUFFLE_PREVIEW_NOTE };
}

/** A captain's own queue (DR9: nobody else may read it, staff included). */
export async function readQueue(hub: HubServices, actor: Actor | null, tournamentId: number): Promise<DraftQueue> {
  const user = requireUser(actor);
  await findTournament(hub.db, tournamentId);
  await requireCaptain(hub.db, user, tournamentId);
  const row = await DraftQueueRow.query(hub.db).findById([tournamentId, user.id]);
  return { tournamentId, userIds: row?.playerIds ?? [] };
}

async function requireCaptain(db: Knex, user: Actor, tournamentId: number): Promise<Team> {
  const team = await Team.query(db).findOne({ tournamentId, captainUserId: user.id });
  if (!team) throw forbidden('only captains of this tournament have a draft queue');
  return team;
}

// ---------------------------------------------------------------- commands

interface Ctx {
  hub: HubServices;
  tx: CommandTx;
  tournamentId: number;
  room: string;
  /** The room's seq before this command's first event. */
  seq: number;
  loaded: Loaded;
  /** Whether this command wrote something `loaded` does not show yet (emit then reads again). */
  stale: boolean;
}

/** Lock the draft room (checking the seq the caller saw, if given) and load the draft. */
async function begin(hub: HubServices, tx: CommandTx, tournamentId: number, expectedSeq?: number): Promise<Ctx> {
  const room = rooms.draft(tournamentId);
  const seq = await tx.lock(room, expectedSeq);
  return { hub, tx, tournamentId, room, seq, loaded: await load(tx.db, tournamentId), stale: false };
}

async function staffOnly(ctx: Ctx) {
  await requireTournamentStaff(ctx.tx.db, ctx.tx.actor, ctx.tournamentId);
}

function requireStatus(ctx: Ctx, allowed: DraftStatus[], doing: string) {
  const status = statusOf(ctx.loaded);
  if (!allowed.includes(status)) {
    if (status === 'completed') throw conflict(`the draft is completed and the teams are final: cannot ${doing}`);
    throw conflict(`cannot ${doing} while the draft is ${status} (only when ${allowed.join(' or ')})`);
  }
  // Staff could move the tournament out of 'drafting' by hand: then teams and pool may change.
  if (status !== 'setup' && ctx.loaded.tournament.state !== 'drafting') {
    throw conflict(`the tournament is '${ctx.loaded.tournament.state}', not 'drafting': reopen the draft first`);
  }
}

/** Re-reads and emits the room's next event carrying the new public state. */
async function emit(ctx: Ctx, type: string, details: Record<string, unknown> = {}): Promise<DraftView> {
  const seq = (await ctx.tx.lock(ctx.room)) + 1;
  if (ctx.stale) await reload(ctx);
  const draft = await buildView(ctx.tx.db, ctx.loaded, seq);
  await ctx.tx.emit(ctx.room, type, { ...details, draft });
  return draft;
}

async function reload(ctx: Ctx) {
  ctx.loaded = await load(ctx.tx.db, ctx.tournamentId);
  ctx.stale = false;
}

async function patchDraft(ctx: Ctx, changes: Partial<Draft>) {
  ctx.stale = true;
  await Draft.query(ctx.tx.db)
    .findById(ctx.tournamentId)
    .patch({ ...changes, updatedAt: new Date().toISOString() });
}

async function ensureDraftRow(ctx: Ctx) {
  ctx.stale = true;
  if (!ctx.loaded.draft) await ctx.tx.db('drafts').insert({ tournamentId: ctx.tournamentId, style: DEFAULT_STYLE, status: 'setup' });
}

/** Arms the timer of the turn that is now on, to be void once the room moves past `expectedSeq`. */
async function setTurnDeadline(ctx: Ctx, pickNumber: number, ms: number, expectedSeq: number) {
  const deadline: Deadline = { kind: TURN_DEADLINE, room: ctx.room, dueAt: ctx.hub.clock.now() + ms, expectedSeq, payload: { pickNumber } };
  await ctx.hub.deadlines.set(ctx.tx, deadline);
}
const clearTurnDeadline = (ctx: Ctx) => ctx.hub.deadlines.clear(ctx.tx, TURN_DEADLINE, ctx.room);

async function insertRolls(ctx: Ctx, rolls: { pickNumber: number; round: number; teamId: number; value: number }[]) {
  if (rolls.length === 0) return;
  const rows = rolls.map((r) => ({ tournamentId: ctx.tournamentId, ...r }));
  await ctx.tx.db('draft_rolls').insert(rows);
  // Kept in `loaded` as load() orders them, so a pick's event needs no second read.
  ctx.loaded.rolls.push(...rows.map((row) => Object.assign(new DraftRollRow(), row)));
  ctx.loaded.rolls.sort((a, b) => a.pickNumber - b.pickNumber || a.round - b.round || a.teamId - b.teamId);
}

/**
 * After the position changed (start, pick, undo, resume): settle a shuffle tie with dice,
 * complete the draft when nothing is left to pick, else arm the turn's timer. Emits `type`
 * (and `draft.completed` when it completed).
 */
async function continueDraft(ctx: Ctx, type: string, details: Record<string, unknown>, timerMs?: number): Promise<DraftView> {
  const { position, rolls } = settle(boardOf(ctx.loaded), ctx.hub.random);
  await insertRolls(ctx, rolls);
  if (position.complete) {
    await complete(ctx, position);
    await emit(ctx, type, { ...details, rolls });
    return emit(ctx, 'draft.completed', { teams: position.teams.map((t) => ({ id: t.id, totalMmr: t.total })) });
  }
  const status = statusOf(ctx.loaded);
  const seconds = ctx.loaded.draft?.pickSeconds ?? null;
  if (status === 'running' && seconds !== null) {
    await setTurnDeadline(ctx, position.turn!.pickNumber, timerMs ?? seconds * 1000, ctx.seq + 1);
  } else {
    await clearTurnDeadline(ctx);
  }
  return emit(ctx, type, { ...details, rolls });
}

/** DR8: the draft ends; the drafted players become the teams' members. */
async function complete(ctx: Ctx, position: DraftPosition) {
  await clearTurnDeadline(ctx);
  await patchDraft(ctx, { status: 'completed', completedAt: new Date().toISOString(), pausedRemainingMs: null });
  const picks = await DraftPickRow.query(ctx.tx.db).where({ tournamentId: ctx.tournamentId });
  if (picks.length > 0) {
    await ctx.tx
      .db('team_members')
      .insert(picks.map((p) => ({ teamId: p.teamId, tournamentId: ctx.tournamentId, userId: p.userId, pickNumber: p.pickNumber })));
  }
  const tournamentRoom = rooms.tournament(ctx.tournamentId);
  await ctx.tx.lock(tournamentRoom);
  const teams = await listTeams(ctx.tx.db, ctx.tournamentId);
  await ctx.tx.emit(tournamentRoom, 'teams.drafted', { teams, complete: position.complete });
  touchTournament(ctx.tx, ctx.tournamentId);
}

type Control = { expectedSeq?: number | undefined };

/** Staff set the style, team size (before opening) and pick timer (before starting). */
export function configureDraft(hub: HubServices, actor: Actor | null, tournamentId: number, input: DraftSettings & Control): Promise<DraftView> {
  return hub.commands.run(actor, async (tx) => {
    const ctx = await begin(hub, tx, tournamentId, input.expectedSeq);
    await staffOnly(ctx);
    requireStatus(ctx, ['setup', 'open'], 'change the settings');
    await ensureDraftRow(ctx);
    const changed: string[] = [];
    if (input.teamSize !== undefined && input.teamSize !== ctx.loaded.tournament.teamSize) {
      const verdict = checkTeamSizeChange(ctx.loaded.tournament.state, ctx.loaded.tournament.teamSize, input.teamSize);
      if (!verdict.ok) throw conflict(verdict.reason);
      const room = rooms.tournament(tournamentId);
      await tx.lock(room);
      const row = await Tournament.query(tx.db).patchAndFetchById(tournamentId, { teamSize: input.teamSize });
      await tx.emit(room, 'tournament.updated', { tournament: toTournament(row), changed: ['teamSize'] });
      touchTournament(tx, tournamentId);
      changed.push('teamSize');
    }
    const changes: Partial<Draft> = {};
    if (input.style !== undefined && input.style !== styleOf(ctx.loaded)) changes.style = input.style;
    if (input.pickSeconds !== undefined && input.pickSeconds !== (ctx.loaded.draft?.pickSeconds ?? null)) changes.pickSeconds = input.pickSeconds;
    changed.push(...Object.keys(changes));
    if (changed.length === 0 && ctx.loaded.draft) return buildView(tx.db, ctx.loaded, ctx.seq);
    await patchDraft(ctx, changes);
    return emit(ctx, 'draft.configured', { changed });
  });
}

/** Staff open the draft: teams and pool freeze (the tournament moves to 'drafting'). */
export function openDraft(hub: HubServices, actor: Actor | null, tournamentId: number, input: Control = {}): Promise<DraftView> {
  return hub.commands.run(actor, async (tx) => {
    const ctx = await begin(hub, tx, tournamentId, input.expectedSeq);
    await staffOnly(ctx);
    requireStatus(ctx, ['setup'], 'open the draft');
    const { tournament, teams } = ctx.loaded;
    if (!beforeDrafting(tournament.state)) {
      throw conflict(`a tournament that is '${tournament.state}' cannot open a player draft`);
    }
    if (teams.length < 2) throw conflict(`a draft needs at least two teams (this tournament has ${teams.length})`);
    await ensureDraftRow(ctx);
    // Back from a return to setup: what was picked before no longer counts.
    await tx.db('draft_picks').where({ tournamentId }).delete();
    await tx.db('draft_rolls').where({ tournamentId }).delete();
    await clearTurnDeadline(ctx);
    await patchDraft(ctx, { status: 'open', startedAt: null, pausedRemainingMs: null });
    const room = rooms.tournament(tournamentId);
    await tx.lock(room);
    const row = await Tournament.query(tx.db).patchAndFetchById(tournamentId, { state: 'drafting' });
    await tx.emit(room, 'tournament.stateChanged', { from: tournament.state, to: 'drafting', tournament: toTournament(row) });
    touchTournament(tx, tournamentId);
    return emit(ctx, 'draft.opened');
  });
}

export function startDraft(hub: HubServices, actor: Actor | null, tournamentId: number, input: Control = {}): Promise<DraftView> {
  return hub.commands.run(actor, async (tx) => {
    const ctx = await begin(hub, tx, tournamentId, input.expectedSeq);
    await staffOnly(ctx);
    requireStatus(ctx, ['open'], 'start the draft');
    await patchDraft(ctx, { status: 'running', startedAt: new Date().toISOString(), pausedRemainingMs: null });
    ctx.loaded.draft!.status = 'running';
    return continueDraft(ctx, 'draft.started', {});
  });
}

export function pauseDraft(hub: HubServices, actor: Actor | null, tournamentId: number, input: Control = {}): Promise<DraftView> {
  return hub.commands.run(actor, async (tx) => {
    const ctx = await begin(hub, tx, tournamentId, input.expectedSeq);
    await staffOnly(ctx);
    requireStatus(ctx, ['running'], 'pause the draft');
    const deadline = await hub.deadlines.get(tx.db, TURN_DEADLINE, ctx.room);
    const remaining = deadline ? Math.max(0, deadline.dueAt - hub.clock.now()) : null;
    await clearTurnDeadline(ctx);
    await patchDraft(ctx, { status: 'paused', pausedRemainingMs: remaining });
    return emit(ctx, 'draft.paused', { remainingMs: remaining });
  });
}

/** The turn gets back the time it had left when paused. */
export function resumeDraft(hub: HubServices, actor: Actor | null, tournamentId: number, input: Control = {}): Promise<DraftView> {
  return hub.commands.run(actor, async (tx) => {
    const ctx = await begin(hub, tx, tournamentId, input.expectedSeq);
    await staffOnly(ctx);
    requireStatus(ctx, ['paused'], 'resume the draft');
    const remaining = ctx.loaded.draft!.pausedRemainingMs;
    await patchDraft(ctx, { status: 'running', pausedRemainingMs: null });
    ctx.loaded.draft!.status = 'running';
    return continueDraft(ctx, 'draft.resumed', {}, remaining ?? undefined);
  });
}

/** DR6: the last pick goes back to the pool and its team is on turn again, with a fresh timer. */
export function undoPick(hub: HubServices, actor: Actor | null, tournamentId: number, input: Control = {}): Promise<DraftView> {
  return hub.commands.run(actor, async (tx) => {
    const ctx = await begin(hub, tx, tournamentId, input.expectedSeq);
    await staffOnly(ctx);
    requireStatus(ctx, ['running', 'paused'], 'undo a pick');
    const undone = undoLastPick(boardOf(ctx.loaded));
    if (!undone) throw conflict('there is no pick to undo');
    const { pickNumber } = undone.undone;
    await tx.db('draft_picks').where({ tournamentId, pickNumber }).delete();
    await tx.db('draft_rolls').where({ tournamentId }).where('pickNumber', '>', pickNumber).delete();
    if (statusOf(ctx.loaded) === 'paused') {
      const seconds = ctx.loaded.draft!.pickSeconds;
      await patchDraft(ctx, { pausedRemainingMs: seconds === null ? null : seconds * 1000 });
    }
    await reload(ctx);
    return continueDraft(ctx, 'draft.undone', { pick: undone.undone });
  });
}

/** Every pick and roll goes; the draft is open again, to be started anew. */
export function restartDraft(hub: HubServices, actor: Actor | null, tournamentId: number, input: Control = {}): Promise<DraftView> {
  return hub.commands.run(actor, async (tx) => {
    const ctx = await begin(hub, tx, tournamentId, input.expectedSeq);
    await staffOnly(ctx);
    requireStatus(ctx, ['open', 'running', 'paused'], 'restart the draft');
    await tx.db('draft_picks').where({ tournamentId }).delete();
    await tx.db('draft_rolls').where({ tournamentId }).delete();
    await clearTurnDeadline(ctx);
    await patchDraft(ctx, { status: 'open', startedAt: null, pausedRemainingMs: null });
    return emit(ctx, 'draft.restarted');
  });
}

/**
 * DR3: the captain on turn, or staff on their behalf (recorded as such), picks a player still
 * in the pool. `pickNumber` makes a pick once per turn: a second click, a second tab or staff
 * racing the captain gets 409.
 */
export function pickPlayer(hub: HubServices, actor: Actor | null, tournamentId: number, input: { userId: number; pickNumber: number }): Promise<DraftView> {
  const user = requireUser(actor);
  return hub.commands.run(actor, async (tx) => {
    const ctx = await begin(hub, tx, tournamentId);
    const staff = await isTournamentStaff(tx.db, user, tournamentId);
    const ownTeam = ctx.loaded.teams.find((t) => t.captainUserId === user.id);
    if (!staff && !ownTeam) throw forbidden('only captains and staff of this tournament may pick');
    requireStatus(ctx, ['running'], 'pick');
    const board = boardOf(ctx.loaded);
    const position = derivePosition(board);
    const turn = position.turn!;
    if (input.pickNumber !== turn.pickNumber) {
      throw conflict(`pick ${input.pickNumber} has already been made: it is now pick ${turn.pickNumber}`);
    }
    const onTurn = ctx.loaded.teams.find((t) => t.id === turn.teamId)!;
    const method: PickMethod = ownTeam?.id === onTurn.id ? 'captain' : 'staff';
    if (method === 'staff' && !staff) throw forbidden(`it is ${onTurn.name}'s turn, not yours`);
    if (!ctx.loaded.pool.some((p) => p.userId === input.userId)) throw notFound(`player ${input.userId} in the pool of this tournament`);
    if (ctx.loaded.teams.some((t) => t.captainUserId === input.userId)) throw conflict('that player is a captain');
    const problem = checkPick(position, input.pickNumber, input.userId);
    if (problem) throw conflict(problem === 'that player is not available' ? 'that player has already been picked' : problem);
    return recordPick(ctx, { pickNumber: turn.pickNumber, teamId: onTurn.id, userId: input.userId, method, byUserId: user.id });
  });
}

async function recordPick(ctx: Ctx, pick: { pickNumber: number; teamId: number; userId: number; method: PickMethod; byUserId: number | null }) {
  const row = { tournamentId: ctx.tournamentId, ...pick, createdAt: new Date().toISOString() };
  await ctx.tx.db('draft_picks').insert(row);
  // Picks are in pick order, and this one is the latest: `loaded` stays current without a read.
  ctx.loaded.picks.push(Object.assign(new DraftPickRow(), row));
  return continueDraft(ctx, 'draft.picked', { pick });
}

/** DR7: the turn's time is up: the captain's first queued player still available, else the highest MMR. */
async function expireTurn(hub: HubServices, tx: CommandTx, deadline: Deadline) {
  const tournamentId = Number(deadline.room.slice(deadline.room.indexOf(':') + 1));
  // Deleted with its timer running: nothing to pick for (the deadline row goes with this command).
  if (!(await Tournament.query(tx.db).findById(tournamentId))) return;
  const ctx: Ctx = { hub, tx, tournamentId, room: deadline.room, seq: await tx.lock(deadline.room), loaded: await load(tx.db, tournamentId), stale: false };
  if (statusOf(ctx.loaded) !== 'running' || ctx.loaded.tournament.state !== 'drafting') return;
  const position = derivePosition(boardOf(ctx.loaded));
  const turn = position.turn;
  if (!turn || turn.teamId === null || turn.pickNumber !== (deadline.payload as { pickNumber?: number }).pickNumber) return;
  const team = ctx.loaded.teams.find((t) => t.id === turn.teamId)!;
  const queue = await DraftQueueRow.query(tx.db).findById([tournamentId, team.captainUserId]);
  const choice = autoPickChoice(position.available, queue?.playerIds ?? []);
  if (!choice) return;
  await recordPick(ctx, { pickNumber: turn.pickNumber, teamId: team.id, userId: choice.userId, method: 'auto', byUserId: null });
}

/** Wires the pick timer's expiry into the hub's deadline scheduler. */
export function registerDraftDeadlines(hub: HubServices) {
  hub.deadlines.register(TURN_DEADLINE, (tx, deadline) => expireTurn(hub, tx, deadline));
}

/**
 * DR9: a captain's private wish list for auto-pick. Only pool players (not captains); picked
 * ones may stay in it and are passed over. Sent to the captain's own room, never the draft's.
 */
export function setQueue(hub: HubServices, actor: Actor | null, tournamentId: number, input: { userIds: number[] }): Promise<DraftQueue> {
  const user = requireUser(actor);
  return hub.commands.run(actor, async (tx) => {
    // The draft room's lock orders this with auto-picks that read the queue.
    const ctx = await begin(hub, tx, tournamentId);
    await requireCaptain(tx.db, user, tournamentId);
    requireStatus(ctx, ['setup', 'open', 'running', 'paused'], 'change your queue');
    const userIds = [...new Set(input.userIds)];
    const captains = new Set(ctx.loaded.teams.map((t) => t.captainUserId));
    const pool = new Set(ctx.loaded.pool.map((p) => p.userId));
    const bad = userIds.filter((id) => !pool.has(id) || captains.has(id));
    if (bad.length > 0) throw conflict(`not players of this draft's pool: ${bad.join(', ')}`);
    await ensureDraftRow(ctx);
    await tx
      .db('draft_queues')
      .insert({ tournamentId, userId: user.id, playerIds: JSON.stringify(userIds) })
      .onConflict(['tournamentId', 'userId'])
      .merge();
    const queue = { tournamentId, userIds };
    await tx.emit(rooms.user(user.id), 'draft.queue', queue);
    return queue;
  });
}

/** Captains of a tournament, in draft order (presence of the draft room). */
export async function draftParticipants(db: Knex, tournamentId: number): Promise<number[]> {
  const teams = await Team.query(db).where({ tournamentId }).orderBy('draftOrder').select('captainUserId');
  return teams.map((t) => t.captainUserId);
}
