import { ConfigError, loadConfig } from './config';
import { createHub } from './app';

/** The process: read config, build the hub, serve, stop cleanly on SIGTERM/SIGINT. */
async function main() {
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`Configuration error: ${err.message}\n`);
      process.exit(78); // EX_CONFIG
    }
    throw err;
  }
  const hub = await createHub(config);
  const port = await hub.listen();
  hub.services.log.info(
    { port, database: config.database.client, redis: Boolean(config.redis), discord: Boolean(config.discord), devLogin: config.devLogin },
    `DTX Hub listening on ${config.publicUrl.replace(/:\d+$/, '')}:${port}`,
  );

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    hub.services.log.info({ signal }, 'shutting down');
    await hub.close();
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}

main().catch((err: unknown) => {
  process.stderr.write(`DTX Hub failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
