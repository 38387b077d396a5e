import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { WireEvent } from '../../shared/realtime';
import { coalescingWrites } from '../../server/realtime/direct-fanout';
import { startHub, type TestHub } from '../support/hub';
import { socketJar, unwrap } from '../support/socket';
import { type Client, redisPrefix, testEvents, tournamentWithPool, untilTestEvents } from './fixtures';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

// Transport only (what goes through Redis between processes): one database kind is enough.
describe('fan-out between processes sends the broadcasts of one turn as one message', () => {
  let a: TestHub;
  let b: TestHub;
  let staff: Client;
  let spy: Redis;
  let prefix: string;
  const published: { channel: string; bytes: number; text: string }[] = [];
  const jar = socketJar();

  beforeAll(async () => {
    prefix = redisPrefix();
    // The direct path's wire: lone broadcasts classic, several in a turn as one batch.
    const env = { REDIS_URL, REDIS_PREFIX: prefix, RT_FANOUT: 'direct' };
    a = await startHub({ env });
    b = await startHub({ database: a.database, env });
    staff = (await a.login('batchstaff', 'staff')) as Client;
    // Sees what the hubs publish to each other: the adapter's channels and the batch channel.
    spy = new Redis(REDIS_URL);
    await spy.psubscribe(`${prefix}socket.io#/#*`, `${prefix}socket.io-batch#/#`);
    spy.on('pmessageBuffer', (_pattern: Buffer, channel: Buffer, msg: Buffer) =>
      published.push({ channel: channel.toString(), bytes: msg.length, text: msg.toString('latin1') }),
    );
  });
  afterEach(() => jar.closeAll());
  afterAll(async () => {
    spy?.disconnect();
    await b?.close();
    await a?.close();
  });

  const event = (room: string, seq: number, type = 'test.batched'): WireEvent => ({
    room,
    seq,
    type,
    payload: { seq },
    actorUserId: null,
    at: new Date().toISOString(),
  });
  /** Until the spy has seen `count` messages more than `from`. */
  const published$ = async (from: number, count: number) => {
    const deadline = Date.now() + 5000;
    while (published.length < from + count && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    await new Promise((r) => setTimeout(r, 50)); // and nothing more
    return published.slice(from);
  };

  it('many small rooms: every spectator gets its rooms’ events once, in order; one message crossed Redis', async () => {
    const rooms = await Promise.all([1, 2, 3].map(async () => (await tournamentWithPool(a, staff, 0)).room));
    const onB1 = await jar.open(b.url);
    const onB2 = await jar.open(b.url);
    const onA = await jar.open(a.url);
    for (const room of rooms.slice(0, 2)) unwrap(await onB1.join(room));
    unwrap(await onB2.join(rooms[2]!));
    unwrap(await onA.join(rooms[0]!));

    const before = published.length;
    const io = a.hub.realtime.io;
    const sent: WireEvent[] = [];
    for (let i = 1; i <= 30; i++) {
      const e = event(rooms[i % 3]!, 1000 + i);
      sent.push(e);
      io.to(e.room).emit('event', e);
    }
    const of = (picked: string[]) => sent.filter((e) => picked.includes(e.room)).map((e) => e.seq);
    await untilTestEvents(onB1, undefined, 20);
    await untilTestEvents(onB2, undefined, 10);
    await untilTestEvents(onA, undefined, 10);
    await new Promise((r) => setTimeout(r, 100)); // duplicates would arrive by now
    expect(testEvents(onB1).map((e) => e.seq)).toEqual(of(rooms.slice(0, 2)));
    expect(testEvents(onB2).map((e) => e.seq)).toEqual(of([rooms[2]!]));
    // The publishing process's own spectators: once each (its echo from Redis is dropped).
    expect(testEvents(onA).map((e) => e.seq)).toEqual(of([rooms[0]!]));
    expect((await published$(before, 1)).length).toBe(1);
  });

  it('a broadcast alone goes as the classic adapter sends it, on its room’s channel', async () => {
    const { room } = await tournamentWithPool(a, staff, 0);
    const onB = await jar.open(b.url);
    unwrap(await onB.join(room));
    const before = published.length;
    a.hub.realtime.io.to(room).emit('event', event(room, 2001));
    await untilTestEvents(onB, room, 1);
    expect((await published$(before, 1)).map((p) => p.channel)).toEqual([`${prefix}socket.io#/#${room}#`]);
  });

  it('to a room with many spectators here, coalesced broadcasts wait for the turn to end as one message; others go at once', async () => {
    const { room } = await tournamentWithPool(a, staff, 0);
    const onA = await Promise.all(Array.from({ length: 32 }, () => jar.open(a.url)));
    for (const s of onA) unwrap(await s.join(room));
    const onB = await jar.open(b.url);
    unwrap(await onB.join(room));
    const io = a.hub.realtime.io;
    const before = published.length;
    coalescingWrites(io, () => {
      for (let i = 1; i <= 3; i++) io.to(room).emit('event', event(room, 4000 + i, 'test.coalesced'));
    });
    // Presence notices may cross meanwhile: count the messages that carry these events.
    const ofRoom = (from: number, count: number) => published$(from, count).then((all) => all.filter((p) => p.text.includes('test.coalesced')));
    await untilTestEvents(onB, room, 3);
    expect(await ofRoom(before, 1)).toHaveLength(1);
    const alone = published.length;
    for (let i = 4; i <= 5; i++) io.to(room).emit('event', event(room, 4000 + i, 'test.coalesced'));
    await untilTestEvents(onB, room, 5);
    expect(await ofRoom(alone, 2)).toHaveLength(2);
    expect(testEvents(onB, room).map((e) => e.seq)).toEqual([4001, 4002, 4003, 4004, 4005]);
    for (const s of onA) expect(testEvents(s, room).map((e) => e.seq)).toEqual([4001, 4002, 4003, 4004, 4005]);
  });

  it('a request sent after broadcasts (disconnecting sockets) reaches the other process after them', async () => {
    const { room } = await tournamentWithPool(a, staff, 0);
    const onB = await jar.open(b.url);
    unwrap(await onB.join(room));
    const io = a.hub.realtime.io;
    for (let i = 1; i <= 5; i++) io.to(room).emit('event', event(room, 3000 + i));
    io.in(room).disconnectSockets(true);
    await onB.untilDisconnected();
    expect(testEvents(onB).map((e) => e.seq)).toEqual([3001, 3002, 3003, 3004, 3005]);
  });
});
