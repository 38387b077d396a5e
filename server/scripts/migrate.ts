import { ConfigError, loadConfig } from '../config';
import { createDb, migrateLatest } from '../db/knex';

/** `npm run migrate`: apply pending migrations once (the deploy step; see README). */
try {
  const config = loadConfig();
  const db = createDb(config.database);
  await migrateLatest(db);
  const [, pending] = (await db.migrate.list({ migrationSource: (await import('../../migrations')).migrationSource })) as [unknown, unknown[]];
  process.stdout.write(`migrations up to date (${pending.length} pending)\n`);
  await db.destroy();
} catch (err) {
  process.stderr.write(`${err instanceof ConfigError ? 'Configuration error: ' : 'Migration failed: '}${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
}
