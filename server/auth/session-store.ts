import session, { type SessionData } from 'express-session';
import { RedisStore } from 'connect-redis';
import { ConnectSessionKnexStore } from 'connect-session-knex';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { Db } from '../db/knex';

type Callback = (err?: unknown, data?: SessionData | null) => void;

/**
 * Sessions when Redis is configured: the database row (connect-session-knex, `sessions` table) is
 * the durable copy, Redis (connect-redis) the fast one every process shares. Why both: Redis
 * alone logs everyone out, and blocks every REST change, for as long as it is down; with the
 * database behind it an outage costs nothing but speed.
 *
 * - set/touch/destroy write the database first (its failure fails the request), then Redis (its
 *   failure is logged once per outage and otherwise ignored);
 * - get reads Redis, and the database on a miss or an error (a miss found in the database is put
 *   back in Redis);
 * - every id written or destroyed while Redis was unreachable is remembered, and its Redis copy
 *   deleted when Redis is back, before Redis is read again: a stale copy can neither bring back
 *   a logged-out session nor hide a newer one (the next read takes the database row).
 */
export class DurableSessionStore extends session.Store {
  private readonly db: ConnectSessionKnexStore;
  private readonly cache: RedisStore;
  private readonly stale = new Set<string>();
  private flushing: Promise<void> | undefined;
  private outage = false;

  constructor(
    private readonly redis: Redis,
    prefix: string,
    knex: Db,
    private readonly log: Logger,
  ) {
    super();
    this.db = new ConnectSessionKnexStore({ knex, tableName: 'sessions', createTable: false, cleanupInterval: 3600_000 });
    this.cache = new RedisStore({ client: redis, prefix });
    redis.on('ready', () => void this.usable());
  }

  override get(sid: string, cb: Callback) {
    void (async () => {
      const usable = await this.usable();
      if (usable) {
        try {
          const cached = (await this.cache.get(sid)) as SessionData | null;
          if (cached) return cached;
        } catch (err) {
          this.down(err);
        }
      }
      const stored = await this.db.get(sid, () => {});
      if (stored && usable && !this.outage) await this.toRedis(sid, () => this.cache.set(sid, stored));
      return stored;
    })().then((sess) => cb(null, sess), cb);
  }

  override set(sid: string, sess: SessionData, cb?: Callback) {
    this.db
      .set(sid, sess)
      .then(() => this.toRedis(sid, () => this.cache.set(sid, sess)))
      .then(
        () => cb?.(),
        (err) => cb?.(err),
      );
  }

  /** Only moves the expiry (every request, `rolling`): never fails a request that already ran. */
  override touch(sid: string, sess: SessionData, cb?: () => void) {
    this.db
      .touch(sid, sess)
      .catch((err) => this.log.warn({ err: err instanceof Error ? err.message : String(err) }, 'sessions: could not extend a session in the database'))
      .then(() => this.toRedis(sid, () => this.cache.touch(sid, sess)))
      .then(() => cb?.());
  }

  override destroy(sid: string, cb?: (err?: unknown) => void) {
    this.db
      .destroy(sid)
      .then(() => this.toRedis(sid, () => this.cache.destroy(sid)))
      .then(
        () => cb?.(),
        (err) => cb?.(err),
      );
  }

  /** Runs a Redis write, or remembers the id for when Redis is back. Never rejects. */
  private async toRedis(sid: string, write: () => Promise<unknown>) {
    if (await this.usable()) {
      try {
        await write();
        return;
      } catch (err) {
        this.down(err);
      }
    }
    this.stale.add(sid);
  }

  /** Whether Redis may be read and written: connected, and every stale copy deleted. */
  private async usable(): Promise<boolean> {
    if (this.redis.status !== 'ready') {
      this.down(new Error(`redis is ${this.redis.status}`));
      return false;
    }
    if (this.stale.size === 0 && !this.outage) return true;
    await (this.flushing ??= this.flush().finally(() => (this.flushing = undefined)));
    return this.stale.size === 0 && !this.outage;
  }

  private async flush() {
    try {
      while (this.stale.size > 0) {
        const batch = [...this.stale].slice(0, 500);
        for (const sid of batch) this.stale.delete(sid);
        try {
          await this.cache.client.del(batch.map((sid) => this.cache.prefix + sid));
        } catch (err) {
          for (const sid of batch) this.stale.add(sid);
          throw err;
        }
      }
      if (this.outage) this.log.info('sessions: redis is back (copies written during the outage dropped)');
      this.outage = false;
    } catch (err) {
      this.down(err);
    }
  }

  private down(err: unknown) {
    if (this.outage) return;
    this.outage = true;
    this.log.warn({ err: err instanceof Error ? err.message : String(err) }, 'sessions: redis is unavailable, the database serves them until it is back');
  }
}
