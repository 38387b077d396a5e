import net from 'node:net';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, DATABASES, type TestDatabase } from '../support/databases';
import { eventually } from '../support/eventually';
import type { HttpClient } from '../support/http';
import { startHub, type TestHub } from '../support/hub';
import { sameBrowser } from './helpers';
import { startOwnRedis, type OwnRedis } from '../support/redis-server';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy';
import { tournamentWithPool } from '../realtime/fixtures';

const PREFIX = 'sessout:';

/** A port nothing listens on: the proxy's new connections to it are refused at once. */
async function deadPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** The session id inside a client's `dtx.sid` cookie (`s:<id>.<signature>`). */
function sessionId(client: HttpClient): string {
  const value = /dtx\.sid=([^;]+)/.exec(client.cookieHeader())![1]!;
  return /^s:([^.]+)\./.exec(decodeURIComponent(value))![1]!;
}

/*
 * Two hubs on one database reach their own redis-server through a TCP proxy: cutting the proxy
 * is the outage. The server itself keeps its keys, so the copies written before the outage are
 * still there when it is back, as after a network cut or with a Redis that persists.
 */
describe.each(DATABASES)('RT10 sessions while Redis is down [%s]', (db) => {
  let redis: OwnRedis;
  let proxy: TcpProxy;
  let inspect: Redis;
  let database: TestDatabase;
  let a: TestHub;
  let b: TestHub;

  beforeAll(async () => {
    redis = await startOwnRedis();
    proxy = await startTcpProxy(redis.port);
    inspect = new Redis(redis.url);
    database = await createTestDatabase(db);
    const env = { REDIS_URL: `redis://127.0.0.1:${proxy.port}`, REDIS_PREFIX: PREFIX };
    a = await startHub({ database, env });
    b = await startHub({ database, env });
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
    await database?.drop();
    inspect?.disconnect();
    await proxy?.close();
    await redis?.stop();
  });

  const hubsSeeRedis = (up: boolean) =>
    eventually(() => [a, b].every((t) => (t.hub.services.redis!.status === 'ready') === up), `both hubs to see Redis ${up ? 'up' : 'down'}`, {
      timeoutMs: 10_000,
    });
  async function cutRedis() {
    proxy.retarget(await deadPort());
    proxy.dropAll();
    await hubsSeeRedis(false);
  }
  async function restoreRedis() {
    proxy.retarget(redis.port);
    await hubsSeeRedis(true);
  }
  const redisCopy = (client: HttpClient) => inspect.exists(`${PREFIX}sess:${sessionId(client)}`);

  it('RT10 a logged-in user keeps changing things over REST and stays logged in, on the hub of the login and on another', async () => {
    const staff = await a.login('outagestaff', 'staff');
    const { id, users } = await tournamentWithPool(a, staff, 3);
    await staff.token();
    const onB = sameBrowser(staff, b);

    await cutRedis();
    try {
      const onA = await staff.post(`/api/tournaments/${id}/teams`, { captainUserId: users[0]!.userId });
      expect(onA.status, onA.text).toBe(201);
      expect((await staff.get('/api/me')).body.user).toMatchObject({ username: 'outagestaff', role: 'staff' });
      const fromB = await onB.post(`/api/tournaments/${id}/teams`, { captainUserId: users[1]!.userId });
      expect(fromB.status, fromB.text).toBe(201);
      expect((await onB.get('/api/me')).body.user).toMatchObject({ username: 'outagestaff', role: 'staff' });
    } finally {
      await restoreRedis();
    }
    const after = await onB.post(`/api/tournaments/${id}/teams`, { captainUserId: users[2]!.userId });
    expect(after.status, after.text).toBe(201);
    expect((await staff.get(`/api/tournaments/${id}/teams`)).body.items).toHaveLength(3);
  });

  it('RT10 a user who logs in while Redis is down stays logged in once it is back', async () => {
    await cutRedis();
    let late: HttpClient;
    try {
      late = await a.login('latecomer', 'staff');
      expect((await late.get('/api/me')).body.user).toMatchObject({ username: 'latecomer' });
      expect((await sameBrowser(late, b).get('/api/me')).body.user).toMatchObject({ username: 'latecomer' });
    } finally {
      await restoreRedis();
    }
    expect((await late.get('/api/me')).body.user).toMatchObject({ username: 'latecomer', role: 'staff' });
    expect((await sameBrowser(late, b).get('/api/me')).body.user).toMatchObject({ username: 'latecomer', role: 'staff' });
    // Read from the database after the outage, the session is in Redis again for the next read.
    await eventually(async () => (await redisCopy(late)) === 1, 'the session to be back in Redis');
    const created = await late.post('/api/tournaments', { name: 'After the outage', startsAt: '2030-05-01T18:00:00Z' });
    expect(created.status, created.text).toBe(201);
  });

  it('RT10 a user who logs out while Redis is down stays logged out once it is back (the stale Redis copy is dropped)', async () => {
    const leaver = await a.login('leaver', 'staff');
    const cookie = leaver.cookieHeader();
    const key = `${PREFIX}sess:${sessionId(leaver)}`;
    const replay = (t: TestHub) => t.client().request('GET', '/api/me', { headers: { cookie } });
    expect((await replay(b)).body.user).toMatchObject({ username: 'leaver' });
    expect(await inspect.exists(key)).toBe(1);

    await cutRedis();
    try {
      expect((await leaver.post('/auth/logout')).status).toBe(200);
      expect((await replay(a)).body.user).toBeNull();
      expect((await replay(b)).body.user).toBeNull();
      // Redis never heard of the logout: its copy still names the user.
      expect(await inspect.get(key)).toMatch(/"user"/);
    } finally {
      await restoreRedis();
    }
    expect((await replay(a)).body.user).toBeNull();
    expect((await replay(b)).body.user).toBeNull();
    expect(await inspect.exists(key)).toBe(0);
  });
});
