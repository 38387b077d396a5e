import type { SiteRole } from '../../shared/schemas/users';

/**
 * The site role a user gets when they log in with Discord.
 *
 * - A Discord id listed in ADMIN_DISCORD_IDS is always admin (the way to bootstrap the first admin).
 * - With a guild configured, Discord is the source of truth: the role is recomputed from the
 *   member's role ids at every login (DISCORD_ADMIN_ROLE_IDS → admin, DISCORD_STAFF_ROLE_IDS →
 *   staff, else member), so taking a role away in Discord takes it away here at the next login.
 * - Without a guild there is nothing to recompute from: a new user is a member and a returning
 *   user keeps the role an admin gave them in the hub.
 */
export function siteRoleAtLogin(input: {
  discordId: string;
  /** The member's role ids; null when no guild is configured. */
  guildRoleIds: string[] | null;
  currentRole: SiteRole | undefined;
  adminDiscordIds: string[];
  adminRoleIds: string[];
  staffRoleIds: string[];
}): SiteRole {
  if (input.adminDiscordIds.includes(input.discordId)) return 'admin';
  if (input.guildRoleIds) {
    if (input.guildRoleIds.some((id) => input.adminRoleIds.includes(id))) return 'admin';
    if (input.guildRoleIds.some((id) => input.staffRoleIds.includes(id))) return 'staff';
    return 'member';
  }
  return input.currentRole ?? 'member';
}

/** What a login stores about a user (matched by Discord id only, AU2). */
export interface LoginFields {
  username: string;
  globalName: string | null;
  avatar: string | null;
  guildNickname: string | null;
  guildRoleIds: string[];
  role: SiteRole;
}

const FIELDS = ['username', 'globalName', 'avatar', 'guildNickname', 'guildRoleIds', 'role'] as const;

/** Only the fields that differ (role ids compared as sets), so an unchanged login writes nothing. */
export function loginChanges(current: LoginFields, next: LoginFields): Partial<LoginFields> {
  const changes: Partial<LoginFields> = {};
  for (const field of FIELDS) {
    const same = field === 'guildRoleIds' ? sameSet(current.guildRoleIds ?? [], next.guildRoleIds) : current[field] === next[field];
    if (!same) (changes as Record<string, unknown>)[field] = next[field];
  }
  return changes;
}

function sameSet(a: string[], b: string[]): boolean {
  const set = new Set(a);
  return set.size === new Set(b).size && b.every((x) => set.has(x));
}

/** Fields that change how other people see this user (names, avatar) and so stale their cached lists. */
export function changesDisplay(changed: (keyof LoginFields)[]): boolean {
  return changed.some((f) => f === 'username' || f === 'globalName' || f === 'avatar' || f === 'guildNickname');
}
