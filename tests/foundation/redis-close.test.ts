import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { closeRedis } from '../../server/redis/close';

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
