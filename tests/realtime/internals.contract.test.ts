import { Writable } from 'node:stream';
import { Redis } from 'ioredis';
import pino from 'pino';
import { Server } from 'socket.io';
import { Adapter } from 'socket.io-adapter';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createDirectWriter, stockWriter } from '../../server/realtime/direct-fanout';
import { classicChannel, classicHead, INTERNALS, missingInternals, type Parser } from '../../server/realtime/internals';
import { startHub, type TestHub } from '../support/hub';
import { socketJar, unwrap } from '../support/socket';
import { type Client, redisPrefix, tournamentWithPool } from './fixtures';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/**
 * The contract between the direct fan-out and the packages whose internals it uses
 * (server/realtime/internals.ts): each one, on a real server and a real client connection. A
 * failure names the internal that changed; the fix is to revise internals.ts or run with
 * RT_FANOUT=stock. Pinned by package.json's exact versions, so it fails on an upgrade.
 */
describe('RT17 the internals the direct fan-out uses are there, as it uses them', () => {
  let t: TestHub;
  let staff: Client;
  let prefix: string;
  const jar = socketJar();

  beforeAll(async () => {
    prefix = redisPrefix();
    t = await startHub({ env: { REDIS_URL, REDIS_PREFIX: prefix, RT_FANOUT: 'direct' } });
    staff = (await t.login('contractstaff', 'staff')) as Client;
  });
  afterEach(() => jar.closeAll());
  afterAll(() => t?.close());

  /** A server socket whose client is connected over WebSocket. */
  const probe = async () => {
    const client = await jar.open(t.url);
    const io = t.hub.realtime.io;
    const socket = io.of('/').sockets.get(client.socket.id!);
    if (!socket) throw new Error('no server socket for the client');
    return { adapter: io.of('/').adapter, socket };
  };

  for (const internal of INTERNALS) {
    it(`RT17 ${internal.owner}: \`${internal.name}\``, async () => {
      const p = await probe();
      const missing = missingInternals(p).filter((line) => line.includes(internal.name));
      expect(missing, missing.join('\n')).toEqual([]);
      expect(internal.present(p)).toBe(true);
    });
  }

  it('RT17 a missing internal is named, with its package and what to do', async () => {
    const { adapter, socket } = await probe();
    // The same socket seen without ws's sender, as a ws upgrade that renamed it would show it.
    const transport = (socket.conn as unknown as { transport: object }).transport as { socket: object };
    const withoutSender = {
      client: {
        ...socket.client,
        conn: { ...socket.conn, transport: { ...transport, name: 'websocket', socket: { ...transport.socket, _sender: undefined } } },
      },
    };
    expect(missingInternals({ adapter, socket: withoutSender }, 'socket')).toContainEqual(
      'ws 8.x no longer provides `WebSocket#_sender.sendFrame(list, cb)`: the direct fan-out (server/realtime/internals.ts) must be revised, or RT_FANOUT=stock used',
    );
  });

  it('RT17 @socket.io/redis-adapter: a broadcast it publishes goes on its room’s channel, begins with `[uid, …` and reaches the overridden `onmessage`', async () => {
    const { room } = await tournamentWithPool(t, staff, 0);
    const spy = new Redis(REDIS_URL);
    // The published adapter (stock path) publishes; the direct hub's override receives.
    const stock = await startHub({ database: t.database, env: { REDIS_URL, REDIS_PREFIX: prefix, RT_FANOUT: 'stock' } });
    try {
      const seen: { channel: string; msg: Buffer }[] = [];
      await spy.psubscribe(`${prefix}socket.io#/#*`);
      spy.on('pmessageBuffer', (_p: Buffer, channel: Buffer, msg: Buffer) => seen.push({ channel: channel.toString(), msg }));
      const listener = await jar.open(t.url);
      unwrap(await listener.join(room));
      const adapter = stock.hub.realtime.io.of('/').adapter as unknown as { uid: string; parser: Parser };
      const encoded = adapter.parser.encode([adapter.uid, { type: 2, data: ['x'], nsp: '/' }, { rooms: [room], except: [] }]);
      expect(
        classicHead(adapter.uid).compare(encoded, 0, classicHead(adapter.uid).length),
        '@socket.io/redis-adapter’s parser no longer begins `[uid, …` with the bytes internals.ts drops its echo by',
      ).toBe(0);
      stock.hub.realtime.io.to(room).emit('event', { room, seq: 0, type: 'test.contract', payload: {}, actorUserId: null, at: new Date().toISOString() });
      await listener.until(() => listener.events.some((e) => e.type === 'test.contract'), 'the broadcast');
      const deadline = Date.now() + 5000;
      while (!seen.some((s) => s.msg.includes('test.contract')) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
      const mine = seen.find((s) => s.msg.includes('test.contract'));
      expect(mine?.channel, '@socket.io/redis-adapter no longer publishes a one-room broadcast on `<key>#<nsp>#<room>#`').toBe(
        classicChannel(`${prefix}socket.io`, '/', [room]),
      );
      expect(classicHead(adapter.uid).compare(mine!.msg, 0, classicHead(adapter.uid).length)).toBe(0);
    } finally {
      spy.disconnect();
      await stock.close();
    }
  });
});

describe('RT17 a hub whose internals are missing takes the stock path and says so', () => {
  it('RT17 without socket.io-adapter’s `_encode` the writer is the stock one, with a warning naming it', () => {
    const lines: string[] = [];
    const log = pino({ level: 'warn' }, new Writable({ write: (chunk: Buffer, _e, done) => (lines.push(chunk.toString()), done()) }));
    const io = new Server(); // not attached to an HTTP server: nothing to close
    const proto = Adapter.prototype as unknown as { _encode?: unknown };
    const original = proto._encode;
    // As an upgrade that renamed it would leave it (restored at once: one process per test file).
    delete proto._encode;
    try {
      expect(createDirectWriter(io, log)).toBe(stockWriter);
    } finally {
      proto._encode = original;
    }
    expect(lines.join('')).toContain('socket.io-adapter 2.5 no longer provides `Adapter#_encode(packet, packetOpts)`');
    expect(lines.join('')).toContain('falling back to the stock Socket.IO fan-out');
    const intact = new Server();
    expect(createDirectWriter(intact, log)).not.toBe(stockWriter);
  });
});
