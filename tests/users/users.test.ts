import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PrivateUser, PublicUser } from '../../shared/schemas/users';
import { User } from '../../server/users/user.model';
import { DATABASES } from '../support/databases';
import { startHub, type TestHub } from '../support/hub';

const STEAM64 = '76561198000000123';
const ACCOUNT_ID = 39734395; // STEAM64 - 76561197960265728
const PRIVATE_KEYS = ['role', 'guildNickname', 'globalName', 'guildRoleIds', 'createdAt'];

describe.each(DATABASES)('users over REST [%s]', (db) => {
  let t: TestHub;
  beforeAll(async () => {
    t = await startHub({ db });
  });
  afterAll(() => t?.close());

  /** Names that only Discord sets (no endpoint writes them): seeded through a command. */
  async function setDiscordNames(userId: number, names: { globalName?: string | null; guildNickname?: string | null; guildRoleIds?: string[] }) {
    await t.hub.services.commands.run(null, async (tx) => {
      await User.query(tx.db).findById(userId).patch(names);
      tx.touch(`user:${userId}`, 'users');
    });
  }

  describe('GET /api/users/:userId', () => {
    let target: Awaited<ReturnType<TestHub['login']>>;
    beforeAll(async () => {
      target = await t.login('viewtarget', 'member');
      await setDiscordNames(target.userId, { guildNickname: 'Secret Nick', globalName: 'Global V', guildRoleIds: ['123456789012345678'] });
    });

    it('AU5 an anonymous reader gets the public view only', async () => {
      const res = await t.client().get(`/api/users/${target.userId}`);
      expect(res.status).toBe(200);
      for (const key of PRIVATE_KEYS) expect(res.body).not.toHaveProperty(key);
      expect(PublicUser.strict().safeParse(res.body).success).toBe(true);
      expect(res.body.displayName).toBe('Secret Nick'); // display name is public; the raw fields are not
      expect(res.text).not.toContain('123456789012345678');
    });

    it('AU5 another member gets the public view; the user themself and staff get the private view', async () => {
      const member = await t.login('othermember', 'member');
      const staff = await t.login('viewstaff', 'staff');
      const admin = await t.login('viewadmin', 'admin');
      const asMember = await member.get(`/api/users/${target.userId}`);
      expect(asMember.status).toBe(200);
      for (const key of PRIVATE_KEYS) expect(asMember.body).not.toHaveProperty(key);
      for (const c of [target, staff, admin]) {
        const res = await c.get(`/api/users/${target.userId}`);
        expect(res.status).toBe(200);
        expect(PrivateUser.strict().safeParse(res.body).success).toBe(true);
        expect(res.body).toMatchObject({ role: 'member', guildNickname: 'Secret Nick', globalName: 'Global V', guildRoleIds: ['123456789012345678'] });
      }
    });

    it('AU5 cached views never cross audiences, whichever is read first', async () => {
      const fresh = await t.login('cacheorder', 'member');
      const staff = await t.login('cacheorderstaff', 'staff');
      // Private first (warms the private key), then public, then private again, then public again.
      expect((await staff.get(`/api/users/${fresh.userId}`)).body).toHaveProperty('role', 'member');
      expect((await t.client().get(`/api/users/${fresh.userId}`)).body).not.toHaveProperty('role');
      expect((await fresh.get(`/api/users/${fresh.userId}`)).body).toHaveProperty('role', 'member');
      expect((await t.client().get(`/api/users/${fresh.userId}`)).body).not.toHaveProperty('role');
      const member = await t.login('cacheordermember', 'member');
      expect((await member.get(`/api/users/${fresh.userId}`)).body).not.toHaveProperty('role');
    });

    it('answers 404 for an unknown user and 400 for a malformed id', async () => {
      const missing = await t.client().get('/api/users/999999');
      expect(missing.status).toBe(404);
      expect(missing.body.error.code).toBe('not_found');
      for (const bad of ['abc', '0', '-1', '1.5', '99999999999']) {
        const res = await t.client().get(`/api/users/${bad}`);
        expect(res.status, bad).toBe(400);
        expect(res.body.error.code).toBe('invalid_payload');
        expect(res.body.error.issues[0].path).toEqual(['params', 'userId']);
      }
    });
  });

  describe('GET /api/users', () => {
    let ids: Record<string, number>;
    beforeAll(async () => {
      ids = {};
      for (const name of ['SearchZed', 'searchyann', 'plainperson', 'under_score', 'under1score']) ids[name] = (await t.login(name)).userId;
      await setDiscordNames(ids.plainperson!, { globalName: 'Ünïcode SEARCHglobal' });
      await setDiscordNames(ids.under1score!, { guildNickname: 'NickSearchHit' });
    });

    it('AU5 the list is always public, even for staff', async () => {
      const staff = await t.login('liststaff', 'staff');
      const res = await staff.get('/api/users?limit=200');
      expect(res.status).toBe(200);
      expect(res.body.items.length).toBeGreaterThan(5);
      expect(res.body.total).toBe(res.body.items.length);
      for (const u of res.body.items) {
        for (const key of PRIVATE_KEYS) expect(u).not.toHaveProperty(key);
      }
    });

    it('searches username, global name and guild nickname case-insensitively', async () => {
      const res = await t.client().get('/api/users?q=SEARCH');
      expect(res.status).toBe(200);
      const found = res.body.items.map((u: { id: number }) => u.id).sort((a: number, b: number) => a - b);
      expect(found).toEqual([ids.SearchZed, ids.searchyann, ids.plainperson, ids.under1score].sort((a, b) => a! - b!));
      expect(res.body.total).toBe(4);
      const byNick = await t.client().get('/api/users?q=nicksearch');
      expect(byNick.body.items.map((u: { id: number }) => u.id)).toEqual([ids.under1score]);
    });

    it('takes LIKE wildcards literally', async () => {
      const res = await t.client().get('/api/users?q=under_');
      expect(res.body.items.map((u: { username: string }) => u.username)).toEqual(['under_score']);
      const pct = await t.client().get('/api/users?q=%25');
      expect(pct.body).toEqual({ items: [], total: 0 });
      const backslash = await t.client().get('/api/users?q=%5C');
      expect(backslash.status).toBe(200);
      expect(backslash.body).toEqual({ items: [], total: 0 });
    });

    it('pages with limit and offset; total counts every match', async () => {
      const first = await t.client().get('/api/users?q=search&limit=2&offset=0');
      const second = await t.client().get('/api/users?q=search&limit=2&offset=2');
      const third = await t.client().get('/api/users?q=search&limit=2&offset=4');
      expect(first.body.items).toHaveLength(2);
      expect(second.body.items).toHaveLength(2);
      expect(third.body.items).toHaveLength(0);
      expect([first, second, third].map((r) => r.body.total)).toEqual([4, 4, 4]);
      const all = [...first.body.items, ...second.body.items].map((u: { id: number }) => u.id);
      expect(new Set(all).size).toBe(4);
    });

    it('rejects a bad query with 400', async () => {
      for (const q of ['limit=0', 'limit=201', 'offset=-1', 'limit=abc', `q=${'x'.repeat(101)}`]) {
        const res = await t.client().get(`/api/users?${q}`);
        expect(res.status, q).toBe(400);
        expect(res.body.error.code).toBe('invalid_payload');
      }
    });

    it('a new user shows up in the cached list at once', async () => {
      const before = await t.client().get('/api/users?q=latecomer');
      expect(before.body.total).toBe(0);
      await t.login('latecomer');
      const after = await t.client().get('/api/users?q=latecomer');
      expect(after.body.total).toBe(1);
    });
  });

  describe('PATCH /api/me', () => {
    it('AU7 a SteamID64, a 32-bit account id and a profile URL are stored as the same SteamID64', async () => {
      const me = await t.login('steamform');
      for (const input of [STEAM64, String(ACCOUNT_ID), `https://steamcommunity.com/profiles/${STEAM64}/`, ` steamcommunity.com/profiles/${STEAM64} `]) {
        await me.patch('/api/me', { steamId: null });
        const res = await me.patch('/api/me', { steamId: input });
        expect(res.status, input).toBe(200);
        expect(res.body.steamId).toBe(STEAM64);
        expect(res.body.steamAccountId).toBe(ACCOUNT_ID);
        const pub = await t.client().get(`/api/users/${me.userId}`);
        expect(pub.body.steamId).toBe(STEAM64);
      }
      await me.patch('/api/me', { steamId: null });
    });

    it('AU7 sets MMR and positions, and null clears the Steam id and MMR', async () => {
      const me = await t.login('profileset');
      const positions = { '1': 5, '2': 4, '3': 0, '4': 1, '5': 2 };
      const set = await me.patch('/api/me', { steamId: `${ACCOUNT_ID + 1}`, mmr: 4321, positions });
      expect(set.status).toBe(200);
      expect(set.body).toMatchObject({ steamId: String(76561197960265728n + BigInt(ACCOUNT_ID + 1)), mmr: 4321, positions, role: 'member' });
      expect(PrivateUser.strict().safeParse(set.body).success).toBe(true);
      const partial = await me.patch('/api/me', { mmr: 5000 });
      expect(partial.body).toMatchObject({ mmr: 5000, positions, steamAccountId: ACCOUNT_ID + 1 });
      const cleared = await me.patch('/api/me', { steamId: null, mmr: null });
      expect(cleared.body).toMatchObject({ steamId: null, steamAccountId: null, mmr: null, positions });
      const read = await t.client().get(`/api/users/${me.userId}`);
      expect(read.body).toMatchObject({ steamId: null, mmr: null, positions });
    });

    it('AU7 a Steam id linked to another user is refused with 409, in any form', async () => {
      const a = await t.login('steamowner');
      const b = await t.login('steamthief');
      const steam = '76561198000000999';
      expect((await a.patch('/api/me', { steamId: steam })).status).toBe(200);
      for (const input of [steam, String(BigInt(steam) - 76561197960265728n), `https://steamcommunity.com/profiles/${steam}`]) {
        const res = await b.patch('/api/me', { steamId: input });
        expect(res.status, input).toBe(409);
        expect(res.body.error.code).toBe('conflict');
        expect(res.body.error.message).toMatch(/already linked/);
      }
      expect((await t.client().get(`/api/users/${b.userId}`)).body.steamId).toBeNull();
      // Setting your own id again is fine.
      expect((await a.patch('/api/me', { steamId: steam })).status).toBe(200);
    });

    it('RT2 invalid profile input is refused with the issues and changes nothing', async () => {
      const me = await t.login('badprofile');
      await me.patch('/api/me', { mmr: 1000 });
      const cases: [unknown, string][] = [
        [{ steamId: 'https://steamcommunity.com/id/somename' }, 'steamId'],
        [{ steamId: 'not a number' }, 'steamId'],
        [{ steamId: '0' }, 'steamId'],
        [{ steamId: '4294967295' }, 'steamId'],
        [{ mmr: -1 }, 'mmr'],
        [{ mmr: 20001 }, 'mmr'],
        [{ mmr: 1.5 }, 'mmr'],
        [{ positions: { '1': 6, '2': 0, '3': 0, '4': 0, '5': 0 } }, 'positions'],
        [{ positions: { '1': 1 } }, 'positions'],
        [{ role: 'admin' }, ''],
      ];
      for (const [body, field] of cases) {
        const res = await me.patch('/api/me', body);
        expect(res.status, JSON.stringify(body)).toBe(400);
        expect(res.body.error.code).toBe('invalid_payload');
        expect(res.body.error.issues[0].path[0]).toBe('body');
        if (field) expect(res.body.error.issues[0].path[1]).toBe(field);
      }
      const after = await me.get(`/api/users/${me.userId}`);
      expect(after.body).toMatchObject({ mmr: 1000, steamId: null, role: 'member' });
    });

    it('RT3 AU6 needs a login and a CSRF token', async () => {
      const anon = await t.client().patch('/api/me', { mmr: 10 });
      expect(anon.status).toBe(401);
      expect(anon.body.error.code).toBe('unauthenticated');
      const me = await t.login('csrfless');
      const res = await me.patch('/api/me', { mmr: 10 }, { csrf: false });
      expect(res.status).toBe(403);
      expect(res.body.error.code).toBe('csrf_invalid');
      expect((await me.get(`/api/users/${me.userId}`)).body.mmr).toBeNull();
    });

    it('RT1 a change emits user.updated on the user room; a no-op emits nothing', async () => {
      const me = await t.login('eventful');
      const events = () =>
        t.hub.services
          .db('events')
          .where({ room: `user:${me.userId}` })
          .orderBy('seq');
      const before = (await events()).length; // the login may have announced the new user
      await me.patch('/api/me', { mmr: 2000 });
      await me.patch('/api/me', { mmr: 2000 });
      await me.patch('/api/me', {});
      const rows = (await events()).slice(before);
      expect(rows.map((r) => [r.seq, r.type])).toEqual([[before + 1, 'user.updated']]);
      const payload = typeof rows[0].payload === 'string' ? JSON.parse(rows[0].payload) : rows[0].payload;
      expect(payload).toMatchObject({ user: { id: me.userId, mmr: 2000 }, changed: ['mmr'] });
      expect(payload.user).not.toHaveProperty('role');
    });

    it('RT4 two users racing for one Steam id: one wins, the other gets 409', async () => {
      const a = await t.login('racer1');
      const b = await t.login('racer2');
      const steam = '76561198000004444';
      const results = await Promise.all([a.patch('/api/me', { steamId: steam }), b.patch('/api/me', { steamId: steam })]);
      expect(results.map((r) => r.status).sort()).toEqual([200, 409]);
      expect(results.find((r) => r.status === 409)!.body.error.code).toBe('conflict');
    });
  });

  describe('PATCH /api/users/:userId/role', () => {
    it('an admin changes a role; the change takes effect at once', async () => {
      const admin = await t.login('roleadmin', 'admin');
      const member = await t.login('promoted', 'member');
      const res = await admin.patch(`/api/users/${member.userId}/role`, { role: 'staff' });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ id: member.userId, role: 'staff' });
      expect(PrivateUser.strict().safeParse(res.body).success).toBe(true);
      expect((await member.get('/api/me')).body.user.role).toBe('staff');
      // The staff view of someone else is private now: the cache key follows the reader.
      const other = await t.login('someoneelse');
      expect((await member.get(`/api/users/${other.userId}`)).body).toHaveProperty('role', 'member');
      expect((await admin.get(`/api/users/${member.userId}`)).body.role).toBe('staff');
    });

    it('RT3 only an admin may change roles: 401 anonymous, 403 member and staff, nothing changes', async () => {
      const target = await t.login('roletarget');
      const anon = await t.client().patch(`/api/users/${target.userId}/role`, { role: 'admin' });
      expect(anon.status).toBe(401);
      for (const role of ['member', 'staff'] as const) {
        const c = await t.login(`notadmin${role}`, role);
        const res = await c.patch(`/api/users/${target.userId}/role`, { role: 'admin' });
        expect(res.status, role).toBe(403);
        expect(res.body.error.code).toBe('forbidden');
        const self = await c.patch(`/api/users/${c.userId}/role`, { role: 'admin' });
        expect(self.status).toBe(403);
      }
      expect((await target.get('/api/me')).body.user.role).toBe('member');
    });

    it('answers 404 for an unknown user and 400 for a bad role', async () => {
      const admin = await t.login('roleadmin2', 'admin');
      const missing = await admin.patch('/api/users/999999/role', { role: 'staff' });
      expect(missing.status).toBe(404);
      const bad = await admin.patch(`/api/users/${admin.userId}/role`, { role: 'owner' });
      expect(bad.status).toBe(400);
      expect(bad.body.error.issues[0].path).toEqual(['body', 'role']);
    });
  });
});

