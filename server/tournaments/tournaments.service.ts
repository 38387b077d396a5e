import type { Knex } from 'knex';
import { rooms } from '../../shared/rooms';
import type { PublicUser } from '../../shared/schemas/users';
import type { z } from 'zod';
import type {
  Tournament as TournamentDto,
  TournamentDetail,
  TournamentInput,
  TournamentSummary,
  TournamentState,
  TournamentUpdate,
} from '../../shared/schemas/tournaments';
import type { Actor } from '../auth/actor';
import type { Db } from '../db/knex';
import { announceStateChange } from '../discord/notices';
import { readConsistently, roomSeq } from '../events/snapshot';
import { queueTournamentEvent } from '../discord/events';
import { conflict, notFound } from '../commands/errors';
import { League, toLeague } from '../leagues/league.model';
import { listPool } from '../pool/pool.queries';
import type { HubServices } from '../services';
import { listTeams } from '../teams/teams.queries';
import { toPublicUser, User } from '../users/user.model';
import { findTournament, lockTournament, touchTournament } from './access';
import { readFinalPlacements } from './placements.service';
import { toTournament, Tournament, TournamentStaff } from './tournament.model';
import { checkDeletable, checkStateChange, checkTeamSizeChange } from './tournaments.rules';

type CreateInput = z.output<typeof TournamentInput>;
type UpdateInput = z.output<typeof TournamentUpdate>;

/** Instants are stored as UTC ISO text: sortable on SQLite, parsed as timestamptz on PostgreSQL. */
const utc = (instant: string) => new Date(instant).toISOString();

// ---------------------------------------------------------------- reads

export async function listTournaments(
  db: Knex,
  query: { state?: TournamentState; limit: number; offset: number },
): Promise<{ items: TournamentSummary[]; total: number }> {
  const base = () => Tournament.query(db).modify((q) => (query.state ? q.where({ state: query.state }) : q));
  const [rows, total] = await Promise.all([
    base()
      .orderBy([{ column: 'startsAt' }, { column: 'id' }])
      .limit(query.limit)
      .offset(query.offset),
    base().resultSize(),
  ]);
  const ids = rows.map((r) => r.id);
  const players = await countBy(db, 'pool_players', ids);
  const teams = await countBy(db, 'teams', ids);
  const items = rows.map((t) => ({ ...toTournament(t), playerCount: players.get(t.id) ?? 0, teamCount: teams.get(t.id) ?? 0 }));
  return { items, total };
}

async function countBy(db: Knex, table: 'pool_players' | 'teams', tournamentIds: number[]): Promise<Map<number, number>> {
  if (tournamentIds.length === 0) return new Map();
  const rows: { tournamentId: number; n: string | number }[] = await db(table)
    .whereIn('tournamentId', tournamentIds)
    .groupBy('tournamentId')
    .select('tournamentId', db.raw('count(*) as n'));
  return new Map(rows.map((r) => [Number(r.tournamentId), Number(r.n)]));
}

export async function listStaff(db: Knex, tournamentId: number): Promise<PublicUser[]> {
  const rows = await TournamentStaff.query(db)
    .where({ tournamentId })
    .orderBy([{ column: 'createdAt' }, { column: 'userId' }]);
  if (rows.length === 0) return [];
  const users = new Map((await User.query(db).findByIds(rows.map((r) => r.userId))).map((u) => [u.id, u]));
  return rows.map((r) => toPublicUser(users.get(r.userId)!));
}

/**
 * Everything the tournament page shows. Read in one transaction (a snapshot on both
 * databases), so `seq` matches exactly the rows returned: a client applies events after it.
 */
export async function getTournamentDetail(db: Db, tournamentId: number): Promise<TournamentDetail> {
  const read = async (trx: Knex.Transaction): Promise<TournamentDetail> => {
    const seq = await roomSeq(trx, rooms.tournament(tournamentId));
    const tournament = await findTournament(trx, tournamentId);
    const league = tournament.leagueId === null ? undefined : await League.query(trx).findById(tournament.leagueId);
    return {
      ...toTournament(tournament),
      league: league ? toLeague(league) : null,
      staff: await listStaff(trx, tournamentId),
      players: await listPool(trx, tournamentId),
      teams: await listTeams(trx, tournamentId),
      placements: await readFinalPlacements(trx, tournamentId),
      seq,
    };
  };
  return readConsistently(db, read);
}

// ---------------------------------------------------------------- commands

async function requireLeague(db: Knex, leagueId: number | null | undefined) {
  if (leagueId === null || leagueId === undefined) return;
  if (!(await League.query(db).findById(leagueId))) throw notFound(`league ${leagueId}`);
}

/** Site staff create tournaments; the creator becomes staff of it. */
export function createTournament(hub: HubServices, actor: Actor, input: CreateInput): Promise<TournamentDto> {
  return hub.commands.run(actor, async (tx) => {
    const user = actor;
    await requireLeague(tx.db, input.leagueId);
    const row = await Tournament.query(tx.db).insertAndFetch({
      name: input.name,
      description: input.description,
      startsAt: utc(input.startsAt),
      timeZone: input.timeZone,
      teamSize: input.teamSize,
      leagueId: input.leagueId,
      state: 'draft',
    } as Partial<Tournament>);
    await tx.db('tournament_staff').insert({ tournamentId: row.id, userId: user.id });
    const tournament = toTournament(row);
    const room = rooms.tournament(row.id);
    await tx.lock(room);
    await tx.emit(room, 'tournament.created', { tournament, staffUserIds: [user.id] });
    await queueTournamentEvent(tx, hub, { type: 'created', tournament });
    touchTournament(tx, row.id);
    return tournament;
  });
}

