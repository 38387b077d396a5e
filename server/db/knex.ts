import fs from 'node:fs';
import path from 'node:path';
import knexFactory, { type Knex } from 'knex';
import { knexSnakeCaseMappers } from 'objection';
import type { Config } from '../config';
import { migrationSource } from '../../migrations';

/** Columns are snake_case in the database and camelCase in code, in every query (knex-level mapping). */
export type Db = Knex;

export function createDb(database: Config['database']): Db {
  if (database.client === 'pg') {
    return knexFactory({ client: 'pg', connection: database.url, pool: { min: 0, max: 10 }, ...knexSnakeCaseMappers() });
  }
  if (database.filename !== ':memory:') fs.mkdirSync(path.dirname(path.resolve(database.filename)), { recursive: true });
  return knexFactory({
    client: 'better-sqlite3',
    connection: { filename: database.filename },
    useNullAsDefault: true,
    ...knexSnakeCaseMappers(),
    pool: {
      // One connection: better-sqlite3 is synchronous, and one writer per process keeps
      // transactions serialised; other processes wait on busy_timeout.
      min: 1,
      max: 1,
      afterCreate(conn: { pragma(sql: string): unknown }, done: (err: Error | null, conn: unknown) => void) {
        conn.pragma('journal_mode = WAL');
        conn.pragma('foreign_keys = ON');
        conn.pragma('busy_timeout = 5000');
        conn.pragma('synchronous = NORMAL');
        done(null, conn);
      },
    },
  });
}

export function isPostgres(db: Db): boolean {
  return db.client.config.client === 'pg';
}

export async function migrateLatest(db: Db): Promise<void> {
  await db.migrate.latest({ migrationSource });
}
