import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RealtimeClient } from '../../client/src/lib/realtime';
import { startHub, type TestHub } from '../support/hub';
import { connectSocket, unwrap } from '../support/socket';
import type { Ack } from '../../shared/errors';
import { startTcpProxy } from '../support/tcp-proxy';
import { eventually } from '../support/eventually';
import type { HttpResponse } from '../support/http';
import type { Db } from '../../server/db/knex';
import { type Client, loggedEvents, tournamentWithPool, until } from './fixtures';

/**
 * Holds the hub's only SQLite connection in a transaction until `release`: whatever needs the
 * database next (a command, a read) waits in the pool meanwhile. Resolves once the hold is in place.
 */
async function holdDatabase(db: Db) {
  let release!: () => void;
  const held = new Promise<void>((resolve) => (release = resolve));
  let entered!: () => void;
  const inside = new Promise<void>((resolve) => (entered = resolve));
  const done = db.transaction(async () => {
    entered();
    await held;
  });
  await inside;
  const waiting = () => (db.client as { pool: { numPendingAcquires(): number } }).pool.numPendingAcquires();
  return { release: () => (release(), done), untilSomethingWaits: (what: string) => eventually(() => waiting() > 0, what) };
}

type RawEmit = { emit(event: string, payload: unknown, ack: (err: Error | null, answer: Ack<unknown>) => void): void };

/** How long the held work stays slow while shutdown is under way (well inside the grace). */
const SLOW_MS = 300;
const settle = <T>(p: Promise<T>) =>
  p.then(
    (value) => ({ value }),
    (err: unknown) => ({ lost: String(err) }),
  );

