import fs from 'node:fs';
import path from 'node:path';
import knexFactory, { type Knex } from 'knex';
import { knexSnakeCaseMappers } from 'objection';
import type { Config } from '../config';
import { migrationSource } from '../../migrations';

/** Columns are snake_case in the database and camelCase in code, in every query (knex-level mapping). */
export type Db = Knex;

/** Where knex writes its own warnings; without it they go to the console as raw text. */
export interface DbLog {
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
  debug(obj: object, msg: string): void;
}

export function createDb(database: Config['database'], log?: DbLog): Db {
  const knexLog = log && {
    log: {
      warn: (message: unknown) => log.warn({ knex: String(message) }, 'database warning'),
      error: (message: unknown) => log.error({ knex: String(message) }, 'database error'),
      deprecate: (method: unknown, alternative: unknown) =>
        log.warn({ knex: `${String(method)} is deprecated: use ${String(alternative)}` }, 'database warning'),
      debug: (message: unknown) => log.debug({ knex: message }, 'database debug'),
    },
  };
  if (database.client === 'pg') {
    return knexFactory({ client: 'pg', connection: database.url, pool: { min: 0, max: 10 }, ...knexSnakeCaseMappers(), ...knexLog });
  }
  if (database.filename !== ':memory:') fs.mkdirSync(path.dirname(path.resolve(database.filename)), { recursive: true });
  let connection: SqliteConnection | undefined;
  const db = knexFactory({
    client: 'better-sqlite3',
    connection: { filename: database.filename },
    useNullAsDefault: true,
    ...knexSnakeCaseMappers(),
    ...knexLog,
    pool: {
      // One connection: better-sqlite3 is synchronous, and one writer per process keeps
      // transactions serialised; other processes wait on busy_timeout.
      min: 1,
      max: 1,
      afterCreate(conn: SqliteConnection, done: (err: Error | null, conn: unknown) => void) {
        cachePreparedStatements(conn);
        connection = conn;
        conn.pragma('journal_mode = WAL');
        conn.pragma('foreign_keys = ON');
        conn.pragma('busy_timeout = 5000');
        conn.pragma('synchronous = NORMAL');
        done(null, conn);
      },
    },
  });
  sqliteConnections.set(db, () => (connection?.open ? connection : undefined));
  return db;
}

/** The parts of a better-sqlite3 statement that direct callers use. */
export interface SqliteStatement {
  get(...params: unknown[]): unknown;
  all(...params: unknown[]): unknown[];
  run(...params: unknown[]): unknown;
}

export interface SqliteConnection {
  readonly open: boolean;
  readonly inTransaction: boolean;
  pragma(sql: string): unknown;
  prepare(sql: string): SqliteStatement;
}

const sqliteConnections = new WeakMap<Knex, () => SqliteConnection | undefined>();

/**
 * The one better-sqlite3 connection behind a SQLite `db` (the pool holds exactly one), for the
 * few statements every command runs, to skip knex's query builder (≈ 80 µs each). Only for code
 * running inside one of this db's transactions (that transaction holds the connection, so the
 * statements are part of it), or for a read while `inTransaction` is false (nothing else is
 * using the connection then: better-sqlite3 is synchronous). Undefined on PostgreSQL, or while
 * the connection is being replaced.
 */
export function sqliteConnectionOf(db: Knex): SqliteConnection | undefined {
  return sqliteConnections.get(db)?.();
}

/** Statements kept per connection; query shapes are few, IN lists of varying length are the only churn. */
const STATEMENT_CACHE_SIZE = 500;

/**
 * knex prepares every query afresh, and with better-sqlite3 preparing costs as much as running
 * a small query. The same SQL text gets the same statement back (safe: knex runs each with
 * all()/run(), which finish before anything else can use the connection).
 */
function cachePreparedStatements(conn: SqliteConnection) {
  const prepare = conn.prepare.bind(conn);
  const statements = new Map<string, SqliteStatement>();
  conn.prepare = (sql: string) => {
    let statement = statements.get(sql);
    if (statement === undefined) {
      if (statements.size >= STATEMENT_CACHE_SIZE) statements.delete(statements.keys().next().value!);
      statement = prepare(sql);
      statements.set(sql, statement);
    }
    return statement;
  };
}

export function isPostgres(db: Db): boolean {
  return db.client.config.client === 'pg';
}

export async function migrateLatest(db: Db): Promise<void> {
  await db.migrate.latest({ migrationSource });
}