/**
 * Tournament staff edit the details; `state` moves one step at a time, `teamSize` only before
 * the player draft. Fields sent with their current value change nothing.
 */
export function updateTournament(hub: HubServices, actor: Actor, tournamentId: number, input: UpdateInput): Promise<TournamentDto> {
  return hub.commands.run(actor, async (tx) => {
    const { room, tournament } = await lockTournament(tx, tournamentId);

    const changes: Partial<Tournament> = {};
    if (input.name !== undefined && input.name !== tournament.name) changes.name = input.name;
    if (input.description !== undefined && input.description !== tournament.description) changes.description = input.description;
    if (input.timeZone !== undefined && input.timeZone !== tournament.timeZone) changes.timeZone = input.timeZone;
    if (input.startsAt !== undefined && utc(input.startsAt) !== toTournament(tournament).startsAt) changes.startsAt = utc(input.startsAt);
    if (input.leagueId !== undefined && input.leagueId !== tournament.leagueId) {
      await requireLeague(tx.db, input.leagueId);
      changes.leagueId = input.leagueId;
    }
    if (input.teamSize !== undefined) {
      const verdict = checkTeamSizeChange(tournament.state, tournament.teamSize, input.teamSize);
      if (!verdict.ok) throw conflict(verdict.reason);
      if (verdict.changed) changes.teamSize = input.teamSize;
    }
    let stateChange: { from: TournamentState; to: TournamentState } | undefined;
    if (input.state !== undefined) {
      const verdict = checkStateChange(tournament.state, input.state);
      if (!verdict.ok) throw conflict(verdict.reason);
      if (verdict.changed) stateChange = { from: tournament.state, to: input.state };
    }

    const fields = Object.keys(changes);
    if (fields.length === 0 && !stateChange) return toTournament(tournament);
    const row = await Tournament.query(tx.db).patchAndFetchById(tournamentId, {
      ...changes,
      ...(stateChange ? { state: stateChange.to } : {}),
    });
    const updated = toTournament(row);
    if (fields.length > 0) await tx.emit(room, 'tournament.updated', { tournament: updated, changed: fields });
    await queueTournamentEvent(tx, hub, { type: 'updated', tournament: updated, changed: fields });
    if (stateChange) await tx.emit(room, 'tournament.stateChanged', { ...stateChange, tournament: updated });
    if (stateChange) await announceStateChange(tx, hub, updated, stateChange.to);
    touchTournament(tx, tournamentId);
    return updated;
  });
}

/** Site staff delete a tournament that has not started playing (its pool, staff and teams go with it). */
export function deleteTournament(hub: HubServices, actor: Actor, tournamentId: number): Promise<void> {
  return hub.commands.run(actor, async (tx) => {
    const room = rooms.tournament(tournamentId);
    await tx.lock(room);
    const tournament = await findTournament(tx.db, tournamentId);
    const verdict = checkDeletable(tournament.state);
    if (!verdict.ok) throw conflict(verdict.reason);
    // Children first: team rows point into the pool, and PostgreSQL checks those foreign keys
    // before its cascade from the tournament reaches them. Staff go by cascade; the log stays.
    await tx.db('team_members').where({ tournamentId }).delete();
    await tx.db('tournament_placements').where({ tournamentId }).delete();
    await tx.db('teams').where({ tournamentId }).delete();
    await tx.db('pool_players').where({ tournamentId }).delete();
    // Timers of its drafts go too: keyed by room, nothing cascades to them, and one left behind
    // would fire for a tournament that is gone (and be retried on every refresh).
    const heroDraftIds: number[] = await tx.db('hero_drafts').where({ tournamentId }).pluck('id');
    await tx
      .db('deadlines')
      .whereIn('room', [rooms.draft(tournamentId), ...heroDraftIds.map((id) => rooms.heroDraft(id))])
      .delete();
    await Tournament.query(tx.db).deleteById(tournamentId);
    await tx.emit(room, 'tournament.deleted', { tournamentId });
    await queueTournamentEvent(tx, hub, { type: 'deleted', tournamentId });
    touchTournament(tx, tournamentId);
  });
}

export function addStaff(hub: HubServices, actor: Actor, tournamentId: number, userId: number): Promise<{ items: PublicUser[] }> {
  return hub.commands.run(actor, async (tx) => {
    const { room } = await lockTournament(tx, tournamentId);
    const user = await User.query(tx.db).findById(userId);
    if (!user) throw notFound(`user ${userId}`);
    if (await TournamentStaff.query(tx.db).findById([tournamentId, userId])) {
      throw conflict(`${user.username} is already staff of this tournament`);
    }
    await tx.db('tournament_staff').insert({ tournamentId, userId });
    await tx.emit(room, 'staff.added', { userId, user: toPublicUser(user) });
    touchTournament(tx, tournamentId);
    return { items: await listStaff(tx.db, tournamentId) };
  });
}

export function removeStaff(hub: HubServices, actor: Actor, tournamentId: number, userId: number): Promise<void> {
  return hub.commands.run(actor, async (tx) => {
    const { room } = await lockTournament(tx, tournamentId);
    const removed = await TournamentStaff.query(tx.db).where({ tournamentId, userId }).delete();
    if (removed === 0) throw notFound(`staff member ${userId} of tournament ${tournamentId}`);
    await tx.emit(room, 'staff.removed', { userId });
    touchTournament(tx, tournamentId);
  });
}
