import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { RealtimeClient } from '../../client/src/lib/realtime';
import { killAll, spawnHub } from '../foundation/hub-process';
import { DATABASES } from '../support/databases';
import { startHub, type TestHub } from '../support/hub';
import { connectSocket, type TestSocket, unwrap } from '../support/socket';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy';
import { type Client, redisPrefix, tournamentWithPool, until } from './fixtures';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const SESSION_SECRET = 'test-session-secret-that-is-long-enough-0123456789'; // the same as startHub's

describe.each(DATABASES)('a hub process that dies [%s]', (db) => {
  let a: TestHub;
  let staff: Client;
  let env: Record<string, string>;
  let proxy: TcpProxy | undefined;
  const sockets: TestSocket[] = [];
  const clients: RealtimeClient[] = [];

  beforeAll(async () => {
    env = { REDIS_URL, REDIS_PREFIX: redisPrefix(), RT_PRESENCE_THROTTLE_MS: '50', RT_PRESENCE_HEARTBEAT_MS: '200' };
    a = await startHub({ db, env });
    staff = (await a.login('deathstaff', 'staff')) as Client;
  });
  afterEach(async () => {
    for (const s of sockets.splice(0)) s.close();
    for (const c of clients.splice(0)) c.close();
    await proxy?.close();
    killAll();
  });
  afterAll(() => a?.close());

  it('RT13 presence heals when a process is killed; RT7 its spectators resync on another with nothing missed or twice', async () => {
    const { id, room, users } = await tournamentWithPool(a, staff, 6);
    await staff.post(`/api/tournaments/${id}/teams`, { captainUserId: users[0]!.userId });
    const start = (await a.client().get(`/api/tournaments/${id}`)).body.seq as number;

    // A second hub as its own process, on the same database and Redis.
    const other = spawnHub({
      ...a.database.env,
      ...env,
      NODE_ENV: 'test',
      HOST: '127.0.0.1',
      PORT: '0',
      LOG_LEVEL: 'info', // the port is read from the "listening" line
      SESSION_SECRET,
    });
    const otherPort = await other.port;
    const otherUrl = `http://127.0.0.1:${otherPort}`;
    proxy = await startTcpProxy(otherPort);

    const watcher = await connectSocket(a.url);
    sockets.push(watcher);
    unwrap(await watcher.join(room));
    const captain = await connectSocket(otherUrl, { cookie: users[0]!.cookieHeader() });
    sockets.push(captain);
    unwrap(await captain.join(room));
    const client = new RealtimeClient({ url: proxy.url, socket: { transports: ['websocket'], reconnectionDelay: 100, reconnectionDelayMax: 300 } });
    clients.push(client);
    const store = client.room(room);
    await until(store, (v) => v.status === 'live' && v.seq === start, 'the spectator on the other process');
    const applied: number[] = [];
    store.onEvent((e) => applied.push(e.seq));

    const seen = await watcher.untilPresence(room, (p) => p.spectators === 3);
    expect(seen.participants).toEqual([{ userId: users[0]!.userId, connected: true }]);

    // Events flow from A to the other process's spectator.
    const onA = await connectSocket(a.url, { cookie: staff.cookieHeader() });
    sockets.push(onA);
    const create = (i: number) => onA.command('team.create', { tournamentId: id, captainUserId: users[i]!.userId }).then(unwrap);
    await create(1);
    await until(store, (v) => v.seq === start + 1, 'an event through the other process');

    // The process dies without a word; the load balancer sends its clients to A.
    proxy.retarget(a.port);
    other.child.kill('SIGKILL');
    await other.exited;
    for (let i = 2; i < 6; i++) await create(i);

    await until(store, (v) => v.seq === start + 5, 'the events committed while it was dead', 10_000);
    expect(applied).toEqual([1, 2, 3, 4, 5].map((n) => start + n));
    // The dead process's share is gone: the watcher, and the spectator now on A; no captain.
    const healed = await watcher.untilPresence(room, (p) => p.spectators === 2 && !p.participants[0]!.connected, 10_000);
    expect(healed.viewers).toEqual([]);
  });
});
