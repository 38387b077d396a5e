import net from 'node:net';
import { Redis } from 'ioredis';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUserLimiter } from '../../server/realtime/limits';
import { redisPrefix } from './fixtures';

describe('RT12 the per-user limit in Redis', () => {
  let redis: Redis;
  beforeAll(async () => {
    redis = new Redis(process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379', { enableAutoPipelining: false });
    await redis.ping();
  });
  afterAll(() => redis?.disconnect());

  const limiter = (perSecond: number, burst: number) => createUserLimiter({ perSecond, burst, redis, prefix: redisPrefix(), log: pino({ level: 'silent' }) });

  it('RT12 asks Redis while the user has tokens, then refuses at once until the next token is due', async () => {
    const limit = limiter(5, 2); // a token every 200 ms
    const answers = [];
    for (let i = 0; i < 3; i++) {
      const answer = limit.take(7);
      expect(answer).toBeInstanceOf(Promise); // Redis decides: the user's other processes take from the same bucket
      answers.push(await answer);
    }
    expect(answers).toEqual([true, true, false]);
    // Refused by Redis moments ago: refused here, without a round trip (and without a transaction).
    expect(limit.take(7)).toBe(false);
    expect(limit.take(8)).toBeInstanceOf(Promise); // another user is not affected
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await limit.take(7)).toBe(true);
  });

  it('RT12 a Redis that stops answering costs a command the deadline, then this process decides', async () => {
    // Answers the client's handshake (HELLO refused, CLIENT SETINFO), then nothing: the
    // commands waiting on such a Redis hold their transaction's locks.
    const sockets: net.Socket[] = [];
    const silent = net.createServer((socket) => {
      sockets.push(socket);
      socket.on('data', (data) => {
        for (const [, command] of data.toString().matchAll(/\*\d+\r\n\$\d+\r\n(\w+)\r\n/g)) {
          if (command!.toLowerCase() === 'hello') socket.write("-ERR unknown command 'hello'\r\n");
          else if (command!.toLowerCase() === 'client') socket.write('+OK\r\n');
        }
      });
    });
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const hung = new Redis((silent.address() as net.AddressInfo).port, '127.0.0.1', { enableReadyCheck: false, enableAutoPipelining: false, maxRetriesPerRequest: 1 });
    try {
      await new Promise((resolve) => hung.once('ready', resolve));
      const limit = createUserLimiter({ perSecond: 0.01, burst: 1, redis: hung, prefix: redisPrefix(), log: pino({ level: 'silent' }), timeoutMs: 100 });
      const started = Date.now();
      expect(await limit.take(1)).toBe(true);
      expect(await limit.take(1)).toBe(false); // this process's own bucket: burst 1
      expect(Date.now() - started).toBeLessThan(2000);
    } finally {
      hung.disconnect();
      for (const socket of sockets) socket.destroy();
      silent.close();
    }
  });

  it('RT12 decides in this process alone when Redis is not there', async () => {
    const down = new Redis('redis://127.0.0.1:1', { lazyConnect: true, enableOfflineQueue: false });
    const limit = createUserLimiter({ perSecond: 0.01, burst: 1, redis: down, prefix: redisPrefix(), log: pino({ level: 'silent' }) });
    expect([limit.take(1), limit.take(1)]).toEqual([true, false]);
    down.disconnect();
  });
});
