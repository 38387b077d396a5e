import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { RealtimeClient } from '../../client/src/lib/realtime';
import type { WireEvent } from '../../shared/realtime';
import { BATCH_FORMAT, encodeBatch } from '../../server/realtime/batching-adapter';
import { startHub, type TestHub } from '../support/hub';
import { socketJar, type TestSocket, unwrap } from '../support/socket';
import { type Client, loggedEvents, redisPrefix, testEvents, tournamentWithPool, until } from './fixtures';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/**
 * A rolling deploy: processes of both fan-out paths (RT_FANOUT=direct and stock, which differ
 * in how they send broadcasts to each other) on one Redis, with spectators on each, over
 * WebSocket and long polling. Transport only: one database kind is enough.
 */
describe('RT17 RT9 processes of both fan-out paths on one Redis', () => {
  let direct: TestHub;
  let stock: TestHub;
  let prefix: string;
  let staff: Client;
  const jar = socketJar();
  const clients: RealtimeClient[] = [];

  beforeAll(async () => {
    prefix = redisPrefix();
    direct = await startHub({ env: { REDIS_URL, REDIS_PREFIX: prefix, RT_FANOUT: 'direct' } });
    stock = await startHub({ database: direct.database, env: { REDIS_URL, REDIS_PREFIX: prefix, RT_FANOUT: 'stock' } });
    staff = (await direct.login('rollingstaff', 'staff')) as Client;
  });
  afterEach(() => {
    jar.closeAll();
    for (const c of clients.splice(0)) c.close();
  });
  afterAll(async () => {
    await stock?.close();
    await direct?.close();
  });

  /** Two spectators on each hub: one over WebSocket, one over long polling. */
  const spectators = async (room: string) => {
    const all: TestSocket[] = [];
    for (const hub of [direct, stock]) {
      all.push(await jar.open(hub.url), await jar.open(hub.url, { transports: ['polling'] }));
    }
    for (const s of all) unwrap(await s.join(room));
    return all;
  };
  /** Commits one event through a hub's own command bus (the realtime layer broadcasts it). */
  const commit = (hub: TestHub, room: string, n: number) => hub.hub.services.commands.run(null, (tx) => tx.emit(room, 'test.rolling', { n }));
  /**
   * Waits for a last event from each hub: a process's messages arrive in the order it sent
   * them, so a duplicate of anything before would have arrived by then.
   */
  const untilLast = async (all: TestSocket[], room: string, count: number) => {
    for (const s of all) await s.until(() => testEvents(s, room).length >= count, `${count} events on every spectator`);
  };

  it("RT17 commands on both, one at a time and several at once: every spectator gets every event once, each process's in its order, and the client library applies them all in order", async () => {
    const { room } = await tournamentWithPool(direct, staff, 0);
    const all = await spectators(room);
    const stores = [direct, stock].map((hub) => {
      const client = new RealtimeClient({ url: hub.url, socket: { transports: ['websocket'] } });
      clients.push(client);
      return client.room(room);
    });
    for (const store of stores) await until(store, (v) => v.status === 'live', 'joined');
    const applied = stores.map(() => [] as number[]);
    stores.forEach((store, i) => store.onEvent((e) => e.type === 'test.rolling' && applied[i]!.push(e.seq)));
    const origin = new Map<number, TestHub>(); // event number → the process that committed it
    let n = 0;
    const commitOn = (hub: TestHub) => {
      origin.set(++n, hub);
      return commit(hub, room, n);
    };
    for (let round = 0; round < 3; round++) {
      for (const hub of [direct, stock]) {
        await commitOn(hub);
        // Several at once: the bus says more follow, the direct path coalesces and batches.
        await Promise.all([1, 2, 3, 4].map(() => commitOn(hub)));
      }
    }
    const logged = (await loggedEvents(direct, room)).filter((e) => e.type === 'test.rolling').map((e) => e.seq);
    expect(logged).toHaveLength(n);
    await untilLast(all, room, n);
    for (const s of all) {
      const got = testEvents(s, room);
      // Once each, none missing.
      expect(got.map((e) => e.seq).sort((x, y) => x - y)).toEqual(logged);
      // A process's own events arrive in the order it committed them. Two processes' events may
      // cross on a busy machine (they come over different connections); the client orders them.
      for (const hub of [direct, stock]) {
        const fromHub = got.filter((e) => origin.get((e.payload as { n: number }).n) === hub).map((e) => e.seq);
        expect(fromHub).toEqual([...fromHub].sort((x, y) => x - y));
      }
    }
    for (const store of stores) await until(store, (v) => v.seq === logged.at(-1), 'the last event applied');
    for (const got of applied) expect(got).toEqual(logged);
  });

  it('RT17 broadcasts of one turn from either path (one room, several rooms, with exceptions) reach each spectator once, in order', async () => {
    const [r1, r2] = await Promise.all([1, 2].map(async () => (await tournamentWithPool(direct, staff, 0)).room));
    const inBoth: TestSocket[] = [];
    for (const hub of [direct, stock]) inBoth.push(await jar.open(hub.url), await jar.open(hub.url, { transports: ['polling'] }));
    for (const s of inBoth) for (const room of [r1!, r2!]) unwrap(await s.join(room));
    const event = (room: string, seq: number): WireEvent => ({
      room,
      seq,
      type: 'test.turn',
      payload: { seq },
      actorUserId: null,
      at: new Date().toISOString(),
    });
    const sent: number[] = [];
    let seq = 0;
    for (const hub of [direct, stock]) {
      const io = hub.hub.realtime.io;
      // One turn: a batch from the direct path, one message each from the stock path.
      for (let i = 0; i < 10; i++) {
        sent.push(++seq);
        if (i % 3 === 0) io.to([r1!, r2!]).emit('event', event(r1!, seq));
        else if (i % 3 === 1) io.to(r2!).except('nobody-here').emit('event', event(r2!, seq));
        else io.to(r1!).emit('event', event(r1!, seq));
      }
      await Promise.all(inBoth.map((s) => s.until(() => testEvents(s).length >= seq, `${seq} broadcasts`)));
    }
    for (const s of inBoth) expect(testEvents(s).map((e) => e.seq)).toEqual(sent);
  });

  it('RT17 a message of a batch format a process does not know (a newer release) makes its clients resync: nothing missed, nothing twice', async () => {
    const { room } = await tournamentWithPool(direct, staff, 0);
    // A process of a newer release: same database, but what it publishes nobody here can read.
    const newer = await startHub({ database: direct.database, env: { REDIS_URL, REDIS_PREFIX: `${prefix}newer:` } });
    const raw = new Redis(REDIS_URL);
    try {
      const stores = [direct, stock].map((hub) => {
        const client = new RealtimeClient({ url: hub.url, socket: { transports: ['websocket'] } });
        clients.push(client);
        return client.room(room);
      });
      for (const store of stores) await until(store, (v) => v.status === 'live', 'joined');
      const start = stores[0]!.current.seq!;
      const applied = stores.map(() => [] as number[]);
      stores.forEach((store, i) => store.onEvent((e) => applied[i]!.push(e.seq)));

      await commit(direct, room, 1);
      for (let i = 2; i <= 4; i++) await commit(newer, room, i); // its broadcasts do not arrive here
      // What it publishes: a batch of a format after ours, on the batch channel.
      await raw.publish(`${prefix}socket.io-batch#/#`, encodeBatch('newer-release', [Buffer.from('opaque')], BATCH_FORMAT + 1));
      for (const store of stores) await until(store, (v) => v.seq === start + 4, 'the events of the newer process, from the log');
      await commit(stock, room, 5); // and live again after
      for (const store of stores) await until(store, (v) => v.seq === start + 5, 'the next event');
      for (const got of applied) expect(got).toEqual([1, 2, 3, 4, 5].map((k) => start + k));
    } finally {
      raw.disconnect();
      await newer.close();
    }
  });

  it('RT17 a batch as the previous release sent it (`[uid, 0, [[packet, opts]…]]` on the adapter’s channel) reaches the direct path’s spectators', async () => {
    const { room } = await tournamentWithPool(direct, staff, 0);
    const onDirect = [await jar.open(direct.url), await jar.open(direct.url, { transports: ['polling'] })];
    for (const s of onDirect) unwrap(await s.join(room));
    const adapter = direct.hub.realtime.io.of('/').adapter as unknown as { parser: { encode(v: unknown): Buffer } };
    const packet = (seq: number) => ({
      type: 2,
      nsp: '/',
      data: ['event', { room, seq, type: 'test.previous', payload: {}, actorUserId: null, at: new Date().toISOString() }],
    });
    const entries = [1, 2, 3].map((seq) => [packet(seq), { rooms: [room], except: [] }]);
    const raw = new Redis(REDIS_URL);
    try {
      await raw.publish(`${prefix}socket.io#/#`, adapter.parser.encode(['previous', 0, entries]));
    } finally {
      raw.disconnect();
    }
    for (const s of onDirect) {
      await s.until(() => testEvents(s, room).length >= 3, 'the previous release’s batch');
      expect(testEvents(s, room).map((e) => e.seq)).toEqual([1, 2, 3]);
    }
  });
});
