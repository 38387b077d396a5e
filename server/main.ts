import { ConfigError, loadConfig } from './config';
import { createHub } from './app';
import { createDb, migrateLatest } from './db/knex';

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
  if (config.migrateOnStart) await migrateWithRetry(config);
  const hub = await createHub(config, { migrate: false });
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

/**
 * Two replicas started together on an empty database: knex's migration lock (a row in
 * knex_migrations_lock, taken in a transaction) lets one apply the migrations; the other fails
 * with "Migration table is already locked" (or loses the race to create knex's own tables).
 * It waits and tries again, and then finds nothing pending. Gives up after 5 minutes: a busy
 * database can take more than a minute over the other's migrations (a loaded CI run did).
 */
const MIGRATION_WAIT_MS = 5 * 60_000;
async function migrateWithRetry(config: ReturnType<typeof loadConfig>) {
  const db = createDb(config.database);
  const giveUpAt = Date.now() + MIGRATION_WAIT_MS;
  try {
    for (;;) {
      try {
        await migrateLatest(db);
        return;
      } catch (err) {
        const race = /already locked|already exists|duplicate key/i.test(err instanceof Error ? err.message : String(err));
        if (!race || Date.now() >= giveUpAt) throw err;
        await new Promise((resolve) => setTimeout(resolve, 250 + Math.random() * 250));
      }
    }
  } finally {
    await db.destroy();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`DTX Hub failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
