import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RealtimeClient } from '../../client/src/lib/realtime';
import { type HubProcess, killAll, spawnHub } from '../foundation/hub-process';
import { DATABASES } from '../support/databases';
import { HttpClient } from '../support/http';
import { eventually } from '../support/eventually';
import { startHub, type TestHub } from '../support/hub';
import { startOwnRedis, type OwnRedis } from '../support/redis-server';
import { connectSocket, type TestSocket, unwrap } from '../support/socket';
import { type Client, tournamentWithPool, until } from './fixtures';

const SESSION_SECRET = 'test-session-secret-that-is-long-enough-0123456789'; // the same as startHub's

/** Polls /readyz (a health endpoint has no event to wait for) until `check` holds. */
type Readyz = { status: number; body: any; text: string };
async function readyz(http: HttpClient, check: (r: Readyz) => boolean, timeoutMs = 10_000): Promise<Readyz> {
  let last: Readyz | undefined;
  return eventually(
    async () => {
      last = await http.get('/readyz');
      return check(last) && last;
    },
    () => `readyz to match (last: ${last?.status} ${last?.text})`,
    { timeoutMs, intervalMs: 50 },
  );
}

describe.each(DATABASES)('RT10 Redis stops while the hubs run [%s]', (db) => {
  let redis: OwnRedis;
  let a: TestHub;
  let b: HubProcess;
  let bUrl: string;
  let staff: Client;
  const sockets: TestSocket[] = [];
  const clients: RealtimeClient[] = [];

  beforeAll(async () => {
    redis = await startOwnRedis();
    const env = { REDIS_URL: redis.url, REDIS_PREFIX: 'outage:', RT_PRESENCE_THROTTLE_MS: '50', RT_PRESENCE_HEARTBEAT_MS: '200' };
    a = await startHub({ db, env });
    b = spawnHub({ ...a.database.env, ...env, NODE_ENV: 'test', HOST: '127.0.0.1', PORT: '0', LOG_LEVEL: 'info', SESSION_SECRET });
    bUrl = `http://127.0.0.1:${await b.port}`;
    staff = (await a.login('outagestaff', 'staff')) as Client;
  });
  afterAll(async () => {
    for (const s of sockets) s.close();
    for (const c of clients) c.close();
    killAll();
    await a?.close();
    await redis?.stop();
  });

  it('RT10 the hub keeps accepting commands and serving reads, says it is degraded, and recovers by itself', async () => {
    const { id, room, users } = await tournamentWithPool(a, staff, 6);
    const captain = await connectSocket(a.url, { cookie: staff.cookieHeader() });
    const localSpectator = await connectSocket(a.url);
    sockets.push(captain, localSpectator);
    unwrap(await localSpectator.join(room));
    // A spectator on the other process, through the client library.
    const client = new RealtimeClient({ url: bUrl, socket: { transports: ['websocket'], reconnectionDelay: 100, reconnectionDelayMax: 300 } });
    clients.push(client);
    const store = client.room(room);
    await until(store, (v) => v.status === 'live', 'joined on B');
    const start = store.current.seq!;
    const applied: number[] = [];
    store.onEvent((e) => applied.push(e.seq));
    const create = (i: number) => captain.command('team.create', { tournamentId: id, captainUserId: users[i]!.userId }).then(unwrap);
    await create(0);
    await until(store, (v) => v.seq === start + 1, 'the first event on B');
    const reader = a.client();
    expect((await readyz(reader, (r) => r.body.status === 'ok')).body.checks).toEqual({ database: 'ok', redis: 'ok' });

    await redis.stop();
    const degraded = await readyz(reader, (r) => r.body.status === 'degraded');
    expect(degraded.status).toBe(200); // a load balancer keeps it
    expect(degraded.body.checks).toEqual({ database: 'ok', redis: 'down' });
    // New sockets still get in, as who they are (sessions fall back to the database).
    const late = await connectSocket(a.url, { cookie: staff.cookieHeader() });
    sockets.push(late);
    unwrap(await late.join(room));
    // Commands go on from the database; this process's spectators still get them.
    unwrap(await late.command('team.create', { tournamentId: id, captainUserId: users[1]!.userId }));
    await create(2);
    await localSpectator.untilEvents(room, 3);
    expect(localSpectator.eventsOf(room).map((e) => e.seq)).toEqual([start + 1, start + 2, start + 3]);
    // Reads are served (from the database) on both processes and show the new teams.
    expect((await reader.get(`/api/tournaments/${id}/teams`)).body.items).toHaveLength(3);
    expect((await new HttpClient(bUrl).get(`/api/tournaments/${id}`)).body.teams).toHaveLength(3);
    await until({ subscribe: (run: (v: string) => void) => poll(() => b.stdout(), run) }, (out) => out.includes('redis is down'), 'B logs the outage');

    await redis.start();
    await readyz(reader, (r) => r.body.status === 'ok');
    await until(
      { subscribe: (run: (v: string) => void) => poll(() => b.stdout(), run) },
      (out) => out.includes('redis is back'),
      'B logs the recovery',
      10_000,
    );
    // B's spectator missed two broadcasts: the room head after recovery makes it catch up from the log.
    await until(store, (v) => v.seq === start + 3, 'the missed events on B', 10_000);
    // Fan-out across processes works again.
    await create(3);
    await until(store, (v) => v.seq === start + 4, 'a new event on B', 10_000);
    expect(applied).toEqual([1, 2, 3, 4].map((n) => start + n));
  });
});

/** A store over a value only readable by looking (a child's stdout): checked every 50 ms. */
function poll<T>(read: () => T, run: (value: T) => void): () => void {
  run(read());
  const timer = setInterval(() => run(read()), 50);
  return () => clearInterval(timer);
}

describe('RT10 a hub started while Redis is down joins the others once Redis is up', () => {
  let redis: OwnRedis;
  const hubs: TestHub[] = [];
  const sockets: TestSocket[] = [];
  afterAll(async () => {
    for (const s of sockets) s.close();
    for (const h of hubs.reverse()) await h.close();
    await redis?.stop();
  });

  it('RT10 its spectators get the events of another process once Redis is there', async () => {
    redis = await startOwnRedis();
    await redis.stop();
    const env = { REDIS_URL: redis.url, REDIS_PREFIX: 'late-redis:' };
    // Its start waits 2 s for its subscriptions, then goes on without them.
    const a = await startHub({ env });
    hubs.push(a);
    await redis.start();
    const b = await startHub({ database: a.database, env });
    hubs.push(b);
    const staff = (await b.login('latestaff', 'staff')) as Client;
    const { id, room, users } = await tournamentWithPool(b, staff, 1);
    const team = await staff.post(`/api/tournaments/${id}/teams`, { captainUserId: users[0]!.userId, name: 'Late 0' });
    expect(team.status, team.text).toBe(201);
    const spectator = await connectSocket(a.url);
    sockets.push(spectator);
    const joined = unwrap(await spectator.join(room)) as { seq: number };
    const captain = await connectSocket(b.url, { cookie: staff.cookieHeader() });
    sockets.push(captain);
    // A's subscriptions come up with Redis: rename until an event crosses over.
    let renames = 0;
    await eventually(
      async () => {
        unwrap(await captain.command('team.rename', { tournamentId: id, teamId: team.body.id, name: `Late ${++renames}` }));
        return spectator.eventsOf(room).length > 0;
      },
      'an event from B on A',
      { timeoutMs: 10_000, intervalMs: 200 },
    );
    expect(spectator.eventsOf(room)[0]!.seq).toBeGreaterThan(joined.seq);
  });
});
