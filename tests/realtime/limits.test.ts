import { Redis } from 'ioredis';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUserLimiter } from '../../server/realtime/limits';
import { createInOrderConnection } from '../../server/redis/connections';
import { startSilentRedis, whenReady } from '../support/silent-redis';
import { redisPrefix } from './fixtures';
import { eventually } from '../support/eventually';

describe('RT12 the per-user limit in Redis', () => {
  let redis: Redis;
  beforeAll(async () => {
    redis = new Redis(process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379', { enableAutoPipelining: false });
    await redis.ping();
  });
  afterAll(() => redis?.disconnect());

  const limiter = (prefix: string, perSecond: number, burst: number) => createUserLimiter({ perSecond, burst, redis, prefix, log: pino({ level: 'silent' }) });
  const tokensInRedis = async (prefix: string, userId: number) => Number(await redis.hget(`${prefix}rl:user:${userId}`, 't'));

  it('RT12 decides at once, charges the bucket shared in Redis after the command, and refuses once Redis says it was empty', async () => {
    const prefix = redisPrefix();
    const [onA, onB] = [limiter(prefix, 2, 2), limiter(prefix, 2, 2)]; // two processes; a token every 500 ms
    expect([onA.take(7), onA.take(7)]).toEqual([true, true]); // booleans: no command waits for Redis to run
    const emptied = Date.now(); // the charges tell Redis a time at or after this
    await Promise.all([onA.charge(7), onA.charge(7)]);
    expect(await tokensInRedis(prefix, 7)).toBeCloseTo(0, 0);
    expect(onA.take(7)).toBe(false); // A's own bucket: burst 2
    // B's own bucket is full, so it lets the user's next command through; the answer to its
    // charge says the shared bucket was empty: the bucket goes into debt, and B refuses.
    expect(onB.take(7)).toBe(true);
    await onB.charge(7);
    expect(await tokensInRedis(prefix, 7)).toBeCloseTo(-1, 0);
    expect(onB.take(7)).toBe(false);
    expect(onB.take(8)).toBe(true); // another user is not affected
    // The debt is paid back: one token of debt and the next token, 2 × 500 ms after the bucket
    // was emptied, before Redis has one to give again. A busy machine only makes the wait look
    // longer, so the bound below holds however slow it is.
    await eventually(() => onB.take(7), 'the user let through again', { timeoutMs: 5000, intervalMs: 25 });
    expect(Date.now() - emptied).toBeGreaterThanOrEqual(1000);
  });

  it('RT12 a Redis that stops answering: the charge gives up, and this process decides', async () => {
    const silent = await startSilentRedis();
    const inOrder = createInOrderConnection(silent.client, pino({ level: 'silent' })); // the hub's limiter connection
    try {
      await whenReady(inOrder);
      const limit = createUserLimiter({ perSecond: 0.01, burst: 1, redis: inOrder, prefix: redisPrefix(), log: pino({ level: 'silent' }) });
      expect(limit.take(1)).toBe(true);
      await limit.charge(1); // gives up after the connection's timeout (logged), and applies nothing
      expect(limit.take(1)).toBe(false); // this process's own bucket: burst 1
    } finally {
      inOrder.disconnect();
      await silent.close();
    }
  });

  it('RT12 decides in this process alone when Redis is not there', async () => {
    const down = new Redis('redis://127.0.0.1:1', { lazyConnect: true, enableOfflineQueue: false });
    const limit = createUserLimiter({ perSecond: 0.01, burst: 1, redis: down, prefix: redisPrefix(), log: pino({ level: 'silent' }) });
    expect([limit.take(1), limit.take(1)]).toEqual([true, false]);
    down.disconnect();
  });
});