describe('graceful shutdown', () => {
  let a: TestHub;
  let staff: Client;

  beforeAll(async () => {
    a = await startHub();
    staff = (await a.login('shutstaff', 'staff')) as Client;
  });
  afterAll(() => a?.close());

  it('finishes commands in flight, tells clients to reconnect, refuses new connections, and says draining', async () => {
    const b = await startHub({ database: a.database });
    const { room } = await tournamentWithPool(a, staff, 0);
    const onB = (await b.login('shutstaff', 'staff')) as Client;
    const spectator = await connectSocket(b.url);
    unwrap(await spectator.join(room));

    // A command that is still inside its transaction when shutdown begins.
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let entered!: () => void;
    const inside = new Promise<void>((resolve) => (entered = resolve));
    const command = b.hub.services.commands.run({ id: onB.userId, role: 'staff' }, async (tx) => {
      await tx.lock(room);
      entered();
      await held;
      await tx.emit(room, 'test.slow', { ok: true });
      return 'committed';
    });
    await inside;
    const closing = b.close();
    // Draining: not ready any more, and no new socket gets in.
    await expect(connectSocket(b.url)).rejects.toThrow();
    release();
    expect(await command).toBe('committed');
    await closing;
    expect((await loggedEvents(a, room)).at(-1)!.type).toBe('test.slow');
    // The spectator got the event, then the notice, then lost the connection.
    expect(spectator.eventsOf(room).map((e) => e.type)).toEqual(['test.slow']);
    expect(spectator.notices).toHaveLength(1);
    await spectator.untilDisconnected();
  });

  it('RT15 a socket command that reached the process before shutdown gets its answer before the socket closes', async () => {
    const b = await startHub({ database: a.database });
    const { id, users } = await tournamentWithPool(a, staff, 1);
    const onB = (await b.login('shutstaff', 'staff')) as Client;
    const socket = await connectSocket(b.url, { cookie: onB.cookieHeader() });
    const order: string[] = [];
    socket.socket.on('server:shutdown', () => order.push('notice'));
    socket.socket.on('disconnect', () => order.push('disconnect'));

    // The command arrives while the database is busy, so it is still on its way to the
    // command bus when SIGTERM comes.
    const db = await holdDatabase(b.hub.services.db);
    // The ack as a callback (a promise would note it a microtask late, after later packets).
    const answer = settle(
      new Promise<Ack<unknown>>((resolve, reject) =>
        (socket.socket.timeout(5000) as unknown as RawEmit).emit('team.create', { tournamentId: id, captainUserId: users[0]!.userId }, (err, ack) => {
          order.push('answer');
          if (err) reject(err);
          else resolve(ack);
        }),
      ),
    );
    await db.untilSomethingWaits('the command to wait for the database');
    const closing = b.close();
    await eventually(() => b.hub.realtime.status() === 'draining', 'draining');
    await new Promise((resolve) => setTimeout(resolve, SLOW_MS));
    await db.release();

    const outcome = await answer;
    await closing;
    expect('value' in outcome, `the command got no answer: ${'lost' in outcome ? outcome.lost : ''}`).toBe(true);
    const ack = (outcome as { value: Ack<unknown> }).value;
    expect(ack.ok, JSON.stringify(ack)).toBe(true);
    expect(Date.parse(ack.serverTime!)).not.toBeNaN();
    await socket.untilDisconnected();
    expect(order).toEqual(['answer', 'notice', 'disconnect']);
    // Answered "done": it was saved.
    const teams = await a.hub.services.db('teams').where({ tournamentId: id });
    expect(teams.map((t) => t.captainUserId)).toEqual([users[0]!.userId]);
  });

  it('RT15 a socket command sent while the process drains is answered unavailable with a retry hint, and changes nothing', async () => {
    const b = await startHub({ database: a.database });
    const { id, users } = await tournamentWithPool(a, staff, 1);
    const onB = (await b.login('shutstaff', 'staff')) as Client;
    const socket = await connectSocket(b.url, { cookie: onB.cookieHeader() });
    b.hub.realtime.beginDrain();
    const ack = await socket.command('team.create', { tournamentId: id, captainUserId: users[0]!.userId });
    expect(ack).toMatchObject({ ok: false, error: { code: 'unavailable', retryAfterMs: 1000 } });
    expect(Date.parse(ack.serverTime!)).not.toBeNaN();
    expect(await a.hub.services.db('teams').where({ tournamentId: id })).toEqual([]);
    await b.close();
  });

  it('RT16 a read in flight when shutdown begins gets its answer; a request after that gets 503 or no connection', async () => {
    const b = await startHub({ database: a.database });
    const { id } = await tournamentWithPool(a, staff, 0);
    const reader = b.client();
    const late = b.client();
    expect((await late.get('/healthz')).status).toBe(200); // a kept-alive connection, as a browser has

    const db = await holdDatabase(b.hub.services.db);
    const read = settle(reader.get(`/api/tournaments/${id}`));
    await db.untilSomethingWaits('the read to wait for the database');
    const closing = b.close();
    await eventually(() => b.hub.realtime.status() === 'draining', 'draining');
    const refused = await settle(late.get(`/api/tournaments/${id}`));
    if ('value' in refused) {
      expect(refused.value.status).toBe(503);
      expect(refused.value.body.error).toMatchObject({ code: 'unavailable', retryAfterMs: 1000 });
      expect(refused.value.headers.get('retry-after')).toBe('1');
    }
    await new Promise((resolve) => setTimeout(resolve, SLOW_MS));
    await db.release();

    const outcome = await read;
    await closing;
    expect('value' in outcome, `the read was cut: ${'lost' in outcome ? outcome.lost : ''}`).toBe(true);
    const res = (outcome as { value: HttpResponse<{ id: number }> }).value;
    expect(res.status).toBe(200);
    expect(res.body.id).toBe(id);
  });

  it('answers readyz 503 while draining', async () => {
    const b = await startHub({ database: a.database });
    const http = b.client();
    expect((await http.get('/readyz')).body.status).toBe('ok');
    b.hub.realtime.beginDrain();
    const r = await http.get('/readyz');
    expect(r.status).toBe(503);
    expect(r.body).toEqual({ status: 'down', checks: { database: 'ok', realtime: 'draining' } });
    await b.close();
  });

  it('the client library reconnects by itself after a restart and resyncs every room', async () => {
    const { id, room, users } = await tournamentWithPool(a, staff, 4);
    let b = await startHub({ database: a.database });
    const proxy = await startTcpProxy(b.port);
    const client = new RealtimeClient({ url: proxy.url, socket: { transports: ['websocket'], reconnectionDelay: 100, reconnectionDelayMax: 300 } });
    try {
      const store = client.room(room);
      const notices = client.room(`user:${staff.userId}`); // anonymous: refused, stays in error
      await until(store, (v) => v.status === 'live', 'joined');
      await until(notices, (v) => v.status === 'error', 'the private room refused');
      const start = store.current.seq!;
      const applied: number[] = [];
      store.onEvent((e) => applied.push(e.seq));

      await b.close(); // the process restarts...
      for (const u of users.slice(0, 2)) expect((await staff.post(`/api/tournaments/${id}/teams`, { captainUserId: u.userId })).status).toBe(201);
      b = await startHub({ database: a.database });
      proxy.retarget(b.port); // ...on a new port behind the same address
      await until(store, (v) => v.seq === start + 2, 'the events of the restart', 10_000);
      await until(client.state, (s) => s === 'connected', 'connected');
      expect(applied).toEqual([start + 1, start + 2]);
      expect(notices.current.error?.code).toBe('unauthenticated');
    } finally {
      client.close();
      await proxy.close();
      await b.close();
    }
  });
});
