import { rooms } from '../../shared/rooms';
import { type Actor, requireSiteStaff } from '../auth/actor';
import { tags } from '../cache/read-cache';
import { conflict, notFound } from '../commands/errors';
import type { HubServices } from '../services';
import { PoolPlayer } from '../pool/pool-player.model';
import { toPublicUser, User } from '../users/user.model';

/**
 * Site staff link a Steam account (already resolved to a SteamID64) to someone else's profile,
 * for players who never set it themselves. Same rules and event as the player's own change.
 */
export async function linkSteamForUser(hub: HubServices, actor: Actor | null, userId: number, steamId64: string): Promise<void> {
  const staff = requireSiteStaff(actor);
  await hub.commands.run(staff, async (tx) => {
    await tx.lock(rooms.user(userId));
    const user = await User.query(tx.db).findById(userId);
    if (!user) throw notFound(`user ${userId}`);
    if (user.steamId === steamId64) return;
    const owner = await User.query(tx.db).where({ steamId: steamId64 }).whereNot({ id: userId }).first();
    if (owner) throw conflict(`Steam id ${steamId64} is already linked to another account`);
    const updated = await user.$query(tx.db).patchAndFetch({ steamId: steamId64 });
    const pools = await PoolPlayer.query(tx.db).where({ userId }).select('tournamentId');
    tx.touch(tags.user(userId), tags.userList(), ...pools.map((p) => tags.tournament(p.tournamentId)));
    await tx.emit(rooms.user(userId), 'user.updated', { user: toPublicUser(updated), changed: ['steamId'] });
  });
}
