import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DATABASES } from '../support/databases';
import { startHub, type TestHub } from '../support/hub';

describe.each(DATABASES)('CSRF on cookie-authenticated mutations [%s]', (db) => {
  let t: TestHub;
  beforeAll(async () => {
    t = await startHub({ db });
  });
  afterAll(() => t?.close());

  const eventCount = async () => Number((await t.hub.services.db('events').count({ n: '*' }).first())!.n);

  it('AU6 a mutation without x-csrf-token is 403 csrf_invalid and changes nothing', async () => {
    const c = await t.login('csrfvictim');
    const before = (await c.get('/api/me')).body.user;
    const events = await eventCount();

    const patch = await c.patch('/api/me', { mmr: 4321 }, { csrf: false });
    expect(patch.status).toBe(403);
    expect(patch.body.error.code).toBe('csrf_invalid');
    const logout = await c.post('/auth/logout', undefined, { csrf: false });
    expect(logout.status).toBe(403);
    expect(logout.body.error.code).toBe('csrf_invalid');

    // Still logged in, profile untouched, no event written.
    expect((await c.get('/api/me')).body.user).toEqual(before);
    expect(await eventCount()).toBe(events);
  });

  it('AU6 a wrong token, or the token of another session, is refused the same way', async () => {
    const victim = await t.login('csrfvictim2');
    const attacker = await t.login('csrfattacker');
    const attackerToken = await attacker.token();
    const events = await eventCount();

    for (const token of ['not-a-token', attackerToken, '']) {
      const res = await victim.request('PATCH', '/api/me', { body: { mmr: 1 }, headers: { 'x-csrf-token': token }, csrf: false });
      expect(res.status).toBe(403);
      expect(res.body.error.code).toBe('csrf_invalid');
    }
    const form = await victim.request('POST', '/auth/logout', { raw: '_csrf=not-a-token', contentType: 'application/x-www-form-urlencoded', csrf: false });
    expect(form.status).toBe(403);
    expect((await victim.get('/api/me')).body.user.username).toBe('csrfvictim2');
    expect(await eventCount()).toBe(events);
  });

  it('AU6 with the session token the same mutation goes through (the check is the token, not the route)', async () => {
    const c = await t.login('csrfok');
    const res = await c.post('/auth/logout');
    expect(res.status).toBe(200);
    expect((await c.get('/api/me')).body.user).toBeNull();
  });

  it('AU6 the development login form is CSRF-protected too (no login forced on a visitor)', async () => {
    const c = t.client();
    await c.token(); // the visitor has a session
    const res = await c.request('POST', '/auth/dev', { raw: 'username=forced&role=admin', contentType: 'application/x-www-form-urlencoded', csrf: false });
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe('csrf_invalid');
    expect((await c.get('/api/me')).body.user).toBeNull();
  });
});
