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
// Answers 1 (taken), or minus the milliseconds until the next token.
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
if ok == 1 then return 1 end
return -math.ceil((1 - tokens) / rate * 1000)`;

const TAKE_SHA = crypto.createHash('sha1').update(TAKE_SCRIPT).digest('hex');

export interface UserLimiter {
  /**
   * Takes one of the user's tokens: a boolean when this process can tell at once (no Redis,
   * Redis not ready, or Redis refused this user moments ago), else Redis's answer to come.
   */
  take(userId: number): boolean | Promise<boolean>;
}

/**
 * Per-user command limit: in Redis when configured (one limit for all of a user's sockets on
 * every process), else in memory. If Redis fails, the process's own buckets decide.
 */
export function createUserLimiter(opts: {
  perSecond: number;
  burst: number;
  redis: Redis | undefined;
  prefix: string;
  log: Logger;
  /** How long Redis may take to answer: a command waits for it before COMMIT, holding its locks. */
  timeoutMs?: number;
}): UserLimiter {
  const timeoutMs = opts.timeoutMs ?? 250;
  const local = new Map<number, TokenBucket>();
  /** Users Redis refused, until their next token: refused here without asking again. */
  const refusedUntil = new Map<number, number>();
  const takeLocal = (userId: number) => {
    let bucket = local.get(userId);
    if (!bucket) local.set(userId, (bucket = new TokenBucket(opts.perSecond, opts.burst)));
    const ok = bucket.take();
    if (local.size > 10_000) for (const [id, b] of local) if (b.isFull()) local.delete(id);
    return ok;
  };
  const takeInRedis = async (redis: Redis, userId: number) => {
    try {
      const now = Date.now();
      const args = [1, `${opts.prefix}rl:user:${userId}`, opts.perSecond, opts.burst, now] as const;
      // By hash (no script text per command); Redis forgets scripts on restart: send it again.
      const asked = redis.evalsha(TAKE_SHA, ...args).catch((err: Error) => {
        if (!err.message.includes('NOSCRIPT')) throw err;
        return redis.eval(TAKE_SCRIPT, ...args);
      });
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer from redis in ${timeoutMs} ms`)), timeoutMs);
      });
      asked.catch(() => {}); // a late failure after the deadline has nobody to tell
      const answer = await Promise.race([asked, late]).finally(() => clearTimeout(timer));
      if (answer === 1) return true;
      refusedUntil.set(userId, now - Number(answer));
      if (refusedUntil.size > 10_000) for (const [id, until] of refusedUntil) if (until <= now) refusedUntil.delete(id);
      return false;
    } catch (err) {
      opts.log.warn({ err }, 'user rate limit in redis failed, using this process only');
      return takeLocal(userId);
    }
  };
  return {
    take(userId) {
      if (!opts.redis || opts.redis.status !== 'ready') return takeLocal(userId);
      if ((refusedUntil.get(userId) ?? 0) > Date.now()) return false;
      return takeInRedis(opts.redis, userId);
    },
  };
}
