import crypto from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { createTestDatabase, DATABASES, type TestDatabase } from '../support/databases';
import { startHub } from '../support/hub';
import { sameBrowser } from './helpers';
import { RealtimeClient } from '../../client/src/lib/realtime';
import { eventually } from '../support/eventually';
import { connectSocket, type TestSocket } from '../support/socket';

const REDIS_URL = 'redis://127.0.0.1:6379';

describe.each(DATABASES)('sessions in the database [%s]', (db) => {
  const cleanup: (() => Promise<void>)[] = [];
  afterAll(async () => {
    for (const step of cleanup.reverse()) await step();
  });

  it('a logged-in session survives a hub restart on the same database', async () => {
    const database: TestDatabase = await createTestDatabase(db);
    cleanup.push(() => database.drop());
    const first = await startHub({ database });
    const c = await first.login('survivor', 'staff');
    const row = await first.hub.services.db('sessions').count({ n: '*' }).first();
    expect(Number(row!.n)).toBeGreaterThan(0);
    await first.close();

    const second = await startHub({ database });
    cleanup.push(() => second.close());
    const me = await sameBrowser(c, second).get('/api/me');
    expect(me.body.user).toMatchObject({ username: 'survivor', role: 'staff' });
  });

  it('using a session moves its stored expiry at most once every ten minutes; the cookie is renewed on every response', async () => {
    const t = await startHub({ db });
    cleanup.push(() => t.close());
    const c = await t.login('toucher');
    const writes: string[] = [];
    const onQuery = (q: { sql: string }) => {
      if (/^update\b.*\bsessions\b/i.test(q.sql)) writes.push(q.sql);
    };
    t.hub.services.db.on('query', onQuery);
    try {
      for (let i = 0; i < 3; i++) {
        const me = await c.get('/api/me');
        expect(me.body.user.username).toBe('toucher');
        expect(me.headers.getSetCookie().some((line) => line.startsWith('dtx.sid='))).toBe(true);
      }
    } finally {
      t.hub.services.db.off('query', onQuery);
    }
    // express-session touches after every response (rolling): the first moves the row, the next two do not.
    expect(writes).toHaveLength(1);
  });

  it('logout deletes the stored session: the old cookie no longer authenticates', async () => {
    const t = await startHub({ db });
    cleanup.push(() => t.close());
    const c = await t.login('leaver');
    const cookie = c.cookieHeader();
    const count = async () => Number((await t.hub.services.db('sessions').count({ n: '*' }).first())!.n);
    expect(await count()).toBe(1);

    const out = await c.post('/auth/logout');
    expect(out.status).toBe(200);
    expect(out.headers.getSetCookie().some((line) => /^dtx\.sid=;/.test(line))).toBe(true);
    expect(await count()).toBe(0);
    const replay = await t.client().request('GET', '/api/me', { headers: { cookie } });
    expect(replay.body.user).toBeNull();
  });

  it('logout drops the sockets of that session (told why), not those of the same user’s other session or of spectators', async () => {
    const t = await startHub({ db });
    cleanup.push(() => t.close());
    const laptop = await t.login('twodevices', 'staff');
    const phone = await t.login('twodevices', 'staff');
    const sockets: TestSocket[] = [];
    cleanup.push(async () => sockets.forEach((s) => s.close()));
    const open = async (cookie?: string) => {
      const socket = await connectSocket(t.url, cookie ? { cookie } : {});
      sockets.push(socket);
      return socket;
    };
    const oldCookie = laptop.cookieHeader();
    const onLaptop = await open(oldCookie);
    const onPhone = await open(phone.cookieHeader());
    const spectator = await open();

    expect((await laptop.post('/auth/logout')).status).toBe(200);
    await onLaptop.untilDisconnected();
    expect(onLaptop.notices).toEqual(['you logged out']);
    // The handshake's identity is gone with the session: the same cookie is a spectator now.
    const again = await open(oldCookie);
    const refused = await again.command('team.create', { tournamentId: 1, captainUserId: 1 });
    expect(refused).toMatchObject({ ok: false, error: { code: 'unauthenticated' } });
    expect(onPhone.socket.connected).toBe(true);
    expect(spectator.socket.connected).toBe(true);
    expect(onPhone.notices).toEqual([]);
  });

  it('the client library reconnects after its session ended, as a visitor, and says so', async () => {
    const t = await startHub({ db });
    cleanup.push(() => t.close());
    const c = await t.login('libraryuser', 'staff');
    let ended = 0;
    const client = new RealtimeClient({
      url: t.url,
      headers: { cookie: c.cookieHeader() },
      onSessionEnded: () => ended++,
      socket: { transports: ['websocket'] },
    });
    cleanup.push(async () => client.close());
    const states: string[] = [];
    client.state.subscribe((s) => states.push(s));
    await eventually(() => client.currentState === 'connected', 'connected');
    expect(await client.command('team.create', { tournamentId: 999_999, captainUserId: 1 })).toMatchObject({ ok: false, error: { code: 'not_found' } });

    expect((await c.post('/auth/logout')).status).toBe(200);
    await eventually(() => ended === 1 && states.at(-1) === 'connected' && states.length > 2, 'a reconnect after the logout');
    expect(states).toContain('reconnecting');
    // Its handshake carried the old cookie, whose session is gone: a visitor now.
    expect(await client.command('team.create', { tournamentId: 999_999, captainUserId: 1 })).toMatchObject({ ok: false, error: { code: 'unauthenticated' } });
  });

  it('the session cookie is httpOnly, SameSite=Lax, not Secure over http, and changes at login (no fixation)', async () => {
    const t = await startHub({ db });
    cleanup.push(() => t.close());
    const c = t.client();
    await c.token(); // an anonymous session with a CSRF token
    const anonymous = c.cookieHeader();
    expect(anonymous).toMatch(/dtx\.sid=/);
    const res = await c.post('/auth/dev', { username: 'cookiecheck' });
    expect(res.status).toBe(200);
    const line = res.headers.getSetCookie().find((l) => l.startsWith('dtx.sid='))!;
    expect(line).toMatch(/HttpOnly/i);
    expect(line).toMatch(/SameSite=Lax/i);
    expect(line).toMatch(/Path=\//i);
    expect(line).not.toMatch(/Secure/i);
    expect(c.cookieHeader()).not.toBe(anonymous);
    // The anonymous session id does not become a logged-in one.
    expect((await t.client().request('GET', '/api/me', { headers: { cookie: anonymous } })).body.user).toBeNull();
  });
});

describe.each(DATABASES)('sessions in Redis [%s]', (db) => {
  const cleanup: (() => Promise<void>)[] = [];
  afterAll(async () => {
    for (const step of cleanup.reverse()) await step();
  });

  /** Two hubs on one database and one Redis (a key prefix of their own, removed afterwards). */
  async function twoHubsOnRedis() {
    const prefix = `dtx-test-${crypto.randomBytes(4).toString('hex')}:`;
    const env = { REDIS_URL, REDIS_PREFIX: prefix };
    const database = await createTestDatabase(db);
    cleanup.push(() => database.drop());
    const a = await startHub({ database, env });
    cleanup.push(() => a.close());
    const b = await startHub({ database, env });
    cleanup.push(() => b.close());
    const redis = new Redis(REDIS_URL);
    cleanup.push(async () => {
      const keys = await redis.keys(`${prefix}*`);
      if (keys.length) await redis.del(...keys);
      redis.disconnect();
    });
    return { a, b, redis, prefix };
  }

  it('two hubs sharing one Redis share the session; logout on one ends it on both', async () => {
    const { a, b, redis, prefix } = await twoHubsOnRedis();

    const c = await a.login('roamer', 'staff');
    // Stored in Redis (the shared fast copy) and in the database (the durable one).
    const rows = async () => Number((await a.hub.services.db('sessions').count({ n: '*' }).first())!.n);
    expect((await redis.keys(`${prefix}sess:*`)).length).toBe(1);
    expect(await rows()).toBe(1);

    const onB = sameBrowser(c, b);
    expect((await onB.get('/api/me')).body.user).toMatchObject({ username: 'roamer', role: 'staff' });

    // The CSRF token from hub A's session is valid on hub B: it lives in the shared session.
    const token = await c.token();
    const logout = await b.client().request('POST', '/auth/logout', { headers: { cookie: c.cookieHeader(), 'x-csrf-token': token }, csrf: false });
    expect(logout.status).toBe(200);
    expect((await redis.keys(`${prefix}sess:*`)).length).toBe(0);
    expect(await rows()).toBe(0);
    expect((await onB.get('/api/me')).body.user).toBeNull();
    expect((await c.get('/api/me')).body.user).toBeNull();
  });

  it('a logout on one hub drops that session’s sockets on the other', async () => {
    const { a, b } = await twoHubsOnRedis();
    const c = await a.login('crosshub', 'staff');
    const onB = await connectSocket(b.url, { cookie: c.cookieHeader() });
    cleanup.push(async () => onB.close());
    const spectatorOnB = await connectSocket(b.url);
    cleanup.push(async () => spectatorOnB.close());

    expect((await c.post('/auth/logout')).status).toBe(200);
    await onB.untilDisconnected();
    expect(onB.notices).toEqual(['you logged out']);
    expect(spectatorOnB.socket.connected).toBe(true);
  });

  // A Redis outage alone logs nobody out (tests/auth/session-outage.test.ts); both stores down is this.
  it('while Redis and the database are both down a logged-in browser reads as anonymous, changes get 503, and the session is back with them', async () => {
    const prefix = `dtx-test-${crypto.randomBytes(4).toString('hex')}:`;
    const t = await startHub({ db, env: { REDIS_URL, REDIS_PREFIX: prefix } });
    cleanup.push(() => t.close());
    const c = await t.login('weathered', 'staff');
    const token = await c.token();
    const redis = t.hub.services.redis!;

    const ended = new Promise((resolve) => redis.once('end', resolve));
    redis.disconnect();
    await ended;
    await t.hub.services.db.destroy();
    try {
      const read = await c.get('/api/me');
      expect(read.status).toBe(200);
      expect(read.body.user).toBeNull();
      expect(read.headers.getSetCookie()).toEqual([]); // the browser keeps its session cookie
      const change = await c.request('POST', '/auth/logout', { headers: { 'x-csrf-token': token }, csrf: false });
      expect(change.status).toBe(503);
      expect(change.body.error.code).toBe('unavailable');
    } finally {
      t.hub.services.db.initialize();
      await redis.connect();
    }
    expect((await c.get('/api/me')).body.user).toMatchObject({ username: 'weathered', role: 'staff' });
  });
});
