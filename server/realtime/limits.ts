import crypto from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';

/** A token bucket: `burst` tokens, refilled at `perSecond`; one token per command. */
export class TokenBucket {
  private tokens: number;
  private last: number;
  constructor(
    private readonly perSecond: number,
    private readonly burst: number,
    now = Date.now(),
  ) {
    this.tokens = burst;
    this.last = now;
  }
  take(now = Date.now()): boolean {
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) / 1000) * this.perSecond);
    this.last = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
  /** Full again: nothing worth keeping in memory. */
  isFull(now = Date.now()): boolean {
    return this.tokens + ((now - this.last) / 1000) * this.perSecond >= this.burst;
  }
}

// The same bucket kept in Redis, so a user's limit holds across processes. Atomic in one script.
const TAKE_SCRIPT = `
local rate = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local now = tonumber(ARGV[3])
local b = redis.call('HMGET', KEYS[1], 't', 'ts')
local tokens = tonumber(b[1]) or burst
local ts = tonumber(b[2]) or now
if now > ts then tokens = math.min(burst, tokens + (now - ts) / 1000 * rate) end
local ok = 0
if tokens >= 1 then tokens = tokens - 1; ok = 1 end
redis.call('HSET', KEYS[1], 't', tostring(tokens), 'ts', tostring(math.max(now, ts)))
redis.call('PEXPIRE', KEYS[1], math.ceil(burst / rate * 1000) + 1000)
return ok`;

const TAKE_SHA = crypto.createHash('sha1').update(TAKE_SCRIPT).digest('hex');

export interface UserLimiter {
  take(userId: number): Promise<boolean>;
}

/**
 * Per-user command limit: in Redis when configured (one limit for all of a user's sockets on
 * every process), else in memory. If Redis fails, the process's own buckets decide.
 */
export function createUserLimiter(opts: { perSecond: number; burst: number; redis: Redis | undefined; prefix: string; log: Logger }): UserLimiter {
  const local = new Map<number, TokenBucket>();
  const takeLocal = (userId: number) => {
    let bucket = local.get(userId);
    if (!bucket) local.set(userId, (bucket = new TokenBucket(opts.perSecond, opts.burst)));
    const ok = bucket.take();
    if (local.size > 10_000) for (const [id, b] of local) if (b.isFull()) local.delete(id);
    return ok;
  };
  return {
    async take(userId) {
      if (!opts.redis || opts.redis.status !== 'ready') return takeLocal(userId);
      try {
        const args = [1, `${opts.prefix}rl:user:${userId}`, opts.perSecond, opts.burst, Date.now()] as const;
        // By hash (no script text per command); Redis forgets scripts on restart: send it again.
        const ok = await opts.redis.evalsha(TAKE_SHA, ...args).catch((err: Error) => {
          if (!err.message.includes('NOSCRIPT')) throw err;
          return opts.redis!.eval(TAKE_SCRIPT, ...args);
        });
        return ok === 1;
      } catch (err) {
        opts.log.warn({ err }, 'user rate limit in redis failed, using this process only');
        return takeLocal(userId);
      }
    },
  };
}
