import type { Knex } from 'knex';
import type { Logger } from 'pino';
import type { Db } from '../db/knex';
import { isContention, isForeignKeyViolation, isUniqueViolation } from '../db/errors';
import { conflict, HubError } from './errors';
import type { ReadCache } from '../cache/read-cache';
import type { RoomEvent } from '../events/event.model';
import { roomLogWriter } from '../events/room-log';
import type { Actor } from '../auth/actor';
import { currentContext } from '../observability/context';
import type { HubMetrics } from '../observability/metrics';
import { InFlight } from '../lifecycle/in-flight';

/**
 * Receives each committed event (the realtime layer), as soon as its cache invalidation has
 * been sent. Only what Redis runs after that invalidation may go at once (the PUBLISH to other
 * processes, on the same connection); anything a client of this process could see waits for
 * `invalidated`, so that a read made after the event can never be stale (RT8).
 */
export type EventSink = (event: RoomEvent, delivery: Delivery) => void;

export interface Delivery {
  /** Settles once the reads this command made stale are forgotten (never rejects). */
  invalidated: Promise<void>;
  /**
   * This command emitted several events, or other commands are running in this process, so
   * more events are about to follow (the fan-out coalesces its writes then).
   */
  moreToFollow: boolean;
}

/**
 * What a command sees inside its transaction. `lock` serialises commands on a room (and
 * checks the version the caller saw); `emit` appends the room's next event; `touch` names
 * the cached reads the change makes stale.
 */
export interface CommandTx {
  readonly db: Knex.Transaction;
  readonly actor: Actor | null;
  lock(room: string, expectedSeq?: number): Promise<number>;
  emit(room: string, type: string, payload: unknown): Promise<number>;
  touch(...tags: string[]): void;
}

export interface CommandBus {
  run<T>(actor: Actor | null, execute: (tx: CommandTx) => Promise<T>): Promise<T>;
  subscribe(sink: EventSink): () => void;
  /** Resolves when no command is running (graceful shutdown waits for this), or after timeoutMs. */
  idle(timeoutMs: number): Promise<boolean>;
}

/** Every event invalidates its room's tag, so room snapshots can be cached safely. */
export const roomTag = (room: string) => `room:${room}`;

/**
 * The one path for every change: one transaction (lock room → rule → rows → event), then
 * invalidate the read cache, then hand the events to subscribers. Rules and authorisation run
 * inside `execute`, after the lock, so they see the state the previous command committed.
 */
export function createCommandBus(deps: { db: Db; cache: ReadCache; log: Logger; metrics?: HubMetrics }): CommandBus {
  const sinks = new Set<EventSink>();
  const running = new InFlight();

  async function run<T>(actor: Actor | null, execute: (tx: CommandTx) => Promise<T>): Promise<T> {
    const end = running.begin();
    // Named by the request that runs it (route pattern or socket command); timers have none.
    const name = currentContext()?.command ?? 'internal';
    const started = performance.now();
    let outcome = 'error';
    try {
      const result = await runOne(actor, execute);
      outcome = 'ok';
      return result;
    } catch (err) {
      if (err instanceof HubError) outcome = 'rejected';
      throw err;
    } finally {
      deps.metrics?.commands.inc({ command: name, outcome });
      const seconds = (performance.now() - started) / 1000;
      deps.metrics?.commandSeconds.observe({ command: name }, seconds);
      deps.log.debug({ outcome, ms: Math.round(seconds * 1000) }, 'command done'); // reqId and command come from the context
      end();
    }
  }

  async function runOne<T>(actor: Actor | null, execute: (tx: CommandTx) => Promise<T>): Promise<T> {
    const emitted: RoomEvent[] = [];
    const tags = new Set<string>();
    let result: T;
    try {
      result = await deps.db.transaction(async (trx) => {
        const log = roomLogWriter(deps.db, trx);
        const locked = new Map<string, number>();
        const lock = async (room: string, expectedSeq?: number) => {
          let seq = locked.get(room);
          if (seq === undefined) {
            // The lock comes first thing; a room's first command creates its row.
            seq = await log.lock(room);
            if (seq === undefined) {
              await log.create(room);
              seq = (await log.lock(room))!;
            }
            locked.set(room, seq);
          }
          if (expectedSeq !== undefined && expectedSeq !== seq) {
            throw conflict(`${room} has changed (now at ${seq}, you saw ${expectedSeq}); reload and try again`);
          }
          return seq;
        };
        const tx: CommandTx = {
          db: trx,
          actor,
          lock,
          async emit(room, type, payload) {
            const seq = (await lock(room)) + 1;
            locked.set(room, seq);
            const at = new Date().toISOString();
            await log.append({ room, seq, type, payload: JSON.stringify(payload), actorUserId: actor?.id ?? null, at });
            emitted.push({ room, seq, type, payload, actorUserId: actor?.id ?? null, at });
            tags.add(roomTag(room));
            return seq;
          },
          touch(...names) {
            for (const name of names) tags.add(name);
          },
        };
        return execute(tx);
      });
    } catch (err) {
      throw asCommandError(err);
    }
    // Sent now, awaited after the sinks had the events (see EventSink).
    const invalidated = tags.size > 0 ? deps.cache.invalidate([...tags]) : Promise.resolve();
    const delivery: Delivery = { invalidated, moreToFollow: emitted.length > 1 || running.size > 1 };
    for (const event of emitted) {
      for (const sink of sinks) {
        try {
          sink(event, delivery);
        } catch (err) {
          deps.log.error({ err, room: event.room, seq: event.seq }, 'event subscriber failed');
        }
      }
    }
    await invalidated;
    return result;
  }

  return {
    run,
    subscribe(sink) {
      sinks.add(sink);
      return () => sinks.delete(sink);
    },
    idle: (timeoutMs) => running.idle(timeoutMs),
  };
}

/** Constraint violations are lost races or stale references: the client's problem, not a 500. */
function asCommandError(err: unknown): unknown {
  if (err instanceof HubError) return err;
  if (isUniqueViolation(err)) return conflict('that already exists (someone else may have just done the same)');
  if (isForeignKeyViolation(err)) return conflict('that is still in use, or refers to something that no longer exists');
  if (isContention(err)) return conflict('another change won the race; reload and try again');
  return err;
}
