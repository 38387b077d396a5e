import type { Knex } from 'knex';
import type { z } from 'zod';
import type { PoolImport, PoolImportResult, PoolPlayer as PoolPlayerDto, RowError } from '../../shared/schemas/tournaments';
import { NO_POSITIONS } from '../../shared/schemas/users';
import type { Actor } from '../auth/actor';
import type { CommandTx } from '../commands/command';
import { tags } from '../cache/read-cache';
import { isoTime } from '../db/base.model';
import { conflict, invalid, notFound } from '../commands/errors';
import type { HubServices } from '../services';
import { Team, TeamMember } from '../teams/team.model';
import { findTournament, lockTournament, touchTournament } from '../tournaments/access';
import type { Tournament } from '../tournaments/tournament.model';
import { toPublicUser, User } from '../users/user.model';
import { parsePoolCsv } from './pool.csv';
import { listPool } from './pool.queries';
import { checkPoolEditable, type KnownUser, planImport, poolMmr } from './pool.rules';
import { PoolPlayer } from './pool-player.model';

// ---------------------------------------------------------------- reads

/** The pool of a tournament (404 for an unknown tournament). */
export async function getPool(db: Knex, tournamentId: number): Promise<{ items: PoolPlayerDto[] }> {
  await findTournament(db, tournamentId);
  return { items: await listPool(db, tournamentId) };
}

async function poolPlayer(db: Knex, tournamentId: number, userId: number): Promise<PoolPlayerDto> {
  const row = await PoolPlayer.query(db).findById([tournamentId, userId]);
  const user = await User.query(db).findById(userId);
  return { user: toPublicUser(user!), mmr: row!.mmr, addedAt: isoTime(row!.addedAt) };
}

// ---------------------------------------------------------------- commands

function requireEditable(tournament: Tournament) {
  const verdict = checkPoolEditable(tournament.state);
  if (!verdict.ok) throw conflict(verdict.reason);
}

async function requirePoolRow(db: Knex, tournamentId: number, userId: number): Promise<PoolPlayer> {
  const row = await PoolPlayer.query(db).findById([tournamentId, userId]);
  if (!row) throw notFound(`player ${userId} in the pool of tournament ${tournamentId}`);
  return row;
}

export function addToPool(hub: HubServices, actor: Actor, tournamentId: number, body: { userId: number; mmr?: number }): Promise<PoolPlayerDto> {
  return hub.commands.run(actor, async (tx) => {
    const { room, tournament } = await lockTournament(tx, tournamentId);
    const user = await User.query(tx.db).findById(body.userId);
    if (!user) throw notFound(`user ${body.userId}`);
    requireEditable(tournament);
    if (await PoolPlayer.query(tx.db).findById([tournamentId, user.id])) {
      throw conflict(`${user.username} is already in the pool`);
    }
    const mmr = poolMmr(body.mmr, user.mmr);
    if (mmr === undefined) {
      const message = 'required: this player has no MMR in their profile';
      throw invalid(`give an MMR for ${user.username}`, [{ path: ['body', 'mmr'], message }]);
    }
    return insertPoolPlayer(tx, room, tournament, user.id, mmr);
  });
}

/**
 * Puts a player in the pool, inside a command that locked the tournament's room: adding by hand
 * and an approved sign-up (server/signups) go this one way, so the pool's rules hold for both.
 */
export async function insertPoolPlayer(tx: CommandTx, room: string, tournament: Tournament, userId: number, mmr: number): Promise<PoolPlayerDto> {
  requireEditable(tournament);
  await tx.db('pool_players').insert({ tournamentId: tournament.id, userId, mmr });
  const player = await poolPlayer(tx.db, tournament.id, userId);
  await tx.emit(room, 'pool.added', { player });
  touchTournament(tx, tournament.id);
  return player;
}

/** Sets a pool player's MMR, as updatePoolPlayer (the room is locked; no event when unchanged). */
export async function setPoolMmr(tx: CommandTx, room: string, tournament: Tournament, userId: number, mmr: number): Promise<PoolPlayerDto> {
  const row = await requirePoolRow(tx.db, tournament.id, userId);
  requireEditable(tournament);
  if (row.mmr !== mmr) await tx.db('pool_players').where({ tournamentId: tournament.id, userId }).update({ mmr });
  const player = await poolPlayer(tx.db, tournament.id, userId);
  if (row.mmr !== mmr) {
    await tx.emit(room, 'pool.updated', { player });
    touchTournament(tx, tournament.id);
  }
  return player;
}

/** Takes a player out of the pool, as removeFromPool (the room is locked): never a captain or a drafted player. */
export async function deletePoolPlayer(tx: CommandTx, room: string, tournament: Tournament, userId: number): Promise<void> {
  const tournamentId = tournament.id;
  requireEditable(tournament);
  // The foreign keys refuse this too; checking first gives a message that says why.
  const team = await Team.query(tx.db).findOne({ tournamentId, captainUserId: userId });
  if (team) throw conflict(`this player is the captain of ${team.name}: remove the team first`);
  if (await TeamMember.query(tx.db).findOne({ tournamentId, userId })) {
    throw conflict('this player has been drafted into a team');
  }
  await tx.db('pool_players').where({ tournamentId, userId }).delete();
  await tx.emit(room, 'pool.removed', { userId });
  touchTournament(tx, tournamentId);
}

