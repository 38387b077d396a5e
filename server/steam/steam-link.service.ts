import { rooms } from '../../shared/rooms';
import type { Actor } from '../auth/actor';
import { tags } from '../cache/read-cache';
import { conflict, notFound } from '../commands/errors';
import type { HubServices } from '../services';
import { PoolPlayer } from '../pool/pool-player.model';
import { toPublicUser, User } from '../users/user.model';
import { updateProfile } from '../users/users.service';
import { lookupPlayer, personWaiting, resolveSteamId } from './steam.service';

/**
 * Site staff link a Steam account (already resolved to a SteamID64) to someone else's profile,
 * for players who never set it themselves. Same rules and event as the player's own change.
 */
export async function linkSteamForUser(hub: HubServices, actor: Actor, userId: number, steamId64: string): Promise<void> {
  await hub.commands.run(actor, async (tx) => {
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

/** A player links their own Steam account (any form Steam knows it by) and sees its profile. */
export async function linkOwnSteam(hub: HubServices, actor: Actor, q: string) {
  // One deadline for the whole request: finding the account and then its profile.
  const deadline = personWaiting(hub);
  const steamId64 = await resolveSteamId(hub, q, deadline);
  await updateProfile(hub, actor, { steamId: steamId64 }); // the users' own command (AU7, uniqueness)
  return lookupPlayer(hub, steamId64, deadline);
}

/** Site staff link someone else's Steam account, as linkSteamForUser. */
export async function linkSteamOf(hub: HubServices, actor: Actor, userId: number, q: string) {
  const deadline = personWaiting(hub);
  const steamId64 = await resolveSteamId(hub, q, deadline);
  await linkSteamForUser(hub, actor, userId, steamId64);
  return lookupPlayer(hub, steamId64, deadline);
}
