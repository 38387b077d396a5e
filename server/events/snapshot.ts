import type { Knex } from 'knex';
import { type Db, isPostgres } from '../db/knex';

/** The current sequence number of a room (0 before its first event). */
export async function roomSeq(db: Knex, room: string): Promise<number> {
  const row = await db('rooms').where({ name: room }).first('seq');
  return row ? Number(row.seq) : 0;
}

/**
 * Runs `read` in one transaction that sees one state of the database, so a room's seq read in
 * it matches every row read with it (a client applies later events on top). PostgreSQL needs
 * repeatable read for that (read committed takes a new snapshot per statement); a SQLite
 * transaction reads one snapshot already.
 */
export function readConsistently<T>(db: Db, read: (trx: Knex.Transaction) => Promise<T>): Promise<T> {
  return isPostgres(db) ? db.transaction(read, { isolationLevel: 'repeatable read' }) : db.transaction(read);
}
