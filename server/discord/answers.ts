import { EPHEMERAL, InteractionCallbackType, type InteractionResponse } from '../../shared/schemas/discord';

/** A message answer; ephemeral ones only the caller sees. Mentions in it never ping anyone. */
export function message(content: string, ephemeral: boolean): InteractionResponse {
  return {
    type: InteractionCallbackType.channelMessageWithSource,
    data: { content: content.slice(0, 2000), ...(ephemeral ? { flags: EPHEMERAL } : {}), allowed_mentions: { parse: [] } },
  };
}

export const pong = (): InteractionResponse => ({ type: InteractionCallbackType.pong });

export const unknownCommand = (name: string | undefined) => message(`Unknown command${name ? ` /${name}` : ''}: this hub does not know it.`, true);
