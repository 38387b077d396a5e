import type { SiteRole } from '../../shared/schemas/users';
import { rooms } from '../../shared/rooms';
import { tags } from '../cache/read-cache';
import type { CommandTx } from '../commands/command';
import { HubError } from '../commands/errors';
import type { HubServices } from '../services';
import { User } from '../users/user.model';
import { announce, tournamentsShowing } from '../users/users.service';
import type { DiscordProfile } from './discord';
import { changesDisplay, loginChanges, type LoginFields, siteRoleAtLogin } from './login.rules';

export interface LoginIdentity extends Omit<LoginFields, 'role'> {
  discordId: string;
}

/**
 * Creates or updates the account of whoever just logged in, through the command path. The
 * account is found by Discord id only (AU2): a new username updates the same account, and
 * another Discord id with the same username is another account. `roleFor` gets the stored
 * role (undefined for a new user) and returns the role to keep.
 */
export async function upsertLoginUser(hub: HubServices, identity: LoginIdentity, roleFor: (current: SiteRole | undefined) => SiteRole): Promise<User> {
  // Two first logins of the same person at once: one insert loses on the unique Discord id;
  // the second attempt finds the account the winner created.
  for (let attempt = 1; ; attempt++) {
    try {
      return await hub.commands.run(null, (tx) => upsert(tx, identity, roleFor));
    } catch (err) {
      if (attempt < 2 && err instanceof HubError && err.code === 'conflict') continue;
      throw err;
    }
  }
}

async function upsert(tx: CommandTx, identity: LoginIdentity, roleFor: (current: SiteRole | undefined) => SiteRole): Promise<User> {
  const { discordId, ...fields } = identity;
  const found = await User.query(tx.db).findOne({ discordId }).select('id');
  if (!found) {
    const user = await User.query(tx.db).insertAndFetch({ discordId, ...fields, role: roleFor(undefined) } as Partial<User>);
    await tx.lock(rooms.user(user.id));
    await announce(tx, user, ['created']);
    return user;
  }
  // Lock first, then read: a concurrent role change by an admin is either seen or waits.
  await tx.lock(rooms.user(found.id));
  const user = (await User.query(tx.db).findById(found.id))!;
  const changes = loginChanges(user, { ...fields, role: roleFor(user.role) });
  const changed = Object.keys(changes) as (keyof LoginFields)[];
  if (changed.length === 0) return user;
  const updated = await user.$query(tx.db).patchAndFetch(changes);
  // Tournament pages show pool players and staff by name and avatar.
  if (changesDisplay(changed)) for (const id of await tournamentsShowing(tx.db, user.id)) tx.touch(tags.tournament(id));
  await announce(tx, updated, changed);
  return updated;
}

/** A Discord login: stores what Discord says and recomputes the role (see siteRoleAtLogin). */
export function loginWithDiscord(hub: HubServices, profile: DiscordProfile): Promise<User> {
  const guild = profile.member ?? null;
  const discord = hub.config.discord;
  return upsertLoginUser(
    hub,
    {
      discordId: profile.id,
      username: profile.username,
      globalName: profile.globalName,
      avatar: profile.avatar,
      guildNickname: guild?.nick ?? null,
      guildRoleIds: guild?.roles ?? [],
    },
    (current) =>
      siteRoleAtLogin({
        discordId: profile.id,
        guildRoleIds: discord?.guildId && guild ? guild.roles : null,
        currentRole: current,
        adminDiscordIds: hub.config.adminDiscordIds,
        adminRoleIds: discord?.adminRoleIds ?? [],
        staffRoleIds: discord?.staffRoleIds ?? [],
      }),
  );
}

/**
 * The development login: a local user with the Discord id `dev-<name>` (no real Discord id can
 * look like that) and the role picked on the form.
 */
export function loginAsDevUser(hub: HubServices, username: string, role: SiteRole): Promise<User> {
  return upsertLoginUser(
    hub,
    { discordId: `dev-${username.toLowerCase()}`, username, globalName: null, avatar: null, guildNickname: null, guildRoleIds: [] },
    () => role,
  );
}
