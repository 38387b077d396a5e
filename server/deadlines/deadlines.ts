import type { Knex } from 'knex';
import type { Logger } from 'pino';
import type { CommandBus, CommandTx } from '../commands/command';
import type { HubServices } from '../services';
import type { Clock } from './clock';

/**
 * Deadlines of rooms (a pick timer, later hero-draft steps), kept in the database so they
 * survive restarts and are seen by every process.
 *
 * Each process keeps the pending ones armed on its clock: loaded at start, refreshed every
 * few seconds (deadlines set by other processes), and armed at once when set here. Expiry
 * is an ordinary command: it locks the room, re-reads the row, and runs the handler only if
 * the row is still there, due, and set at the room's current seq; it deletes the row in the
 * same transaction. So however many processes fire, and however often, it happens once.
 */
export interface Deadline {
  kind: string;
  room: string;
  dueAt: number;
  /** The room's seq when the deadline was set; any later event voids it. */
  expectedSeq: number;
  payload: unknown;
}

/** Runs inside the expiry command's transaction, with the room locked at `expectedSeq`. */
export type DeadlineHandler = (tx: CommandTx, deadline: Deadline) => Promise<void>;

export interface DeadlineScheduler {
  readonly clock: Clock;
  register(kind: string, handler: DeadlineHandler): void;
  /** Sets (or replaces) the room's deadline of this kind, inside a command that locked the room. */
  set(tx: CommandTx, deadline: Deadline): Promise<void>;
  clear(tx: CommandTx, kind: string, room: string): Promise<void>;
  get(db: Knex, kind: string, room: string): Promise<Deadline | undefined>;
  /** Loads every pending deadline and keeps refreshing. */
  start(): Promise<void>;
  /** Reads the pending deadlines again (also done every refreshMs). */
  refresh(): Promise<void>;
  stop(): void;
}

/** The hub's clock as ISO 8601 text: answers carry it so a client can show a deadline's time left. */
export const serverTimeOf = (hub: Pick<HubServices, 'clock'>) => new Date(hub.clock.now()).toISOString();

/** A command's answer with the hub's clock as it answered (REST; socket acks carry it in their envelope). */
export async function withServerTime<T extends object>(hub: HubServices, answer: Promise<T>): Promise<T & { serverTime: string }> {
  return { ...(await answer), serverTime: serverTimeOf(hub) };
}

interface Row {
  kind: string;
  room: string;
  dueAtMs: number | string;
  expectedSeq: number | string;
  payload: unknown;
}
const fromRow = (r: Row): Deadline => ({
  kind: r.kind,
  room: r.room,
  dueAt: Number(r.dueAtMs),
  expectedSeq: Number(r.expectedSeq),
  payload: typeof r.payload === 'string' ? JSON.parse(r.payload) : r.payload,
});

export function createDeadlineScheduler(deps: { db: Knex; commands: CommandBus; log: Logger; clock: Clock; refreshMs?: number }): DeadlineScheduler {
  const { db, commands, log, clock } = deps;
  const refreshMs = deps.refreshMs ?? 2000;
  const handlers = new Map<string, DeadlineHandler>();
  /** Armed deadlines of this process: key → cancel. */
  const armed = new Map<string, { dueAt: number; cancel: () => void }>();
  let running = false;
  let cancelRefresh: (() => void) | undefined;

  const keyOf = (kind: string, room: string) => `${kind}|${room}`;

  function arm(kind: string, room: string, dueAt: number) {
    const key = keyOf(kind, room);
    const existing = armed.get(key);
    if (existing?.dueAt === dueAt) return;
    existing?.cancel();
    if (!running) return;
    const cancel = clock.setTimer(dueAt, () => {
      armed.delete(key);
      void fire(kind, room);
    });
    armed.set(key, { dueAt, cancel });
  }

  function disarmAll() {
    for (const entry of armed.values()) entry.cancel();
    armed.clear();
    cancelRefresh?.();
    cancelRefresh = undefined;
  }

  async function fire(kind: string, room: string) {
    const handler = handlers.get(kind);
    if (!handler) return;
    let notYet: number | undefined;
    try {
      await commands.run(null, async (tx) => {
        const seq = await tx.lock(room);
        const row = await tx.db('deadlines').where({ kind, room }).first();
        if (!row) return; // fired elsewhere, or cleared
        const deadline = fromRow(row);
        if (deadline.dueAt > clock.now()) {
          notYet = deadline.dueAt; // replaced by a later one
          return;
        }
        await tx.db('deadlines').where({ kind, room }).delete();
        if (deadline.expectedSeq !== seq) {
          log.warn({ kind, room, expectedSeq: deadline.expectedSeq, seq }, 'stale deadline dropped');
          return;
        }
        await handler(tx, deadline);
      });
    } catch (err) {
      // Left in the database: the next refresh arms it again.
      log.warn({ err, kind, room }, 'deadline expiry failed; will retry');
    }
    if (notYet !== undefined) arm(kind, room, notYet);
  }

  async function refresh() {
    if (!running) return;
    const rows: Row[] = await db('deadlines').select('kind', 'room', 'dueAtMs', 'expectedSeq', 'payload');
    if (!running) return;
    const seen = new Set<string>();
    for (const d of rows.map(fromRow)) {
      seen.add(keyOf(d.kind, d.room));
      arm(d.kind, d.room, d.dueAt);
    }
    // Gone from the database (fired or cleared elsewhere): nothing to arm here either.
    for (const [key, entry] of armed) {
      if (!seen.has(key)) {
        entry.cancel();
        armed.delete(key);
      }
    }
  }

  function scheduleRefresh() {
    cancelRefresh = clock.setTimer(clock.now() + refreshMs, () => {
      refresh()
        .catch((err: unknown) => log.warn({ err }, 'deadline refresh failed'))
        .finally(() => {
          if (running) scheduleRefresh();
        });
    });
  }

  const scheduler: DeadlineScheduler = {
    clock,
    register(kind, handler) {
      handlers.set(kind, handler);
    },
    async set(tx, d) {
      await tx
        .db('deadlines')
        .insert({ kind: d.kind, room: d.room, dueAtMs: d.dueAt, expectedSeq: d.expectedSeq, payload: JSON.stringify(d.payload ?? {}) })
        .onConflict(['kind', 'room'])
        .merge();
      // Armed before commit: a rolled-back deadline finds no row when it fires.
      arm(d.kind, d.room, d.dueAt);
    },
    async clear(tx, kind, room) {
      await tx.db('deadlines').where({ kind, room }).delete();
      const entry = armed.get(keyOf(kind, room));
      entry?.cancel();
      armed.delete(keyOf(kind, room));
    },
    async get(q, kind, room) {
      const row = await q('deadlines').where({ kind, room }).first();
      return row ? fromRow(row) : undefined;
    },
    async start() {
      running = true;
      await refresh();
      scheduleRefresh();
    },
    refresh,
    stop() {
      running = false;
      disarmAll();
    },
  };
  return scheduler;
}
