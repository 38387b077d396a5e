import type { Knex } from 'knex';
import { sqliteConnectionOf, type Db } from '../db/knex';

/** One event as written to the log (`payload` already JSON). */
export interface EventRow {
  room: string;
  seq: number;
  type: string;
  payload: string;
  actorUserId: number | null;
  at: string;
}

/**
 * The statements the command bus runs on every command, inside its transaction: lock a room's
 * row (reading its seq), create the row, append an event and move the seq.
 */
export interface RoomLogWriter {
  /** A no-op write that takes the row lock (PostgreSQL) or the write lock (SQLite); undefined for a room without a row. */
  lock(room: string): Promise<number | undefined>;
  create(room: string): Promise<void>;
  append(event: EventRow): Promise<void>;
}

const LOCK = 'update rooms set seq = seq where name = ? returning seq';
const CREATE = 'insert into rooms (name, seq) values (?, 0) on conflict (name) do nothing';
const MOVE = 'update rooms set seq = ? where name = ?';
const APPEND = 'insert into events (room, seq, type, payload, actor_user_id, created_at) values (?, ?, ?, ?, ?, ?)';

/**
 * On SQLite, the statements go straight to the pool's one connection, which `trx` holds: they
 * run every command, and knex's builder costs more than SQLite's work here (see
 * `sqliteConnectionOf`). On PostgreSQL, and whenever that connection is not at hand, through knex.
 */
export function roomLogWriter(db: Db, trx: Knex.Transaction): RoomLogWriter {
  const sqlite = sqliteConnectionOf(db);
  // `trx` has begun on it by now; a connection not in a transaction is not the one `trx` holds.
  if (sqlite?.inTransaction) {
    return {
      lock: async (room) => (sqlite.prepare(LOCK).get(room) as { seq: number } | undefined)?.seq,
      create: async (room) => void sqlite.prepare(CREATE).run(room),
      append: async (e) => {
        sqlite.prepare(MOVE).run(e.seq, e.room);
        sqlite.prepare(APPEND).run(e.room, e.seq, e.type, e.payload, e.actorUserId, e.at);
      },
    };
  }
  return {
    lock: async (room) => {
      const [row] = (await trx('rooms')
        .where({ name: room })
        .update({ seq: trx.raw('seq') }, ['seq'])) as { seq: number | string }[];
      return row ? Number(row.seq) : undefined;
    },
    create: async (room) => void (await trx('rooms').insert({ name: room, seq: 0 }).onConflict('name').ignore()),
    append: async (e) => {
      await trx('rooms').where({ name: e.room }).update({ seq: e.seq });
      await trx('events').insert({ room: e.room, seq: e.seq, type: e.type, payload: e.payload, actorUserId: e.actorUserId, createdAt: e.at });
    },
  };
}
