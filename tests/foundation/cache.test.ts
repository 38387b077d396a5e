import crypto from 'node:crypto';
import { Redis } from 'ioredis';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DATABASES } from '../support/databases';
import type { HttpClient } from '../support/http';
import { eventually } from '../support/eventually';
import { startHub, type TestHub } from '../support/hub';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy';
import { connectSocket } from '../support/socket';
import { createMemoryCache, type ReadCache } from '../../server/cache/read-cache';
import { createRedisCache } from '../../server/cache/redis-cache';

type Client = HttpClient & { userId: number };

/** Reads `path` twice through a hub and checks the second read was a cache hit (the cache is warm). */
async function warm(t: TestHub, client: HttpClient, path: string) {
  const first = await client.get(path);
  expect(first.status, `${path}: ${first.text}`).toBe(200);
  const hits = t.hub.services.cache.stats().hits;
  const second = await client.get(path);
  expect(second.body).toEqual(first.body);
  expect(t.hub.services.cache.stats().hits, `${path} should be served from the cache`).toBe(hits + 1);
  return first.body;
}

describe.each(DATABASES)('RT8 two hubs on one database and one Redis [%s]', (db) => {
  let a: TestHub;
  let b: TestHub;
  let staffA: Client;
  let playerA: Client;
  let playerB: Client;
  let anonB: HttpClient;
  beforeAll(async () => {
    const env = { REDIS_URL: 'redis://127.0.0.1:6379', REDIS_PREFIX: `dtx-test-cache-${crypto.randomBytes(6).toString('hex')}:` };
    a = await startHub({ db, env });
    b = await startHub({ database: a.database, env });
    staffA = await a.login('cachestaff', 'staff');
    playerA = await a.login('cacheplayer', 'member');
    // The same user, logged in through the other hub: the private view is read there.
    playerB = await b.login('cacheplayer', 'member');
    anonB = b.client();
  });
  afterAll(async () => {
    await b?.close();
    await a?.close(); // drops the database last
  });

  it('RT8 a profile change through A shows at once in the public and private views and the list through B', async () => {
    const id = playerA.userId;
    expect(playerB.userId).toBe(id);
    for (const [i, change] of [
      { mmr: 3100 },
      { mmr: 3200 },
      { steamId: '76561198000000777' },
      { positions: { '1': 5, '2': 0, '3': 1, '4': 2, '5': 3 } },
      { steamId: null, mmr: null },
    ].entries()) {
      await warm(b, anonB, `/api/users/${id}`);
      await warm(b, playerB, `/api/users/${id}`);
      await warm(b, anonB, '/api/users?q=cacheplayer');
      const res = await playerA.patch('/api/me', change);
      expect(res.status, `change ${i}: ${res.text}`).toBe(200);
      const pub = (await anonB.get(`/api/users/${id}`)).body;
      const priv = (await playerB.get(`/api/users/${id}`)).body;
      const list = (await anonB.get('/api/users?q=cacheplayer')).body.items[0];
      for (const view of [pub, priv, list]) expect(view, `change ${i}`).toMatchObject(change);
      expect(pub).not.toHaveProperty('role');
      expect(priv).toHaveProperty('role', 'member');
    }
  });

  it('RT8 a role change through A shows at once in the private view through B', async () => {
    const admin = await a.login('cacheadmin', 'admin');
    const target = await a.login('cachetarget', 'member');
    const adminB = await b.login('cacheadmin', 'admin');
    for (const role of ['staff', 'member', 'staff'] as const) {
      await warm(b, adminB, `/api/users/${target.userId}`);
      expect((await admin.patch(`/api/users/${target.userId}/role`, { role })).status).toBe(200);
      expect((await adminB.get(`/api/users/${target.userId}`)).body.role).toBe(role);
    }
  });

  it('RT8 league renames through A show at once in the list, the league and its tournament through B', async () => {
    const league = (await staffA.post('/api/leagues', { name: 'Cache League 0' })).body;
    const tournament = (await staffA.post('/api/tournaments', { name: 'League Cup', startsAt: '2030-01-01T18:00:00Z', leagueId: league.id })).body;
    for (let i = 1; i <= 3; i++) {
      await warm(b, anonB, '/api/leagues');
      await warm(b, anonB, `/api/leagues/${league.id}`);
      await warm(b, anonB, `/api/tournaments/${tournament.id}`);
      expect((await staffA.patch(`/api/leagues/${league.id}`, { name: `Cache League ${i}` })).status).toBe(200);
      expect((await anonB.get('/api/leagues')).body.items.map((l: { name: string }) => l.name)).toContain(`Cache League ${i}`);
      expect((await anonB.get(`/api/leagues/${league.id}`)).body.name).toBe(`Cache League ${i}`);
      expect((await anonB.get(`/api/tournaments/${tournament.id}`)).body.league.name).toBe(`Cache League ${i}`);
    }
    await warm(b, anonB, '/api/leagues');
    const created = (await staffA.post('/api/leagues', { name: 'Cache League New' })).body;
    expect((await anonB.get('/api/leagues')).body.items.map((l: { id: number }) => l.id)).toContain(created.id);
    await warm(b, anonB, `/api/leagues/${created.id}`);
    expect((await staffA.delete(`/api/leagues/${created.id}`)).status).toBe(204);
    expect((await anonB.get(`/api/leagues/${created.id}`)).status).toBe(404);
  });

  it('RT8 team changes through A show at once in the team list and the tournament page through B', async () => {
    const tournament = (await staffA.post('/api/tournaments', { name: 'Team Cup', startsAt: '2030-01-01T18:00:00Z' })).body;
    const captain = await a.login('cachecaptain', 'member');
    expect((await staffA.post(`/api/tournaments/${tournament.id}/players`, { userId: captain.userId, mmr: 4000 })).status).toBe(201);
    const teams = `/api/tournaments/${tournament.id}/teams`;
    const page = `/api/tournaments/${tournament.id}`;
    await warm(b, anonB, teams);
    const team = (await staffA.post(teams, { captainUserId: captain.userId })).body;
    expect((await anonB.get(teams)).body.items.map((x: { id: number }) => x.id)).toEqual([team.id]);
    for (let i = 1; i <= 3; i++) {
      await warm(b, anonB, teams);
      await warm(b, anonB, page);
      expect((await staffA.patch(`${teams}/${team.id}`, { name: `Renamed ${i}` })).status).toBe(200);
      expect((await anonB.get(teams)).body.items[0].name).toBe(`Renamed ${i}`);
      expect((await anonB.get(page)).body.teams[0].name).toBe(`Renamed ${i}`);
    }
    // The captain's own profile edit reaches the team list too.
    await warm(b, anonB, teams);
    expect((await captain.patch('/api/me', { mmr: 6500 })).status).toBe(200);
    expect((await anonB.get(teams)).body.items[0].captain.mmr).toBe(6500);
    await warm(b, anonB, teams);
    expect((await staffA.delete(`${teams}/${team.id}`)).status).toBe(204);
    expect((await anonB.get(teams)).body.items).toEqual([]);
  });
});

