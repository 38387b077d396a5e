import type { Knex } from 'knex';
import type { PrivateUser, PublicUser, SiteRole } from '../../shared/schemas/users';
import { rooms } from '../../shared/rooms';
import type { Actor } from '../auth/actor';
import { tags } from '../cache/read-cache';
import type { CommandTx } from '../commands/command';
import { isPostgres } from '../db/knex';
import { conflict, notFound } from '../commands/errors';
import type { HubServices } from '../services';
import { PoolPlayer } from '../pool/pool-player.model';
import { TournamentStaff } from '../tournaments/tournament.model';
import { toPrivateUser, toPublicUser, User } from './user.model';
import { type Audience, audienceFor, containsPattern, profileChanges, type ProfileFields, wouldRemoveLastAdmin } from './users.rules';

export { audienceFor };

// ---- reads

/** Users whose username, global name or guild nickname contains `q` (any case), by display name. */
export async function listUsers(db: Knex, query: { q?: string | undefined; limit: number; offset: number }): Promise<{ items: PublicUser[]; total: number }> {
  const base = User.query(db);
  if (query.q) {
    const pattern = containsPattern(query.q);
    // lower() on both sides: PostgreSQL's LIKE is case-sensitive, SQLite's only for non-ASCII.
    base.where((w) =>
      w
        .whereRaw(`lower(username) like ? escape '\\'`, [pattern])
        .orWhereRaw(`lower(global_name) like ? escape '\\'`, [pattern])
        .orWhereRaw(`lower(guild_nickname) like ? escape '\\'`, [pattern]),
    );
  }
  const total = await base.clone().resultSize();
  const rows = await base
    .clone()
    .orderByRaw(`lower(coalesce(nullif(guild_nickname, ''), nullif(global_name, ''), username))`)
    .orderBy('id')
    .limit(query.limit)
    .offset(query.offset);
  return { items: rows.map(toPublicUser), total };
}

export async function getUser(db: Knex, userId: number, audience: Audience): Promise<PrivateUser | PublicUser> {
  const user = await User.query(db).findById(userId);
  if (!user) throw notFound(`user ${userId}`);
  return audience === 'private' ? toPrivateUser(user) : toPublicUser(user);
}

// ---- commands

/**
 * Tournaments whose cached reads embed this user (pool, staff, teams: captains and picks are
 * pool players), so a profile change can invalidate them too.
 */
export async function tournamentsShowing(db: Knex, userId: number): Promise<number[]> {
  // One after the other: inside a transaction this is one connection (pg warns about overlapping queries).
  const pool = await PoolPlayer.query(db).where({ userId }).select('tournamentId');
  const staff = await TournamentStaff.query(db).where({ userId }).select('tournamentId');
  return [...new Set([...pool, ...staff].map((r) => r.tournamentId))];
}

/** Every change to an account: its cached reads are stale, and its room gets `user.updated`. */
export async function announce(tx: CommandTx, user: User, changed: string[]) {
  tx.touch(tags.user(user.id), tags.userList());
  await tx.emit(rooms.user(user.id), 'user.updated', { user: toPublicUser(user), changed });
}

/** PATCH /api/me: Steam id (already normalised to SteamID64 by the schema, AU7), MMR, positions, Discord DMs on or off (DC12). */
export async function updateProfile(hub: HubServices, me: Actor, update: Partial<ProfileFields>): Promise<PrivateUser> {
  return hub.commands.run(me, async (tx) => {
    await tx.lock(rooms.user(me.id));
    const user = await User.query(tx.db).findById(me.id);
    if (!user) throw notFound(`user ${me.id}`);
    const changes = profileChanges({ steamId: user.steamId, mmr: user.mmr, positions: user.positions, discordDms: Boolean(user.discordDms) }, update);
    if (Object.keys(changes).length === 0) return toPrivateUser(user);
    if (changes.steamId) {
      // The unique index catches a race; this gives the usual case a clear message.
      const owner = await User.query(tx.db).where({ steamId: changes.steamId }).whereNot({ id: me.id }).first();
      if (owner) throw conflict(`Steam id ${changes.steamId} is already linked to another account`);
    }
    const updated = await user.$query(tx.db).patchAndFetch(changes);
    for (const tournamentId of await tournamentsShowing(tx.db, me.id)) tx.touch(tags.tournament(tournamentId));
    await announce(tx, updated, Object.keys(changes));
    return toPrivateUser(updated);
  });
}

/** PATCH /api/users/:userId/role: admins only; the last admin cannot be demoted. */
export async function setRole(hub: HubServices, actor: Actor, userId: number, role: SiteRole): Promise<PrivateUser> {
  return hub.commands.run(actor, async (tx) => {
    await tx.lock(rooms.user(userId));
    const user = await User.query(tx.db).findById(userId);
    if (!user) throw notFound(`user ${userId}`);
    if (user.role === role) return toPrivateUser(user);
    if (user.role === 'admin') {
      // Two admins demoting each other at once: on PostgreSQL the row locks make the second
      // count again after the first commits; SQLite runs one write transaction at a time.
      const admins = User.query(tx.db).where({ role: 'admin' }).select('id');
      if (isPostgres(tx.db)) admins.forUpdate();
      const count = (await admins).length;
      if (wouldRemoveLastAdmin(user.role, role, count)) throw conflict('cannot demote the last admin: make someone else admin first');
    }
    const updated = await user.$query(tx.db).patchAndFetch({ role });
    await announce(tx, updated, ['role']);
    return toPrivateUser(updated);
  });
}
