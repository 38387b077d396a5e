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
// Every command asked about is charged, even past the bucket's end: the command already ran
// (the answer comes after it), so the bucket goes into debt and the refusals that follow pay
// it back. Answers 1 (a token was there), or minus the milliseconds until the next one is.
const TAKE_SCRIPT = `
local rate = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local now = tonumber(ARGV[3])
local b = redis.call('HMGET', KEYS[1], 't', 'ts')
local tokens = tonumber(b[1]) or burst
local ts = tonumber(b[2]) or now
if now > ts then tokens = math.min(burst, tokens + (now - ts) / 1000 * rate) end
local had = tokens >= 1
tokens = math.max(tokens - 1, -burst)
redis.call('HSET', KEYS[1], 't', tostring(tokens), 'ts', tostring(math.max(now, ts)))
redis.call('PEXPIRE', KEYS[1], math.ceil(2 * burst / rate * 1000) + 1000)
if had then return 1 end
return -math.ceil((1 - tokens) / rate * 1000)`;

const TAKE_SHA = crypto.createHash('sha1').update(TAKE_SCRIPT).digest('hex');

export interface UserLimiter {
  /** Whether the user may send a command now: this process's bucket, unless Redis refused them lately. */
  take(userId: number): boolean;
  /**
   * Charges a command that went through to the user's bucket in Redis, shared by every
   * process; settles (never rejects) once a refusal in the answer applies here.
   */
  charge(userId: number): Promise<void>;
}

/**
 * Per-user command limit. Each process keeps a bucket per user and decides with it at once, so
 * a command never waits for Redis before it runs. With Redis, every command this process let
 * through is then charged to the user's bucket there, shared by all processes: when Redis
 * answers that it was empty, this process refuses the user until Redis says a token is due. So
 * within one process the limit is exact; across processes it holds one command late (each
 * process may let one more through before it hears), and what went through past the limit is
 * paid back by longer refusals, so the user's rate over time is the limit.
 */
export function createUserLimiter(opts: { perSecond: number; burst: number; redis: Redis | undefined; prefix: string; log: Logger }): UserLimiter {
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
  return {
    take(userId) {
      if ((refusedUntil.get(userId) ?? 0) > Date.now()) return false;
      return takeLocal(userId);
    },
    async charge(userId) {
      const redis = opts.redis;
      if (redis?.status !== 'ready') return;
      const now = Date.now();
      const args = [1, `${opts.prefix}rl:user:${userId}`, opts.perSecond, opts.burst, now] as const;
      try {
        // By hash (no script text per command); Redis forgets scripts on restart: send it again.
        const answer = await redis.evalsha(TAKE_SHA, ...args).catch((err: Error) => {
          if (!err.message.includes('NOSCRIPT')) throw err;
          return redis.eval(TAKE_SCRIPT, ...args);
        });
        if (answer === 1) return;
        refusedUntil.set(userId, now - Number(answer));
        if (refusedUntil.size > 10_000) for (const [id, until] of refusedUntil) if (until <= now) refusedUntil.delete(id);
      } catch (err) {
        opts.log.warn({ err }, 'user rate limit in redis failed; this process decided alone');
      }
    },
  };
}