describe('the single-process memory cache (no Redis)', () => {
  let t: TestHub;
  beforeAll(async () => {
    t = await startHub();
  });
  afterAll(() => t?.close());

  it('RT8 a repeated read is a cache hit; a read after a write is fresh', async () => {
    expect(t.hub.services.redis).toBeUndefined();
    const staff = await t.login('memstaff', 'staff');
    const c = t.client();
    const league = (await staff.post('/api/leagues', { name: 'Memory League' })).body;
    const path = `/api/leagues/${league.id}`;
    const { hits, misses } = t.hub.services.cache.stats();
    expect((await c.get(path)).body.name).toBe('Memory League');
    expect(t.hub.services.cache.stats()).toEqual({ hits, misses: misses + 1 });
    expect((await c.get(path)).body.name).toBe('Memory League');
    expect(t.hub.services.cache.stats()).toEqual({ hits: hits + 1, misses: misses + 1 });
    for (const name of ['Memory League 2', 'Memory League 3']) {
      await staff.patch(path, { name });
      expect((await c.get(path)).body.name).toBe(name);
      expect((await c.get(path)).body.name).toBe(name);
    }
    expect(t.hub.services.cache.stats()).toEqual({ hits: hits + 3, misses: misses + 3 });

    const me = await t.login('memplayer');
    await warm(t, c, `/api/users/${me.userId}`);
    await me.patch('/api/me', { mmr: 1234 });
    expect((await c.get(`/api/users/${me.userId}`)).body.mmr).toBe(1234);
  });
});

