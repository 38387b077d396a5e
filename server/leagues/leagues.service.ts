import type { Knex } from 'knex';
import type { League as LeagueDto } from '../../shared/schemas/leagues';
import type { Actor } from '../auth/actor';
import { tags } from '../cache/read-cache';
import type { CommandTx } from '../commands/command';
import { conflict, notFound } from '../commands/errors';
import type { HubServices } from '../services';
import { Tournament } from '../tournaments/tournament.model';
import { League, toLeague } from './league.model';

export interface LeagueFields {
  name: string;
  steamLeagueId: number | null;
}

// ---- reads

export async function listLeagues(db: Knex): Promise<{ items: LeagueDto[] }> {
  const rows = await League.query(db).orderByRaw('lower(name)').orderBy('id');
  return { items: rows.map(toLeague) };
}

export async function getLeague(db: Knex, leagueId: number): Promise<LeagueDto> {
  const league = await League.query(db).findById(leagueId);
  if (!league) throw notFound(`league ${leagueId}`);
  return toLeague(league);
}

// ---- commands (leagues have no room: nobody follows them live; the changes only invalidate reads)

/**
 * Names are compared without case so "DTX League" and "dtx league" cannot both exist; the unique
 * indexes still decide a race (→ 409 from the command bus).
 */
async function refuseDuplicates(db: Knex, fields: Partial<LeagueFields>, exceptId?: number) {
  if (fields.name !== undefined) {
    const q = League.query(db).whereRaw('lower(name) = ?', [fields.name.toLowerCase()]);
    if (exceptId !== undefined) q.whereNot({ id: exceptId });
    if (await q.first()) throw conflict(`a league named "${fields.name}" already exists`);
  }
  if (fields.steamLeagueId != null) {
    const q = League.query(db).where({ steamLeagueId: fields.steamLeagueId });
    if (exceptId !== undefined) q.whereNot({ id: exceptId });
    if (await q.first()) throw conflict(`Steam league ${fields.steamLeagueId} already belongs to another league`);
  }
}

/** Tournament pages show their league: a change to it makes them stale too. */
async function touchLeague(tx: CommandTx, leagueId: number) {
  tx.touch(tags.leagues());
  const users = await Tournament.query(tx.db).where({ leagueId }).select('id');
  for (const t of users) tx.touch(tags.tournament(t.id));
}

async function findForChange(tx: CommandTx, leagueId: number): Promise<League> {
  const league = await League.query(tx.db).findById(leagueId);
  if (!league) throw notFound(`league ${leagueId}`);
  return league;
}

export async function createLeague(hub: HubServices, actor: Actor, input: LeagueFields): Promise<LeagueDto> {
  return hub.commands.run(actor, async (tx) => {
    await refuseDuplicates(tx.db, input);
    const league = await League.query(tx.db).insertAndFetch({ name: input.name, steamLeagueId: input.steamLeagueId });
    tx.touch(tags.leagues());
    return toLeague(league);
  });
}

export async function updateLeague(hub: HubServices, actor: Actor, leagueId: number, update: Partial<LeagueFields>): Promise<LeagueDto> {
  return hub.commands.run(actor, async (tx) => {
    const league = await findForChange(tx, leagueId);
    if (Object.keys(update).length === 0) return toLeague(league);
    await refuseDuplicates(tx.db, update, leagueId);
    const updated = await league.$query(tx.db).patchAndFetch(update);
    await touchLeague(tx, leagueId);
    return toLeague(updated);
  });
}

export async function deleteLeague(hub: HubServices, actor: Actor, leagueId: number): Promise<void> {
  await hub.commands.run(actor, async (tx) => {
    await findForChange(tx, leagueId);
    // The foreign key (ON DELETE RESTRICT) catches a tournament created meanwhile.
    const used = await Tournament.query(tx.db).where({ leagueId }).resultSize();
    if (used > 0) throw conflict(`league ${leagueId} is used by ${used} tournament${used === 1 ? '' : 's'}; move or delete them first`);
    await League.query(tx.db).deleteById(leagueId);
    tx.touch(tags.leagues());
  });
}
