import crypto from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../support/databases';
import { startFakeDiscord, type FakeDiscord } from '../support/fake-discord';
import type { HttpResponse } from '../support/http';
import { startHub, type TestHub } from '../support/hub';

const REDIS_URL = 'redis://127.0.0.1:6379';

function expectLimited(res: HttpResponse) {
  expect(res.status).toBe(429);
  const retryAfter = Number(res.headers.get('retry-after'));
  expect(retryAfter).toBeGreaterThanOrEqual(1);
  expect(retryAfter).toBeLessThanOrEqual(60);
  expect(res.body).toEqual({ error: { code: 'rate_limited', message: expect.any(String) } });
}

function expectLoginRedirectLimited(res: HttpResponse) {
  expect(res.status).toBe(302);
  expect(res.headers.get('location')).toBe('/?loginError=rate_limited');
  expect(Number(res.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
}

describe('login rate limit (memory)', () => {
  let t: TestHub;
  beforeAll(async () => {
    t = await startHub({ env: { RATE_LIMIT_LOGIN_PER_MINUTE: '3' } });
  });
  afterAll(() => t?.close());

  it('POST /auth/dev answers 429 with Retry-After once an IP is over the limit, and logs nobody in', async () => {
    for (let i = 0; i < 3; i++) {
      const c = t.client();
      expect((await c.post('/auth/dev', { username: `limited${i}` })).status).toBe(200);
    }
    const c = t.client();
    const res = await c.post('/auth/dev', { username: 'limited3' });
    expectLimited(res);
    expect(res.body.error.message).toMatch(/login attempts/i);
    // The router takes any case and a trailing slash: so does the limit.
    for (const path of ['/Auth/Dev', '/auth/dev/', '/AUTH/DEV/']) expectLimited(await t.client().post(path, { username: 'limited4' }));
    expect((await c.get('/api/me')).body.user).toBeNull();
    // Reads are not logins: the site still answers.
    expect((await c.get('/api/me')).status).toBe(200);
  });
});

describe('login rate limit on the Discord routes (memory)', () => {
  let discord: FakeDiscord;
  let t: TestHub;
  beforeAll(async () => {
    discord = await startFakeDiscord();
    t = await startHub({ env: { ...discord.env(), RATE_LIMIT_LOGIN_PER_MINUTE: '3' } });
  });
  afterAll(async () => {
    await t?.close();
    await discord?.close();
  });

  it('GET /auth/discord and the callback share the budget and redirect with loginError=rate_limited', async () => {
    const c = t.client();
    const start = await c.get('/auth/discord'); // 1
    expect(start.status).toBe(302);
    const atDiscord = await fetch(start.headers.get('location')!, { redirect: 'manual' });
    const callback = new URL(atDiscord.headers.get('location')!);
    expect((await t.client().get('/auth/discord')).status).toBe(302); // 2
    expect((await t.client().get('/auth/discord')).status).toBe(302); // 3
    expectLoginRedirectLimited(await t.client().get('/auth/discord'));

    discord.requests.length = 0;
    const finish = await c.get(callback.pathname + callback.search);
    expectLoginRedirectLimited(finish);
    expect(discord.requests).toHaveLength(0); // refused before any call to Discord
    expect((await c.get('/api/me')).body.user).toBeNull();
  });
});

describe('mutation rate limit (memory)', () => {
  let t: TestHub;
  beforeAll(async () => {
    t = await startHub({ env: { RATE_LIMIT_MUTATIONS_PER_MINUTE: '4' } });
  });
  afterAll(() => t?.close());

  it('counts per user: one user over the limit gets 429 with Retry-After, another user on the same IP does not', async () => {
    const a = await t.login('busy');
    const b = await t.login('calm');
    for (let i = 0; i < 4; i++) {
      const res = await a.patch('/api/me', {});
      expect(res.status).not.toBe(429);
    }
    expectLimited(await a.patch('/api/me', { mmr: 5000 }));
    expectLimited(await a.post('/api/leagues', { name: 'Nope' }));
    expectLimited(await a.patch('/API/Me/', { mmr: 5000 })); // the same route for the router
    expect((await a.get('/api/me')).body.user.mmr).toBeNull(); // the refused change did not happen
    // Reads are not limited.
    expect((await a.get('/api/me')).status).toBe(200);

    expect((await b.patch('/api/me', {})).status).not.toBe(429);
  });

  it('counts anonymous requests per IP', async () => {
    for (let i = 0; i < 4; i++) {
      const res = await t.client().post('/api/leagues', { name: `Anon ${i}` });
      expect(res.status).not.toBe(429);
    }
    const res = await t.client().post('/api/leagues', { name: 'Anon over' });
    expectLimited(res);
    // Without a CSRF token the same anonymous attempt is limited too: refused requests count.
    expectLimited(await t.client().post('/api/leagues', { name: 'x' }, { csrf: false }));
  });
});

describe('rate limits in Redis', () => {
  let database: TestDatabase;
  let a: TestHub;
  let b: TestHub;
  const prefix = `dtx-rl-${crypto.randomBytes(4).toString('hex')}:`;
  const env = { REDIS_URL, REDIS_PREFIX: prefix, RATE_LIMIT_LOGIN_PER_MINUTE: '3', RATE_LIMIT_MUTATIONS_PER_MINUTE: '3' };
  beforeAll(async () => {
    database = await createTestDatabase('sqlite');
    a = await startHub({ database, env });
    b = await startHub({ database, env });
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
    await database?.drop();
    const redis = new Redis(REDIS_URL);
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length) await redis.del(...keys);
    redis.disconnect();
  });

  it('a login limit holds across hubs sharing Redis', async () => {
    expect((await a.client().post('/auth/dev', { username: 'one' })).status).toBe(200);
    expect((await b.client().post('/auth/dev', { username: 'two' })).status).toBe(200);
    expect((await a.client().post('/auth/dev', { username: 'three' })).status).toBe(200);
    expectLimited(await b.client().post('/auth/dev', { username: 'four' }));
  });

  it('when Redis goes away, the in-memory insurance limiter takes over: requests are neither blocked nor unlimited', async () => {
    // Anonymous mutations (per IP), so no session has to be read from the Redis that is gone.
    const redis = b.hub.services.redis!;
    const ended = new Promise((resolve) => redis.once('end', resolve));
    redis.disconnect();
    await ended;
    for (let i = 0; i < 3; i++) {
      const res = await b.client().post('/api/leagues', { name: 'x' }, { csrf: false });
      expect(res.status).toBe(403); // CSRF, after the limiter let it through
    }
    expectLimited(await b.client().post('/api/leagues', { name: 'x' }, { csrf: false }));
  });
});