describe('RT8 RT10 a Redis outage that keeps its data leaves no stale cache entry', () => {
  let proxy: TcpProxy;
  let a: TestHub;
  let b: TestHub;
  beforeAll(async () => {
    // The hubs reach the shared Redis through a proxy the test can cut: Redis itself keeps its data.
    proxy = await startTcpProxy(6379);
    const env = { REDIS_URL: `redis://127.0.0.1:${proxy.port}`, REDIS_PREFIX: `dtx-test-outage-${crypto.randomBytes(6).toString('hex')}:` };
    a = await startHub({ db: 'sqlite', env });
    b = await startHub({ database: a.database, env });
  });
  afterAll(async () => {
    await b?.close();
    await a?.close();
    await proxy?.close();
  });

  it('RT8 RT10 a write whose invalidation could not reach Redis is seen through the other hub once Redis is back', async () => {
    const staff = await a.login('outagecachestaff', 'staff');
    const captain = await a.login('outagecachecaptain');
    const created = await staff.post('/api/tournaments', { name: 'Outage Cup', startsAt: '2030-05-01T18:00:00Z' });
    expect(created.status, created.text).toBe(201);
    const tournamentId = created.body.id as number;
    expect((await staff.post(`/api/tournaments/${tournamentId}/players`, { userId: captain.userId, mmr: 3000 })).status).toBe(201);
    const team = await staff.post(`/api/tournaments/${tournamentId}/teams`, { captainUserId: captain.userId, name: 'Before' });
    expect(team.status, team.text).toBe(201);
    const path = `/api/tournaments/${tournamentId}`;
    const anonB = b.client();
    await warm(b, anonB, path);
    // Sessions live in Redis too: the staff member's socket authenticated before the outage.
    const socket = await connectSocket(a.url, { cookie: staff.cookieHeader() });

    try {
      const nothing = await startTcpProxy(1); // nothing listens on port 1: connections fail at once
      proxy.retarget(1);
      proxy.dropAll();
      await nothing.close();
      const renamed = await socket.command('team.rename', { tournamentId, teamId: team.body.id, name: 'During' });
      expect(renamed.ok, JSON.stringify(renamed)).toBe(true);
      // While Redis is away, reads come from the database.
      expect((await anonB.get(path)).body.teams[0].name).toBe('During');

      proxy.retarget(6379);
      for (const t of [a, b]) {
        await eventually(() => t.hub.services.redis!.status === 'ready', 'Redis ready again', { intervalMs: 25 });
        expect(t.hub.services.redis!.status).toBe('ready');
      }
      // The entry cached before the outage is still in Redis under the old tag versions.
      for (let i = 0; i < 3; i++) expect((await anonB.get(path)).body.teams[0].name).toBe('During');
    } finally {
      socket.close();
    }
  });
});

describe('read cache: readers of a missing entry share its load', () => {
  const caches: { name: string; make: () => Promise<{ cache: ReadCache; close: () => void }> }[] = [
    { name: 'in process', make: async () => ({ cache: createMemoryCache(), close: () => {} }) },
    {
      name: 'Redis',
      make: async () => {
        const redis = new Redis('redis://127.0.0.1:6379');
        await redis.ping(); // connected: a cache on a Redis not yet ready reads straight from the loader
        return {
          cache: createRedisCache(redis, `dtx-test-flight-${crypto.randomBytes(6).toString('hex')}:`, pino({ level: 'silent' })),
          close: () => redis.disconnect(),
        };
      },
    },
  ];

  it.each(caches)('RT8 twenty readers at once run the load once; after an invalidation, a new load, not the one in flight [$name]', async ({ make }) => {
    const { cache, close } = await make();
    try {
      let loads = 0;
      const load = async () => {
        const n = ++loads;
        await new Promise((resolve) => setTimeout(resolve, 30));
        return { n };
      };
      const burst = () => Promise.all(Array.from({ length: 20 }, () => cache.get('tournament-page', ['tournament:1'], load)));
      expect((await burst()).map((v) => v.n)).toEqual(Array(20).fill(1));
      expect(loads).toBe(1);

      // A load still running when the tag is invalidated is not joined by readers after it.
      await cache.invalidate(['tournament:1']);
      const before = cache.get('tournament-page', ['tournament:1'], load);
      await eventually(() => loads === 2, 'the first load to start');
      await cache.invalidate(['tournament:1']);
      const after = await burst();
      expect((await before).n).toBe(2);
      expect(after.map((v) => v.n)).toEqual(Array(20).fill(3));
      expect(loads).toBe(3);
    } finally {
      close();
    }
  });
});