describe.each(DATABASES)('the last admin [%s]', (db) => {
  let t: TestHub;
  beforeAll(async () => {
    t = await startHub({ db });
  });
  afterAll(() => t?.close());

  it('refuses to demote the last admin with 409, allows it while another admin remains', async () => {
    const only = await t.login('onlyadmin', 'admin');
    const self = await only.patch(`/api/users/${only.userId}/role`, { role: 'member' });
    expect(self.status).toBe(409);
    expect(self.body.error.message).toMatch(/last admin/);
    const second = await t.login('secondadmin', 'member');
    expect((await only.patch(`/api/users/${second.userId}/role`, { role: 'admin' })).status).toBe(200);
    expect((await only.patch(`/api/users/${only.userId}/role`, { role: 'staff' })).status).toBe(200);
    expect((await only.get('/api/me')).body.user.role).toBe('staff');
    // Now `second` is the last one.
    const again = await second.patch(`/api/users/${second.userId}/role`, { role: 'member' });
    expect(again.status).toBe(409);
    expect((await second.get('/api/me')).body.user.role).toBe('admin');
  });

  it('RT4 two admins demoting each other at once: exactly one wins and one admin remains', async () => {
    const a = await t.login('raceadmina', 'admin');
    const b = await t.login('raceadminb', 'admin');
    // Leave exactly these two admins.
    for (const name of ['onlyadmin', 'secondadmin']) {
      const row = await User.query(t.hub.services.db).findOne({ username: name });
      if (row?.role === 'admin') expect((await a.patch(`/api/users/${row.id}/role`, { role: 'member' })).status).toBe(200);
    }
    const results = await Promise.all([a.patch(`/api/users/${b.userId}/role`, { role: 'member' }), b.patch(`/api/users/${a.userId}/role`, { role: 'member' })]);
    // The loser gets 409 when it lost inside the command, or 403 when its request already saw its own demotion.
    const statuses = results.map((r) => r.status).sort();
    expect(statuses[0]).toBe(200);
    expect([403, 409]).toContain(statuses[1]);
    const admins = await User.query(t.hub.services.db).where({ role: 'admin' });
    expect(admins).toHaveLength(1);
  });
});
