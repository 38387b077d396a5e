import { BaseModel, isoTime } from '../db/base.model';
import { NO_POSITIONS, type Positions, type PrivateUser, type PublicUser, type SiteRole } from '../../shared/schemas/users';
import { steamAccountId } from '../../shared/steamid';

export class User extends BaseModel {
  static override tableName = 'users';
  static override get jsonAttributes() {
    return ['guildRoleIds', 'positions'];
  }

  id!: number;
  discordId!: string;
  username!: string;
  globalName!: string | null;
  guildNickname!: string | null;
  avatar!: string | null;
  guildRoleIds!: string[];
  steamId!: string | null;
  mmr!: number | null;
  positions!: Positions;
  role!: SiteRole;
  /** The bot may DM this member (on unless they turned it off; SQLite answers 0/1). */
  discordDms!: boolean | number;
  createdAt!: Date | string;
  updatedAt!: Date | string;

  override $beforeInsert() {
    this.guildRoleIds ??= [];
    this.positions ??= NO_POSITIONS;
  }
  override $beforeUpdate() {
    this.updatedAt = new Date().toISOString();
  }
}

/** Display name = guild nick, else global name, else username. */
export function displayName(user: Pick<User, 'guildNickname' | 'globalName' | 'username'>): string {
  return user.guildNickname || user.globalName || user.username;
}

export function avatarUrl(user: Pick<User, 'discordId' | 'avatar'>): string {
  if (user.avatar) {
    const ext = user.avatar.startsWith('a_') ? 'gif' : 'png';
    return `https://cdn.discordapp.com/avatars/${user.discordId}/${user.avatar}.${ext}`;
  }
  const index = /^\d+$/.test(user.discordId) ? Number((BigInt(user.discordId) >> 22n) % 6n) : 0;
  return `https://cdn.discordapp.com/embed/avatars/${index}.png`;
}

export function toPublicUser(user: User): PublicUser {
  return {
    id: user.id,
    discordId: user.discordId,
    username: user.username,
    displayName: displayName(user),
    avatarUrl: avatarUrl(user),
    steamId: user.steamId,
    steamAccountId: user.steamId ? steamAccountId(user.steamId) : null,
    mmr: user.mmr,
    positions: user.positions ?? NO_POSITIONS,
  };
}

export function toPrivateUser(user: User): PrivateUser {
  return {
    ...toPublicUser(user),
    role: user.role,
    guildNickname: user.guildNickname,
    globalName: user.globalName,
    guildRoleIds: user.guildRoleIds ?? [],
    discordDms: Boolean(user.discordDms ?? true),
    createdAt: isoTime(user.createdAt),
  };
}
