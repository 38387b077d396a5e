import type { Redis } from 'ioredis';
import type { Logger } from 'pino';

/**
 * One rate limiter for the whole hub (ST1). Each bucket hands out call slots at least
 * `intervalMs` apart: a caller reserves the next free slot and sleeps until it. With Redis the
 * slot counter lives there (one script, Redis's clock), so the spacing holds across every
 * process; without Redis it is in-process. `pause` pushes the next slot out (429/503 back-off).
 */
export interface RateLimiter {
  /** Resolves when this caller may send one request in the bucket. */
  acquire(bucket: string, intervalMs: number): Promise<void>;
  /** No call in the bucket before `ms` from now. */
  pause(bucket: string, ms: number): Promise<void>;
  /** Milliseconds until the bucket's next free slot (0 when free): reported as back-off. */
  waitFor(bucket: string): Promise<number>;
}

// KEYS[1] = bucket; ARGV[1] = interval ms; answers the wait in ms before the reserved slot.
const RESERVE = `
local t = redis.call('TIME')
local now = t[1] * 1000 + math.floor(t[2] / 1000)
local nextAt = tonumber(redis.call('GET', KEYS[1]) or '0')
if nextAt < now then nextAt = now end
redis.call('SET', KEYS[1], nextAt + tonumber(ARGV[1]), 'PX', nextAt - now + tonumber(ARGV[1]) + 60000)
return nextAt - now`;
// KEYS[1] = bucket; ARGV[1] = pause ms.
const PAUSE = `
local t = redis.call('TIME')
local now = t[1] * 1000 + math.floor(t[2] / 1000)
local nextAt = tonumber(redis.call('GET', KEYS[1]) or '0')
local until_ = now + tonumber(ARGV[1])
if until_ > nextAt then redis.call('SET', KEYS[1], until_, 'PX', tonumber(ARGV[1]) + 60000) end
return 0`;
const PEEK = `
local t = redis.call('TIME')
local now = t[1] * 1000 + math.floor(t[2] / 1000)
local nextAt = tonumber(redis.call('GET', KEYS[1]) or '0')
if nextAt < now then return 0 end
return nextAt - now`;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export function createMemoryLimiter(now: () => number = Date.now): RateLimiter {
  const next = new Map<string, number>();
  return {
    async acquire(bucket, intervalMs) {
      const t = now();
      const at = Math.max(next.get(bucket) ?? 0, t);
      next.set(bucket, at + intervalMs);
      if (at > t) await sleep(at - t);
    },
    async pause(bucket, ms) {
      next.set(bucket, Math.max(next.get(bucket) ?? 0, now() + ms));
    },
    async waitFor(bucket) {
      return Math.max(0, (next.get(bucket) ?? 0) - now());
    },
  };
}

/**
 * Redis-backed when the hub has Redis. If Redis does not answer, the in-process limiter takes
 * over for that call: this process still keeps to the rate (RT10: nothing stops with Redis).
 */
export function createRedisLimiter(redis: Redis, prefix: string, log: Logger): RateLimiter {
  const local = createMemoryLimiter();
  const key = (bucket: string) => `${prefix}steam:rate:${bucket}`;
  const script = async (lua: string, bucket: string, arg: number) => Number(await redis.eval(lua, 1, key(bucket), String(arg)));
  return {
    async acquire(bucket, intervalMs) {
      let wait: number;
      try {
        wait = await script(RESERVE, bucket, intervalMs);
      } catch (err) {
        log.warn({ err: (err as Error).message }, 'rate limiter: Redis unavailable, limiting in-process');
        return local.acquire(bucket, intervalMs);
      }
      if (wait > 0) await sleep(wait);
    },
    async pause(bucket, ms) {
      await local.pause(bucket, ms);
      await script(PAUSE, bucket, ms).catch(() => undefined);
    },
    async waitFor(bucket) {
      return script(PEEK, bucket, 0).catch(() => local.waitFor(bucket));
    },
  };
}
