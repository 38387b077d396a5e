import { ConfigError, loadConfig } from '../config';
import { missingForRegistration, registerGuildCommands } from '../discord/register';

/** `npm run discord:commands`: registers the hub's slash commands for the guild (docs/discord.md). */
try {
  const config = loadConfig();
  const missing = missingForRegistration(config);
  if (missing) throw new ConfigError(missing);
  const { names } = await registerGuildCommands(config);
  process.stdout.write(`registered ${names.length} slash commands for guild ${config.discordBot!.guildId}: ${names.map((n) => `/${n}`).join(' ')}\n`);
} catch (err) {
  process.stderr.write(
    `${err instanceof ConfigError ? 'Configuration error: ' : 'Registration failed: '}${err instanceof Error ? err.message : String(err)}\n`,
  );
  process.exit(1);
}
