import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DATABASES } from '../support/databases';
import { startHub, type TestHub } from '../support/hub';

describe.each(DATABASES)('hub boots [%s]', (db) => {
  let t: TestHub;
  beforeAll(async () => {
    t = await startHub({ db });
  });
  afterAll(() => t?.close());

  it('answers /healthz and /readyz', async () => {
    const c = t.client();
    expect((await c.get('/healthz')).body).toEqual({ status: 'ok', checks: { process: 'up' } });
    expect((await c.get('/readyz')).body).toEqual({ status: 'ok', checks: { database: 'ok' } });
  });

  it('logs in through the development login and knows the user', async () => {
    const c = await t.login('alice', 'staff');
    const me = await c.get('/api/me');
    expect(me.body.user).toMatchObject({ username: 'alice', role: 'staff', discordId: 'dev-alice' });
  });

  it('refuses a mutation without the CSRF token', async () => {
    const c = await t.login('bob');
    const res = await c.post('/auth/logout', undefined, { csrf: false });
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe('csrf_invalid');
  });

  it('anonymous reads start no session; /api/me does (it hands out the CSRF token)', async () => {
    const c = t.client();
    await c.get('/api/tournaments');
    await c.get('/healthz');
    expect(c.hasCookie('dtx.sid')).toBe(false);
    await c.get('/api/me');
    expect(c.hasCookie('dtx.sid')).toBe(true);
  });

  it('answers unknown API routes with a JSON 404', async () => {
    const res = await t.client().get('/api/nope');
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('not_found');
  });
});