export function updatePoolPlayer(hub: HubServices, actor: Actor, tournamentId: number, userId: number, mmr: number): Promise<PoolPlayerDto> {
  return hub.commands.run(actor, async (tx) => {
    const { room, tournament } = await lockTournament(tx, tournamentId);
    return setPoolMmr(tx, room, tournament, userId, mmr);
  });
}

/** What another feature does, in the same transaction, when staff take a player out of the pool by hand. */
export type PoolRemovalHook = (hub: HubServices, tx: CommandTx, room: string, tournament: Tournament, userId: number) => Promise<void>;
const removalHooks: PoolRemovalHook[] = [];
/** Sign-ups (server/signups) keep an approved sign-up in step with the pool this way, without pool/ knowing them. */
export function onRemovedByHand(hook: PoolRemovalHook) {
  removalHooks.push(hook);
}

export function removeFromPool(hub: HubServices, actor: Actor, tournamentId: number, userId: number): Promise<void> {
  return hub.commands.run(actor, async (tx) => {
    const { room, tournament } = await lockTournament(tx, tournamentId);
    await requirePoolRow(tx.db, tournamentId, userId);
    await deletePoolPlayer(tx, room, tournament, userId);
    for (const hook of removalHooks) await hook(hub, tx, room, tournament, userId);
  });
}

const CHUNK = 200;
function chunks<T>(items: T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += CHUNK) out.push(items.slice(i, i + CHUNK));
  return out;
}

/**
 * Bulk import from CSV, as one command: every row is validated (file, then against the
 * database) before anything is written; any bad row refuses the whole file unless
 * skipInvalid, in which case the good rows go in and the bad ones are reported.
 */
export function importPool(hub: HubServices, actor: Actor, tournamentId: number, body: z.output<typeof PoolImport>): Promise<PoolImportResult> {
  return hub.commands.run(actor, async (tx) => {
    const { room, tournament } = await lockTournament(tx, tournamentId);
    requireEditable(tournament);
    const parsed = parsePoolCsv(body.csv);

    const discordIds = parsed.rows.map((r) => r.row.discord_id);
    const steamIds = parsed.rows.flatMap((r) => (r.row.steam_id ? [r.row.steam_id] : []));
    const users = discordIds.length ? await User.query(tx.db).whereIn('discordId', discordIds) : [];
    const owners = steamIds.length ? await User.query(tx.db).whereIn('steamId', steamIds).select('discordId', 'steamId') : [];
    const inPool = await PoolPlayer.query(tx.db).where({ tournamentId }).select('userId');
    const plan = planImport(parsed.rows, {
      usersByDiscordId: new Map(users.map((u) => [u.discordId, u as KnownUser])),
      steamOwners: new Map(owners.map((u) => [u.steamId!, u.discordId])),
      poolUserIds: new Set(inPool.map((p) => p.userId)),
    });

    const errors: RowError[] = [...parsed.errors, ...plan.errors].sort((a, b) => a.line - b.line);
    if (errors.length > 0 && !body.skipInvalid) {
      const lines = new Set(errors.map((e) => e.line)).size;
      throw invalid(
        `${lines} of ${parsed.total} rows are invalid; nothing was imported (fix them, or import with skipInvalid)`,
        errors.map((e) => ({ path: ['rows', e.line, e.field], message: e.message })),
      );
    }

    // Placeholder accounts: the person gets this same account when they log in with Discord.
    for (const part of chunks(plan.create)) {
      await tx.db('users').insert(
        part.map((c) => ({
          discordId: c.discordId,
          username: c.username,
          steamId: c.steamId,
          mmr: c.mmr,
          positions: JSON.stringify(c.positions ?? NO_POSITIONS),
          guildRoleIds: JSON.stringify([]),
          role: 'member',
        })),
      );
    }
    const createdIds = new Map<string, number>();
    for (const part of chunks(plan.create.map((c) => c.discordId))) {
      for (const u of await User.query(tx.db).whereIn('discordId', part).select('id', 'discordId')) createdIds.set(u.discordId, u.id);
    }
    for (const { userId, ...fields } of plan.fill) {
      await User.query(tx.db)
        .findById(userId)
        .patch(fields as Partial<User>);
    }

    const poolRows = plan.pool.map((p) => ({ tournamentId, userId: p.userId ?? createdIds.get(p.discordId)!, mmr: p.mmr }));
    for (const part of chunks(poolRows)) {
      await tx.db('pool_players').insert(part).onConflict(['tournamentId', 'userId']).merge(['mmr']);
    }

    const result = { imported: poolRows.length, createdUsers: plan.create.length, skipped: errors };
    if (poolRows.length === 0) return result;
    const changedUsers = [...createdIds.values(), ...plan.fill.map((f) => f.userId)];
    if (changedUsers.length > 0) tx.touch(tags.userList(), ...changedUsers.map((id) => tags.user(id)));
    touchTournament(tx, tournamentId);
    await tx.emit(room, 'pool.imported', {
      imported: result.imported,
      createdUsers: result.createdUsers,
      skipped: errors.length,
      userIds: poolRows.map((p) => p.userId),
    });
    return result;
  });
}
