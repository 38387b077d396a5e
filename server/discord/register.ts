import type { Config } from '../config';
import { SLASH_COMMANDS } from './commands';

/** Why the commands cannot be registered with this configuration, or undefined when they can. */
export function missingForRegistration(config: Config): string | undefined {
  if (!config.discordBot) return 'DISCORD_BOT_TOKEN: required to register the slash commands (got not set)';
  if (!config.discordBot.applicationId) return 'DISCORD_APPLICATION_ID: required to register the slash commands (got not set)';
  if (!config.discordBot.guildId) return 'DISCORD_GUILD_ID: required to register the slash commands for your server (got not set)';
  return undefined;
}

/**
 * Replaces the guild's commands with the hub's (a PUT is Discord's bulk overwrite: commands no
 * longer in the list go away). Guild commands apply at once, global ones would take up to an hour.
 */
export async function registerGuildCommands(config: Config): Promise<{ names: string[] }> {
  const missing = missingForRegistration(config);
  if (missing) throw new Error(missing);
  const bot = config.discordBot!;
  const url = `${bot.apiBase}/applications/${bot.applicationId}/guilds/${bot.guildId}/commands`;
  const res = await fetch(url, {
    method: 'PUT',
    headers: { authorization: `Bot ${bot.token}`, 'content-type': 'application/json' },
    body: JSON.stringify(SLASH_COMMANDS),
    signal: AbortSignal.timeout(15_000),
  });
  const text = await res.text();
  if (!res.ok) {
    let reason = text.slice(0, 300);
    try {
      reason = (JSON.parse(text) as { message?: string }).message ?? reason;
    } catch {
      // not JSON: the text as it came
    }
    throw new Error(`Discord answered ${res.status} to PUT ${new URL(url).pathname}: ${reason}`);
  }
  const names = (JSON.parse(text) as { name: string }[]).map((c) => c.name);
  return { names };
}
