import { Redis } from 'ioredis';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { closeRedis } from '../../server/redis/close';
import {
  createInOrderConnection,
  createMainConnection,
  REDIS_COMMAND_TIMEOUT_MS,
  REDIS_PROBE_DEADLINE_MS,
  REDIS_PROBE_EVERY_MS,
} from '../../server/redis/connections';
import { createRedisCache } from '../../server/cache/redis-cache';
import { startSilentRedis, whenReady } from '../support/silent-redis';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const ended = (client: Redis) => new Promise((resolve) => (client.status === 'end' ? resolve(null) : client.once('end', resolve)));

describe('closing a Redis connection', () => {
  it('answers what is in flight instead of failing it', async () => {
    const client = new Redis(REDIS_URL);
    await client.ping();
    // Blocks for 200 ms on a list nobody pushes to, then answers null.
    const inFlight = client.blpop(`dtx-test-close-${process.pid}-${Date.now()}`, 0.2);
    await closeRedis(client, 2000);
    await expect(inFlight).resolves.toBeNull();
    await ended(client);
  });

  it('cuts a connection that is not up at once', async () => {
    const client = new Redis('redis://127.0.0.1:1', { lazyConnect: true });
    const started = Date.now();
    await closeRedis(client, 2000);
    await ended(client);
    expect(Date.now() - started).toBeLessThan(1000);
  });
});

describe('a Redis that looks up but does not answer', () => {
  it("RT10 the in-order connection gives up, so a command's invalidation cannot hold its answer forever", async () => {
    const silent = await startSilentRedis();
    const inOrder = createInOrderConnection(silent.client, pino({ level: 'silent' }));
    try {
      await whenReady(inOrder);
      const started = Date.now();
      await expect(inOrder.incr('x')).rejects.toThrow(/timed out/i);
      expect(Date.now() - started).toBeGreaterThanOrEqual(REDIS_COMMAND_TIMEOUT_MS - 50);
      // The cache's invalidation on it settles (as failed, logged) instead of waiting.
      const cache = createRedisCache(silent.client, 'dtx-test-silent:', pino({ level: 'silent' }), inOrder);
      await expect(cache.invalidate(['tournament:1'])).resolves.toBeUndefined();
    } finally {
      inOrder.disconnect();
      await silent.close();
    }
  });

  /** The hub's main connection to a Redis that answers the handshake and then nothing. */
  async function withSilentMain(run: (main: Redis) => Promise<void>) {
    const silent = await startSilentRedis();
    const main = createMainConnection(silent.url, pino({ level: 'silent' }));
    try {
      await whenReady(main);
      await run(main);
    } finally {
      main.disconnect();
      await silent.close();
    }
  }

  it('RT10 a read through the cache comes from the database once the main connection gives up', () =>
    withSilentMain(async (main) => {
      const cache = createRedisCache(main, 'dtx-test-silent:', pino({ level: 'silent' }));
      const started = Date.now();
      await expect(cache.get('tournament-page', ['tournament:1'], async () => 'from the database')).resolves.toBe('from the database');
      expect(Date.now() - started).toBeGreaterThanOrEqual(REDIS_COMMAND_TIMEOUT_MS - 50);
    }));

  it('RT10 such a connection is dropped and opened again, so that it stops looking up meanwhile', () =>
    withSilentMain(async (main) => {
      const started = Date.now();
      // Its PING goes unanswered: the connection is cut and ioredis reconnects.
      await new Promise((resolve) => main.once('reconnecting', resolve));
      expect(Date.now() - started).toBeGreaterThanOrEqual(REDIS_PROBE_EVERY_MS - 50);
      expect(Date.now() - started).toBeLessThan(2 * REDIS_PROBE_EVERY_MS + REDIS_PROBE_DEADLINE_MS + 2000);
    }));
});
