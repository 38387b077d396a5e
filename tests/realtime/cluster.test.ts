import net from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { RealtimeClient, type ConnectionState } from '../../client/src/lib/realtime';
import { DATABASES } from '../support/databases';
import { fanoutTag } from '../support/fanout';
import { startHub, type TestHub } from '../support/hub';
import { connectSocket, type TestSocket, unwrap } from '../support/socket';
import { startTcpProxy } from '../support/tcp-proxy';
import { type Client, loggedEvents, redisPrefix, tournamentWithPool, until } from './fixtures';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

describe.each(DATABASES)(`three hubs on one database and one Redis [%s]${fanoutTag}`, (db) => {
  let a: TestHub;
  let b: TestHub;
  let c: TestHub;
  let staff: Client;
  let bClosed = false;
  const sockets: TestSocket[] = [];
  const clients: RealtimeClient[] = [];

  const prefix = redisPrefix();

  beforeAll(async () => {
    const env = { REDIS_URL, REDIS_PREFIX: prefix, RT_PRESENCE_THROTTLE_MS: '50' };
    a = await startHub({ db, env });
    b = await startHub({ database: a.database, env });
    c = await startHub({ database: a.database, env });
    staff = (await a.login('clusterstaff', 'staff')) as Client; // sessions are in Redis: valid on every hub
  });
  afterEach(() => {
    for (const s of sockets.splice(0)) s.close();
    for (const x of clients.splice(0)) x.close();
  });
  afterAll(async () => {
    await c?.close();
    if (!bClosed) await b?.close();
    await a?.close(); // last: it owns the database
  });

  const open = async (hub: TestHub, cookie?: string) => {
    const s = await connectSocket(hub.url, { cookie });
    sockets.push(s);
    return s;
  };

  it('RT9 commands on A reach spectators on B and C, in order, each once', async () => {
    const { id, room, users } = await tournamentWithPool(a, staff, 6);
    const onB = await open(b);
    const onC = await open(c);
    const start = unwrap(await onB.join(room)).seq;
    expect(unwrap(await onC.join(room)).seq).toBe(start);
    const captain = await open(a, staff.cookieHeader());
    // Half one by one, half at once.
    for (const u of users.slice(0, 3)) unwrap(await captain.command('team.create', { tournamentId: id, captainUserId: u.userId }));
    await Promise.all(users.slice(3).map((u) => captain.command('team.create', { tournamentId: id, captainUserId: u.userId })));
    const expected = (await loggedEvents(a, room)).slice(start);
    expect(expected.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5, 6].map((n) => start + n));
    for (const spectator of [onB, onC]) {
      const got = await spectator.untilEvents(room, 6);
      expect(got.map((e) => ({ seq: e.seq, type: e.type }))).toEqual(expected);
    }
  });

  it('RT8 a REST read on C made as soon as the event reaches A or B reflects it', async () => {
    const { id, room, users } = await tournamentWithPool(a, staff, 1);
    const team = (await staff.post(`/api/tournaments/${id}/teams`, { captainUserId: users[0]!.userId })).body;
    // A is the command's own process (its clients wait for the invalidation's answer), B
    // another (its PUBLISH leaves behind the invalidation, without waiting for it).
    const [onA, onB] = [await open(a), await open(b)];
    unwrap(await onA.join(room));
    unwrap(await onB.join(room));
    const reader = c.client();
    const captain = await open(a, staff.cookieHeader());
    for (let i = 1; i <= 5; i++) {
      // Warm C's cached reads first, so a stale entry would be there to serve.
      expect((await reader.get(`/api/tournaments/${id}`)).status).toBe(200);
      expect((await reader.get(`/api/tournaments/${id}/teams`)).status).toBe(200);
      unwrap(await captain.command('team.rename', { tournamentId: id, teamId: team.id, name: `Name ${i}` }));
      const first = await Promise.race([onA, onB].map((s) => s.until(() => s.eventsOf(room).length >= i, `rename ${i}`).then(() => s)));
      const [detail, teams] = await Promise.all([reader.get(`/api/tournaments/${id}`), reader.get(`/api/tournaments/${id}/teams`)]);
      expect(detail.body.teams[0].name).toBe(`Name ${i}`);
      expect(detail.body.seq).toBeGreaterThanOrEqual(first.eventsOf(room).at(-1)!.seq);
      expect(teams.body.items[0].name).toBe(`Name ${i}`);
    }
  });

  it('RT8 an event is published after its cache invalidation, on the same connection to Redis', async () => {
    // Redis runs one connection's commands in order: no process can hear of the event before
    // the reads it makes stale are forgotten, although the PUBLISH does not wait for the
    // invalidation's answer.
    const { id, room, users } = await tournamentWithPool(a, staff, 1);
    const team = (await staff.post(`/api/tournaments/${id}/teams`, { captainUserId: users[0]!.userId })).body;
    // Enough spectators on A for its adapter to publish at once, not at the end of the turn.
    const spectators = await Promise.all(Array.from({ length: 32 }, () => open(a)));
    for (const s of spectators) unwrap(await s.join(room));
    // MONITOR over a plain socket (ioredis's monitor mode can trip over the traffic of the
    // other test files): one line per command Redis runs, with the client that sent it.
    const seen: { command: string; key: string; client: string; line: string }[] = [];
    // The rename's PUBLISH (not presence's, which the joins above cause on the same channel): on
    // its room's channel, or on the batch channel (a batch of one, as the stock path sends it).
    const onItsChannel = (key: string) => key.endsWith(`#${room}#`) || key === `${prefix}socket.io-batch#/#`;
    const isPublish = (c: (typeof seen)[number]) => c.command === 'publish' && onItsChannel(c.key) && c.line.includes('Monitored');
    let published: () => void;
    const publishSeen = new Promise<void>((resolve) => (published = resolve));
    const { hostname, port } = new URL(REDIS_URL);
    const monitor = net.connect(Number(port || 6379), hostname);
    let buffered = '';
    monitor.on('data', (data) => {
      const lines = (buffered + data.toString('latin1')).split('\r\n');
      buffered = lines.pop()!;
      for (const line of lines) {
        const parts = /^\+\S+ \[\d+ ([^\]]+)\] "(\w+)" "((?:[^"\\]|\\.)*)"/.exec(line);
        if (!parts || !parts[3]!.startsWith(prefix)) continue;
        seen.push({ client: parts[1]!, command: parts[2]!.toLowerCase(), key: parts[3]!, line });
        if (isPublish(seen.at(-1)!)) published();
      }
    });
    await new Promise<void>((resolve) => {
      monitor.once('data', () => resolve()); // +OK
      monitor.write('MONITOR\r\n');
    });
    try {
      const captain = await open(a, staff.cookieHeader());
      unwrap(await captain.command('team.rename', { tournamentId: id, teamId: team.id, name: 'Monitored' }));
      await publishSeen;
      const publish = seen.findIndex(isPublish);
      const invalidation = seen.findIndex((c) => c.command === 'incr' && c.key === `${prefix}cache:tag:room:${room}`);
      expect(invalidation).toBeGreaterThanOrEqual(0);
      expect(publish).toBeGreaterThan(invalidation);
      expect(seen[publish]!.client).toBe(seen[invalidation]!.client);
    } finally {
      monitor.destroy();
    }
  });

  it('RT3 a role taken away on A applies at once to a socket open on B', async () => {
    const { id, room, users } = await tournamentWithPool(a, staff, 2);
    const admin = await a.login('clusteradmin', 'admin');
    const helper = await a.login(`clusterhelper${id}`, 'staff');
    const onB = await open(b, helper.cookieHeader());
    unwrap(await onB.command('team.create', { tournamentId: id, captainUserId: users[0]!.userId }));
    expect((await admin.patch(`/api/users/${helper.userId}/role`, { role: 'member' })).status).toBe(200);
    const before = await loggedEvents(a, room);
    const denied = await onB.command('team.create', { tournamentId: id, captainUserId: users[1]!.userId });
    expect(!denied.ok && denied.error.code).toBe('forbidden');
    expect(await loggedEvents(a, room)).toEqual(before);
  });

  it('RT13 presence is summed across processes: spectators, viewers and connected captains', async () => {
    const { id, room, users } = await tournamentWithPool(a, staff, 2);
    const [cap0, cap1] = users;
    await staff.post(`/api/tournaments/${id}/teams`, { captainUserId: cap0!.userId });
    await staff.post(`/api/tournaments/${id}/teams`, { captainUserId: cap1!.userId });
    const watcher = await open(a);
    unwrap(await watcher.join(room));
    await watcher.untilPresence(room, (p) => p.spectators === 1);
    const capOnB = await open(b, cap0!.cookieHeader());
    unwrap(await capOnB.join(room));
    const capTabOnC = await open(c, cap0!.cookieHeader());
    unwrap(await capTabOnC.join(room));
    const anonOnC = await open(c);
    unwrap(await anonOnC.join(room));
    const p = await watcher.untilPresence(room, (x) => x.spectators === 4);
    expect(p.viewers.map((v) => v.id)).toEqual([cap0!.userId]);
    expect(p.participants).toEqual([
      { userId: cap0!.userId, connected: true },
      { userId: cap1!.userId, connected: false },
    ]);
    // Every process's spectators see the same numbers.
    await anonOnC.untilPresence(room, (x) => x.spectators === 4);
    capOnB.close();
    await watcher.untilPresence(room, (x) => x.spectators === 3 && x.participants[0]!.connected); // the tab on C remains
    capTabOnC.close();
    const after = await watcher.untilPresence(room, (x) => x.spectators === 2);
    expect(after.viewers).toEqual([]);
    expect(after.participants.map((x) => x.connected)).toEqual([false, false]);
  });

  it('RT7 a spectator whose hub stops reconnects to another and resyncs: nothing missed, nothing twice', async () => {
    const { id, room, users } = await tournamentWithPool(a, staff, 8);
    const proxy = await startTcpProxy(b.port);
    try {
      const client = new RealtimeClient({ url: proxy.url, socket: { transports: ['websocket'], reconnectionDelay: 100, reconnectionDelayMax: 300 } });
      clients.push(client);
      const states: ConnectionState[] = [];
      client.state.subscribe((s) => states.push(s));
      const store = client.room(room);
      await until(store, (v) => v.status === 'live', 'joined');
      const start = store.current.seq!;
      const applied: number[] = [];
      store.onEvent((e) => applied.push(e.seq));

      const captain = await open(a, staff.cookieHeader());
      const create = (i: number) => captain.command('team.create', { tournamentId: id, captainUserId: users[i]!.userId }).then(unwrap);
      for (let i = 0; i < 3; i++) await create(i);
      await until(store, (v) => v.seq === start + 3, 'first events');

      // B stops (gracefully: it tells its clients); the load balancer now sends them to C.
      proxy.retarget(c.port);
      const stopping = b.close();
      bClosed = true;
      for (let i = 3; i < 8; i++) await create(i); // committed while the spectator is moving
      await stopping;
      await until(store, (v) => v.seq === start + 8, 'every event after the move', 10_000);
      expect(applied).toEqual([1, 2, 3, 4, 5, 6, 7, 8].map((n) => start + n));
      expect(states).toContain('reconnecting');
      await until(client.state, (s) => s === 'connected', 'connected again');
      // Live on C now: the next event arrives once, in order.
      const teams = (await a.client().get(`/api/tournaments/${id}/teams`)).body.items;
      expect((await staff.patch(`/api/tournaments/${id}/teams/${teams[0].id}`, { name: 'After the move' })).status).toBe(200);
      await until(store, (v) => v.seq === start + 9, 'the event after the move');
      expect(applied).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9].map((n) => start + n));
    } finally {
      await proxy.close();
    }
  });
});
