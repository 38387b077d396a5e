import { DiscordAPIError, RateLimitError, REST } from '@discordjs/rest';
import { Routes, type RESTGetAPIGuildMemberResult } from 'discord-api-types/v10';
import type { AuthInfo, PrivateUser } from '../../shared/schemas/users';
import { rooms } from '../../shared/rooms';
import type { Actor } from '../auth/actor';
import { changesDisplay, loginChanges, type LoginFields, siteRoleAtLogin } from '../auth/login.rules';
import { tags } from '../cache/read-cache';
import { conflict, notFound, unavailable } from '../commands/errors';
import type { Config } from '../config';
import { isPostgres } from '../db/knex';
import type { HubServices } from '../services';
import { toPrivateUser, User } from '../users/user.model';
import { wouldRemoveLastAdmin } from '../users/users.rules';
import { announce, tournamentsShowing } from '../users/users.service';

/** What the pages need to know of the bot (DC46): booleans only, never a token or an id. */
export function discordBotInfo(config: Config): AuthInfo['discordBot'] {
  const bot = config.discordBot;
  return { notices: Boolean(bot), events: Boolean(bot?.guildId), roleRefresh: Boolean(bot?.guildId) };
}

/** One REST client per configuration, so its rate-limit buckets outlive a request. */
const clients = new WeakMap<object, REST>();

function restFor(bot: NonNullable<Config['discordBot']>): REST {
  let rest = clients.get(bot);
  if (!rest) {
    // A person waits on this: a 429 is answered at once (with Discord's wait) rather than waited out.
    rest = new REST({ version: '10', api: bot.apiBase.replace(/\/v\d+$/, ''), retries: 0, timeout: 5_000, rejectOnRateLimit: () => true }).setToken(bot.token);
    clients.set(bot, rest);
  }
  return rest;
}

/** The member's nickname and role ids in the guild, read with the bot; the refusals in the hub's words. */
async function readMember(bot: NonNullable<Config['discordBot']>, guildId: string, discordId: string, name: string) {
  try {
    const member = (await restFor(bot).get(Routes.guildMember(guildId, discordId))) as RESTGetAPIGuildMemberResult;
    return { nick: member.nick ?? null, roles: member.roles };
  } catch (err) {
    if (err instanceof RateLimitError) {
      throw unavailable(`Discord asks the hub to wait ${Math.ceil(err.retryAfter / 1000)} s before reading members again`, err.retryAfter);
    }
    if (err instanceof DiscordAPIError) {
      // 10007 Unknown Member, 10013 Unknown User: not (or no longer) in the server.
      if (err.code === 10007 || err.code === 10013) {
        throw conflict(`${name} is not a member of the Discord server (they left it or never joined): their roles stay as they are`);
      }
      if (err.code === 10004 || err.status === 403 || err.status === 401) {
        throw unavailable(
          `the bot cannot read the Discord server's members (${err.code}: ${err.message}): check DISCORD_BOT_TOKEN and DISCORD_GUILD_ID, and that the bot is in the server`,
          60_000,
        );
      }
    }
    const reason = err instanceof Error ? err.message : String(err);
    throw unavailable(`Discord did not answer the member read (${reason}): try again in a moment`, 5_000);
  }
}

/**
 * An admin asks, from a user's page, to read that member's roles from Discord again (DC44, DC45):
 * the bot reads the guild member, and the site role is recomputed as at login (DISCORD_ADMIN_ROLE_IDS
 * → admin, DISCORD_STAFF_ROLE_IDS → staff, else member; ADMIN_DISCORD_IDS always admin), with the
 * nickname and role ids stored. The last admin is not demoted this way (409, as for a role change).
 */
export async function refreshRolesFromDiscord(hub: HubServices, actor: Actor, userId: number): Promise<PrivateUser> {
  const bot = hub.config.discordBot;
  if (!bot?.guildId) {
    throw unavailable(
      `refreshing roles from Discord needs the bot: set ${bot ? 'DISCORD_GUILD_ID' : 'DISCORD_BOT_TOKEN and DISCORD_GUILD_ID'} on the hub`,
      60_000,
    );
  }
  const target = await User.query(hub.db).findById(userId);
  if (!target) throw notFound(`user ${userId}`);
  const name = target.guildNickname || target.globalName || target.username;
  // Development-login users have no Discord account (their id is not a snowflake).
  if (!/^\d{15,21}$/.test(target.discordId)) throw conflict(`${name} has no Discord account (a development login): there are no roles to read`);
  const member = await readMember(bot, bot.guildId, target.discordId, name);

  return hub.commands.run(actor, async (tx) => {
    await tx.lock(rooms.user(userId));
    const user = await User.query(tx.db).findById(userId);
    if (!user) throw notFound(`user ${userId}`);
    const role = siteRoleAtLogin({
      discordId: user.discordId,
      guildRoleIds: member.roles,
      currentRole: user.role,
      adminDiscordIds: hub.config.adminDiscordIds,
      adminRoleIds: bot.adminRoleIds,
      staffRoleIds: bot.staffRoleIds,
    });
    const current: LoginFields = {
      username: user.username,
      globalName: user.globalName,
      avatar: user.avatar,
      guildNickname: user.guildNickname,
      guildRoleIds: user.guildRoleIds ?? [],
      role: user.role,
    };
    const changes = loginChanges(current, { ...current, guildNickname: member.nick, guildRoleIds: member.roles, role });
    const changed = Object.keys(changes) as (keyof LoginFields)[];
    if (changed.length === 0) return toPrivateUser(user);
    if (changes.role && user.role === 'admin') {
      const admins = User.query(tx.db).where({ role: 'admin' }).select('id');
      if (isPostgres(tx.db)) admins.forUpdate();
      if (wouldRemoveLastAdmin(user.role, changes.role, (await admins).length)) {
        throw conflict(`${name} is the last admin and has no admin role in Discord: give them one there, or make someone else admin first`);
      }
    }
    const updated = await user.$query(tx.db).patchAndFetch(changes);
    if (changesDisplay(changed)) for (const id of await tournamentsShowing(tx.db, user.id)) tx.touch(tags.tournament(id));
    await announce(tx, updated, changed);
    return toPrivateUser(updated);
  });
}
