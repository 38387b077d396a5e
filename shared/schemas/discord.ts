import { z } from 'zod';

/**
 * Discord's HTTP interactions (https://discord.com/developers/docs/interactions/receiving-and-responding):
 * only the fields the hub reads are checked; Discord adds fields over time, so the rest pass.
 */
export const InteractionType = { ping: 1, applicationCommand: 2 } as const;
export const InteractionCallbackType = { pong: 1, channelMessageWithSource: 4 } as const;
/** Message flag: only the user who ran the command sees the answer. */
export const EPHEMERAL = 64;

const Snowflake = z.string().regex(/^\d{1,21}$/);
const DiscordUser = z.looseObject({ id: Snowflake });

export const Interaction = z.looseObject({
  id: Snowflake.optional(),
  type: z.number().int(),
  application_id: Snowflake.optional(),
  guild_id: Snowflake.optional(),
  data: z.looseObject({ name: z.string().max(64).optional() }).optional(),
  /** In a guild the caller is member.user; in a DM, user. */
  member: z.looseObject({ user: DiscordUser.optional() }).optional(),
  user: DiscordUser.optional(),
});
export type Interaction = z.infer<typeof Interaction>;

export const InteractionResponse = z.union([
  z.object({ type: z.literal(InteractionCallbackType.pong) }),
  z.object({
    type: z.literal(InteractionCallbackType.channelMessageWithSource),
    data: z.object({
      content: z.string().max(2000),
      flags: z.number().int().optional(),
      /** No pings from the hub's answers: names in them are text, never mentions. */
      allowed_mentions: z.object({ parse: z.array(z.string()).max(0) }),
    }),
  }),
]);
export type InteractionResponse = z.infer<typeof InteractionResponse>;
