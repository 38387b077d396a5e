import { z } from 'zod';
import { normalizeSteamId } from '../steamid';
import { Id, Page } from './common';

export const SITE_ROLES = ['admin', 'staff', 'member'] as const;
export const SiteRole = z.enum(SITE_ROLES);
export type SiteRole = z.infer<typeof SiteRole>;

/** Dota positions 1 (carry) .. 5 (hard support). */
export const POSITIONS = ['1', '2', '3', '4', '5'] as const;
export const POSITION_NAMES: Record<(typeof POSITIONS)[number], string> = {
  '1': 'Carry',
  '2': 'Mid',
  '3': 'Offlane',
  '4': 'Soft support',
  '5': 'Hard support',
};
const Rating = z.number().int().min(0).max(5);
/** Each position rated 0 (won't play) to 5 (best). */
export const Positions = z.object({ '1': Rating, '2': Rating, '3': Rating, '4': Rating, '5': Rating }).meta({ id: 'Positions' });
export type Positions = z.infer<typeof Positions>;
export const NO_POSITIONS: Positions = { '1': 0, '2': 0, '3': 0, '4': 0, '5': 0 };

export const Mmr = z.number().int().min(0).max(20_000);
export const Snowflake = z.string().regex(/^\d{15,21}$/, 'expected a Discord id (a snowflake)');

/** What anyone, logged in or not, may see of a user. */
export const PublicUser = z
  .object({
    id: z.number().int(),
    discordId: z.string(),
    username: z.string(),
    displayName: z.string(),
    avatarUrl: z.string(),
    steamId: z.string().nullable(),
    steamAccountId: z.number().int().nullable(),
    mmr: z.number().int().nullable(),
    positions: Positions,
  })
  .meta({ id: 'PublicUser' });
export type PublicUser = z.infer<typeof PublicUser>;

/** The user themself, and site staff, see more. */
export const PrivateUser = PublicUser.extend({
  role: SiteRole,
  guildNickname: z.string().nullable(),
  globalName: z.string().nullable(),
  guildRoleIds: z.array(z.string()),
  discordDms: z.boolean().describe('whether the bot may send this member direct messages (their turn, their series); they turn it off on their profile'),
  createdAt: z.string(),
}).meta({ id: 'PrivateUser' });
export type PrivateUser = z.infer<typeof PrivateUser>;

/** A Steam id in any of the forms players use, normalised to a SteamID64 string. */
export const SteamIdInput = z
  .string()
  .max(200)
  .transform((value, ctx) => {
    const result = normalizeSteamId(value);
    if (!result.ok) {
      ctx.addIssue({ code: 'custom', message: result.reason });
      return z.NEVER;
    }
    return result.steamId64;
  });

export const ProfileUpdate = z
  .object({
    steamId: SteamIdInput.nullable().optional(),
    mmr: Mmr.nullable().optional(),
    positions: Positions.optional(),
    discordDms: z.boolean().optional(),
  })
  .strict()
  .meta({ id: 'ProfileUpdate' });
export type ProfileUpdate = z.input<typeof ProfileUpdate>;

export const RoleUpdate = z.object({ role: SiteRole }).strict().meta({ id: 'RoleUpdate' });

export const UserListQuery = Page.extend({ q: z.string().trim().max(100).optional() });
export const UserList = z.object({ items: z.array(PublicUser), total: z.number().int() });
export const UserIdParams = z.object({ userId: Id });

export const AuthInfo = z
  .object({
    user: PrivateUser.nullable(),
    csrfToken: z.string(),
    login: z.object({ discord: z.boolean(), devLogin: z.boolean() }),
    discordBot: z
      .object({
        notices: z.boolean().describe('the bot is configured: notices and DMs go to Discord'),
        events: z.boolean().describe('tournaments get Discord scheduled events (the bot and the guild id)'),
        roleRefresh: z.boolean().describe("staff can refresh a member's roles from Discord (the bot and the guild id)"),
      })
      .describe('what the hub tells Discord; all false without the bot'),
  })
  .meta({ id: 'AuthInfo' });
export type AuthInfo = z.infer<typeof AuthInfo>;

export const DevLoginBody = z
  .object({
    username: z
      .string()
      .trim()
      .regex(/^[a-z0-9_.]{2,32}$/i, '2–32 letters, digits, _ or .'),
    role: SiteRole.default('member'),
  })
  .strict();
