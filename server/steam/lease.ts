import crypto from 'node:crypto';
import type { Redis } from 'ioredis';

/**
 * Who runs a job when several processes could (ST6). With Redis: a key set NX with an expiry,
 * renewed by its holder; when the holder dies the key expires and the next process to ask
 * takes it, so the job moves within one lease period. Without Redis there is one process: it
 * always holds the lease.
 */
export interface Lease {
  /** Takes or renews the lease; answers whether this process holds it now. */
  hold(): Promise<boolean>;
  release(): Promise<void>;
  readonly owner: string;
}

const RENEW = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) else return 0 end`;
const RELEASE = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) else return 0 end`;

export function createLease(redis: Redis | undefined, key: string, ttlMs: number, now: () => number = Date.now): Lease {
  const owner = `${process.pid}:${crypto.randomBytes(6).toString('hex')}`;
  if (!redis) return { owner, hold: async () => true, release: async () => undefined };
  let heldUntil = 0;
  return {
    owner,
    async hold() {
      const asked = now();
      try {
        const renewed = heldUntil > 0 && Number(await redis.eval(RENEW, 1, key, owner, String(ttlMs))) === 1;
        const taken = renewed || (await redis.set(key, owner, 'PX', ttlMs, 'NX')) === 'OK';
        heldUntil = taken ? asked + ttlMs : 0;
        return taken;
      } catch {
        // Redis is away: keep the lease only as long as the one we last got lasts.
        return asked < heldUntil;
      }
    },
    async release() {
      heldUntil = 0;
      await redis.eval(RELEASE, 1, key, owner).catch(() => undefined);
    },
  };
}
