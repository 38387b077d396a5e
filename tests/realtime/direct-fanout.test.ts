import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { WireEvent } from '../../shared/realtime';
import { coalescingWrites } from '../../server/realtime/direct-fanout';
import { startHub, type TestHub } from '../support/hub';
import { socketJar, type TestSocket, unwrap } from '../support/socket';
import { type Client, redisPrefix, testEvents, tournamentWithPool, untilTestEvents } from './fixtures';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/**
 * The direct fan-out (server/realtime/direct-fanout.ts) writes a broadcast's frame straight to
 * idle WebSockets and leaves every other socket to Engine.IO. These pin the cases where taking
 * the shortcut would reorder or lose messages. Transport only: one database kind is enough.
 */
describe.each([
  { name: 'one process', redis: false },
  { name: 'two processes on Redis', redis: true },
])('RT6 direct fan-out keeps every socket’s messages in order [$name]', ({ redis }) => {
  let a: TestHub;
  let b: TestHub | undefined;
  let staff: Client;
  const jar = socketJar();

  beforeAll(async () => {
    // The direct path itself (the stock one has no shortcut to pin): whatever RT_FANOUT the run has.
    const env: Record<string, string> = redis ? { REDIS_URL, REDIS_PREFIX: redisPrefix(), RT_FANOUT: 'direct' } : { RT_FANOUT: 'direct' };
    a = await startHub({ env });
    if (redis) b = await startHub({ database: a.database, env });
    staff = (await a.login('directstaff', 'staff')) as Client;
  });
  afterEach(() => jar.closeAll());
  afterAll(async () => {
    await b?.close();
    await a?.close();
  });

  const event = (room: string, seq: number): WireEvent => ({
    room,
    seq,
    type: 'test.direct',
    payload: { seq },
    actorUserId: null,
    at: new Date().toISOString(),
  });
  /** The server side of a client's socket on hub `on`. */
  const serverSocket = (on: TestHub, client: TestSocket) => {
    const found = on.hub.realtime.io.of('/').sockets.get(client.socket.id!);
    if (!found) throw new Error('no server socket for the client');
    return found;
  };
  /** The TCP socket under a server socket's WebSocket (what the fan-out corks). */
  const tcpOf = (on: TestHub, client: TestSocket) =>
    (serverSocket(on, client).conn.transport as unknown as { socket: { _socket: import('node:net').Socket } }).socket._socket;

  it('RT6 a broadcast waits behind messages Engine.IO still holds for that socket', async () => {
    const { room } = await tournamentWithPool(a, staff, 0);
    const here = await jar.open(a.url);
    const idle = await jar.open(a.url);
    unwrap(await here.join(room));
    unwrap(await idle.join(room));
    const own = serverSocket(a, here);
    // The first goes out at once and leaves the transport busy until its write completes; the
    // second waits in Engine.IO's buffer. A broadcast in the same turn must not overtake it.
    own.emit('event', event(room, 1));
    own.emit('event', event(room, 2));
    a.hub.realtime.io.to(room).emit('event', event(room, 3));
    a.hub.realtime.io.to(room).emit('event', event(room, 4));
    await untilTestEvents(here, room, 4);
    await untilTestEvents(idle, room, 2);
    await new Promise((r) => setTimeout(r, 50)); // duplicates would arrive by now
    expect(testEvents(here, room).map((e) => e.seq)).toEqual([1, 2, 3, 4]);
    expect(testEvents(idle, room).map((e) => e.seq)).toEqual([3, 4]);
  });

  it('RT6 broadcasts coalesced in one turn go out together when it ends, in order with Engine.IO’s writes', async () => {
    const { room } = await tournamentWithPool(a, staff, 0);
    const here = await jar.open(a.url);
    const other = await jar.open(a.url);
    const remote = b ? await jar.open(b.url) : undefined;
    for (const s of [here, other, remote]) if (s) unwrap(await s.join(room));
    const own = serverSocket(a, here);
    const tcp = tcpOf(a, here);
    const io = a.hub.realtime.io;
    coalescingWrites(io, () => io.to(room).emit('event', event(room, 1)));
    own.emit('event', event(room, 2)); // Engine.IO's own path, same socket, same turn
    coalescingWrites(io, () => io.to(room).emit('event', event(room, 3)));
    io.to(room).emit('event', event(room, 4)); // not coalesced, but this socket is held for the turn
    // Held: nothing has been handed to the kernel yet; it all goes in one write after the turn.
    expect(tcp.writableCorked).toBe(1);
    expect(tcp.writableLength).toBeGreaterThan(0);
    await new Promise((r) => setImmediate(r));
    expect(tcp.writableCorked).toBe(0);
    await untilTestEvents(here, room, 4);
    await untilTestEvents(other, room, 3);
    if (remote) await untilTestEvents(remote, room, 3);
    await new Promise((r) => setTimeout(r, 50));
    expect(testEvents(here, room).map((e) => e.seq)).toEqual([1, 2, 3, 4]);
    expect(testEvents(other, room).map((e) => e.seq)).toEqual([1, 3, 4]);
    if (remote) expect(testEvents(remote, room).map((e) => e.seq)).toEqual([1, 3, 4]);
  });

  it('RT6 a lone broadcast is written at once, not held for the turn', async () => {
    const { room } = await tournamentWithPool(a, staff, 0);
    const here = await jar.open(a.url);
    unwrap(await here.join(room));
    const tcp = tcpOf(a, here);
    a.hub.realtime.io.to(room).emit('event', event(room, 1));
    expect(tcp.writableCorked).toBe(0);
    expect(tcp.writableLength).toBe(0);
    await untilTestEvents(here, room, 1);
  });

  it('RT6 a broadcast to several rooms, or with exceptions, reaches each socket once', async () => {
    const [r1, r2] = await Promise.all([1, 2].map(async () => (await tournamentWithPool(a, staff, 0)).room));
    const both = await jar.open(a.url);
    const one = await jar.open(a.url);
    const excepted = await jar.open(a.url);
    for (const room of [r1!, r2!]) unwrap(await both.join(room));
    unwrap(await one.join(r1!));
    unwrap(await excepted.join(r1!));
    const io = a.hub.realtime.io;
    io.to([r1!, r2!]).emit('event', event(r1!, 1));
    io.to(r1!).except(serverSocket(a, excepted).id).emit('event', event(r1!, 2));
    await untilTestEvents(both, r1!, 2);
    await untilTestEvents(one, r1!, 2);
    await untilTestEvents(excepted, r1!, 1);
    await new Promise((r) => setTimeout(r, 50));
    expect(testEvents(both).map((e) => e.seq)).toEqual([1, 2]);
    expect(testEvents(one).map((e) => e.seq)).toEqual([1, 2]);
    expect(testEvents(excepted).map((e) => e.seq)).toEqual([1]);
  });

  it('RT6 WebSocket and long-polling spectators get the same events, in order, once', async () => {
    const { room } = await tournamentWithPool(a, staff, 0);
    const receiving = b ?? a; // over Redis: the spectators are on the other process
    const spectators = [
      await jar.open(receiving.url),
      await jar.open(receiving.url, { transports: ['polling'] }),
      await jar.open(receiving.url, { transports: ['polling', 'websocket'] }),
    ];
    for (const s of spectators) unwrap(await s.join(room));
    const sent: number[] = [];
    for (let seq = 1; seq <= 40; seq++) {
      sent.push(seq);
      a.hub.realtime.io.to(room).emit('event', event(room, seq));
      if (seq % 10 === 0) await new Promise((r) => setTimeout(r, 5)); // some in one turn, some apart
    }
    for (const s of spectators) await untilTestEvents(s, room, sent.length);
    await new Promise((r) => setTimeout(r, 50));
    for (const s of spectators) expect(testEvents(s, room).map((e) => e.seq)).toEqual(sent);
    expect(testEvents(spectators[0]!, room)).toEqual(testEvents(spectators[1]!, room));
  });
});
