import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { User } from '../../server/users/user.model';
import { DATABASES } from '../support/databases';
import { startHub, type TestHub } from '../support/hub';

describe.each(DATABASES)('development login [%s]', (db) => {
  let t: TestHub;
  beforeAll(async () => {
    t = await startHub({ db });
  });
  afterAll(() => t?.close());

  it('the page is clearly labelled as development-only and carries a CSRF token', async () => {
    const page = await t.client().get('/auth/dev');
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/text\/html/);
    expect(page.text).toContain('<title>Development login');
    expect(page.text).toMatch(/For development only/);
    expect(page.text).toMatch(/does not exist in production/);
    expect(page.text).toMatch(/name="_csrf" value="[^"]+"/);
  });

  it('the HTML form logs in and redirects to /', async () => {
    const c = t.client();
    const page = await c.get('/auth/dev');
    const token = /name="_csrf" value="([^"]+)"/.exec(page.text)![1]!;
    const res = await c.request('POST', '/auth/dev', {
      raw: new URLSearchParams({ _csrf: token, username: 'formuser', role: 'staff' }).toString(),
      contentType: 'application/x-www-form-urlencoded',
      csrf: false,
    });
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toBe('/');
    c.resetToken();
    expect((await c.get('/api/me')).body.user).toMatchObject({ username: 'formuser', role: 'staff', discordId: 'dev-formuser' });
  });

  it('goes through the command path: one account per name, the role updated, an event when something changed', async () => {
    const first = await t.login('Switcher', 'member');
    const again = await t.login('switcher', 'admin');
    expect(again.userId).toBe(first.userId);
    const rows = await User.query(t.hub.services.db).where({ discordId: 'dev-switcher' });
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ username: 'switcher', role: 'admin' });

    const events = await t.hub.services
      .db('events')
      .where({ room: `user:${first.userId}`, type: 'user.updated' })
      .orderBy('seq');
    expect(events.map((e) => e.seq)).toEqual([1, 2]);
    const payload = (e: { payload: unknown }) => (typeof e.payload === 'string' ? JSON.parse(e.payload) : e.payload);
    expect(payload(events[1]!).changed.sort()).toEqual(['role', 'username']);
    // AU5: the event carries the public view only.
    expect(payload(events[1]!).user).not.toHaveProperty('role');

    await t.login('switcher', 'admin'); // nothing changed: no event
    expect(await t.hub.services.db('events').where({ room: `user:${first.userId}` })).toHaveLength(2);
  });

  it('refuses a bad user name with the issues and creates nobody', async () => {
    const c = t.client();
    const res = await c.post('/auth/dev', { username: 'x', role: 'member' });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('invalid_payload');
    expect(res.body.error.issues[0].path).toEqual(['body', 'username']);
    const bad = await c.post('/auth/dev', { username: 'valid_name', role: 'owner' });
    expect(bad.status).toBe(400);
    expect(await User.query(t.hub.services.db).where({ discordId: 'dev-valid_name' })).toHaveLength(0);
  });

  it('two first logins of the same new name at once end in one account', async () => {
    const clients = [t.client(), t.client(), t.client()];
    await Promise.all(clients.map((c) => c.token()));
    const answers = await Promise.all(clients.map((c) => c.post('/auth/dev', { username: 'racer' })));
    expect(answers.map((r) => r.status)).toEqual([200, 200, 200]);
    expect(await User.query(t.hub.services.db).where({ discordId: 'dev-racer' })).toHaveLength(1);
  });
});
