import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RealtimeClient } from '../../client/src/lib/realtime';
import { startHub, type TestHub } from '../support/hub';
import { connectSocket, unwrap } from '../support/socket';
import { startTcpProxy } from '../support/tcp-proxy';
import { type Client, loggedEvents, tournamentWithPool, until } from './fixtures';

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
