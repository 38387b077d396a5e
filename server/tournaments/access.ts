import type { Knex } from 'knex';
import { rooms } from '../../shared/rooms';
import { type Actor, isSiteStaff, requireUser } from '../auth/actor';
import { tags } from '../cache/read-cache';
import type { CommandTx } from '../commands/command';
import { forbidden, notFound } from '../commands/errors';
import { Tournament, TournamentStaff } from './tournament.model';

/** Loads a tournament or answers 404. */
export async function findTournament(db: Knex, tournamentId: number): Promise<Tournament> {
  const row = await db('tournaments').where({ id: tournamentId }).first();
  if (!row) throw notFound(`tournament ${tournamentId}`);
  return Tournament.fromDatabaseJson(row);
}

export async function isTournamentStaff(db: Knex, actor: Actor | null, tournamentId: number): Promise<boolean> {
  if (!actor) return false;
  if (isSiteStaff(actor)) return true;
  return Boolean(await TournamentStaff.query(db).findById([tournamentId, actor.id]));
}

/**
 * Authorises a change to a tournament: site staff/admin, or staff of this tournament.
 * Answers 404 for an unknown tournament first, so ids cannot be probed through 403s.
 */
export async function requireTournamentStaff(db: Knex, actor: Actor | null, tournamentId: number): Promise<{ actor: Actor; tournament: Tournament }> {
  const user = requireUser(actor);
  if (isSiteStaff(user)) return { actor: user, tournament: await findTournament(db, tournamentId) };
  // One query (every staff command starts here): the tournament, and whether the actor is on its
  // staff. Plain knex, like findTournament: here Objection's query builder cost about three times
  // what the same query costs through knex alone (bench/README.md, "The command is cold").
  const found = await db('tournaments')
    .where('tournaments.id', tournamentId)
    .first(
      'tournaments.*',
      db.raw('exists(select 1 from tournament_staff s where s.tournament_id = tournaments.id and s.user_id = ?) as actor_is_staff', [user.id]),
    );
  if (!found) throw notFound(`tournament ${tournamentId}`);
  const { actorIsStaff, ...row } = found as { actorIsStaff: unknown }; // 0/1 on SQLite, false/true on PostgreSQL
  if (!actorIsStaff) throw forbidden('only staff of this tournament may do this');
  return { actor: user, tournament: Tournament.fromDatabaseJson(row) };
}

/**
 * Opens a command on a tournament: locks its room first (so the tournament's commands run in
 * turn and see what the previous one committed), then loads it. Who may run the command was
 * checked before its transaction (the command table's authority).
 */
export async function lockTournament(tx: CommandTx, tournamentId: number): Promise<{ room: string; tournament: Tournament }> {
  const room = rooms.tournament(tournamentId);
  await tx.lock(room);
  return { room, tournament: await findTournament(tx.db, tournamentId) };
}

/**
 * Opens a staff command on a tournament: locks its room first (so the tournament's commands run
 * in turn and see what the previous one committed), then authorises as requireTournamentStaff.
 */
export async function lockTournamentAsStaff(tx: CommandTx, tournamentId: number): Promise<{ room: string; actor: Actor; tournament: Tournament }> {
  const room = rooms.tournament(tournamentId);
  await tx.lock(room);
  return { room, ...(await requireTournamentStaff(tx.db, tx.actor, tournamentId)) };
}

/** A change to a tournament's details, pool, staff or teams: its detail and the list are stale. */
export function touchTournament(tx: CommandTx, tournamentId: number) {
  tx.touch(tags.tournament(tournamentId), tags.tournamentList());
}
