import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { User } from '../../server/users/user.model';
import { DATABASES } from '../support/databases';
import { startFakeDiscord, type FakeDiscord } from '../support/fake-discord';
import { startHub, type TestHub } from '../support/hub';
import { discordLogin } from './helpers';

const GUILD = '400000000000000001';
const ADMIN_ROLE = '500000000000000001';
const STAFF_ROLE = '500000000000000002';
const OTHER_ROLE = '500000000000000003';
const BOOTSTRAP_ADMIN = '300000000000000999';

let nextId = 300000000000000100n;
/** A Discord user nobody else in this file uses. */
function newDiscordUser(username = `player${nextId}`) {
  nextId += 1n;
  return { id: String(nextId), username, global_name: `Global ${username}`, avatar: 'a1b2c3d4e5f6' };
}

describe.each(DATABASES)('Discord login with a guild [%s]', (db) => {
  let discord: FakeDiscord;
  let t: TestHub;

  beforeAll(async () => {
    discord = await startFakeDiscord({ guildId: GUILD });
    t = await startHub({
      db,
      env: {
        ...discord.env(),
        DISCORD_ADMIN_ROLE_IDS: ADMIN_ROLE,
        DISCORD_STAFF_ROLE_IDS: STAFF_ROLE,
        ADMIN_DISCORD_IDS: BOOTSTRAP_ADMIN,
      },
    });
  });
  afterAll(async () => {
    await t?.close();
    await discord?.close();
  });
  beforeEach(() => {
    discord.requests.length = 0;
    discord.denyConsent(false);
  });

  const calls = (path: string) => discord.requests.filter((r) => r.path.split('?')[0] === path);
  const usersWithDiscordId = (discordId: string) => User.query(t.hub.services.db).where({ discordId });

  it('runs the full flow: state and scopes, code exchange with client credentials, profile, member, session cookie, /api/me, logout', async () => {
    const person = newDiscordUser('fullflow');
    discord.setUser(person);
    discord.setMember(person.id, { nick: 'Full Flow Nick', roles: [STAFF_ROLE, OTHER_ROLE] });
    const c = t.client();
    const trip = await discordLogin(c);

    // The redirect to Discord: configured authorize URL, our client id, callback, scopes, a state.
    const env = discord.env();
    expect(`${trip.authorizeUrl.origin}${trip.authorizeUrl.pathname}`).toBe(env.DISCORD_AUTHORIZE_URL);
    const q = trip.authorizeUrl.searchParams;
    expect(q.get('client_id')).toBe(env.DISCORD_CLIENT_ID);
    expect(q.get('response_type')).toBe('code');
    expect(q.get('redirect_uri')).toBe(`${t.url}/auth/discord/callback`);
    expect(q.get('scope')!.split(' ').sort()).toEqual(['guilds.members.read', 'identify']);
    expect(q.get('state')).toMatch(/^\S{16,}$/);
    expect(trip.callbackUrl.searchParams.get('state')).toBe(q.get('state'));

    // The code exchange: client credentials, the same redirect_uri, the code Discord gave.
    const [token] = calls('/api/oauth2/token');
    expect(token).toBeDefined();
    expect(token!.method).toBe('POST');
    expect(token!.headers['content-type']).toContain('application/x-www-form-urlencoded');
    const basic = Buffer.from(token!.headers.authorization!.replace(/^Basic /, ''), 'base64').toString();
    expect(basic).toBe(`${env.DISCORD_CLIENT_ID}:${env.DISCORD_CLIENT_SECRET}`);
    const form = new URLSearchParams(token!.body);
    expect(form.get('grant_type')).toBe('authorization_code');
    expect(form.get('code')).toBe(trip.callbackUrl.searchParams.get('code'));
    expect(form.get('redirect_uri')).toBe(`${t.url}/auth/discord/callback`);

    // Profile and guild member from API v10, with the bearer token.
    const me = calls('/api/v10/users/@me');
    const member = calls(`/api/v10/users/@me/guilds/${GUILD}/member`);
    expect(me).toHaveLength(1);
    expect(member).toHaveLength(1);
    expect(me[0]!.headers.authorization).toMatch(/^Bearer \S+$/);
    expect(member[0]!.headers.authorization).toBe(me[0]!.headers.authorization);

    // Logged in: back to `/`, with an httpOnly, SameSite=Lax session cookie.
    expect(trip.loginError).toBeNull();
    const setCookie = trip.finish.headers.getSetCookie().find((line) => line.startsWith('dtx.sid='));
    expect(setCookie).toBeDefined();
    expect(setCookie).toMatch(/HttpOnly/i);
    expect(setCookie).toMatch(/SameSite=Lax/i);

    const info = await c.get('/api/me');
    expect(info.body.user).toMatchObject({
      discordId: person.id,
      username: 'fullflow',
      globalName: 'Global fullflow',
      guildNickname: 'Full Flow Nick',
      displayName: 'Full Flow Nick',
      role: 'staff',
      avatarUrl: `https://cdn.discordapp.com/avatars/${person.id}/a1b2c3d4e5f6.png`,
    });
    expect(info.body.user.guildRoleIds.sort()).toEqual([STAFF_ROLE, OTHER_ROLE].sort());
    expect(info.body.login).toEqual({ discord: true, devLogin: false });

    // Logout ends the session: the same cookie authenticates nobody afterwards.
    const oldCookie = c.cookieHeader();
    const out = await c.post('/auth/logout');
    expect(out.status).toBe(200);
    expect((await c.get('/api/me')).body.user).toBeNull();
    const replay = await t.client().request('GET', '/api/me', { headers: { cookie: oldCookie } });
    expect(replay.body.user).toBeNull();
  });

  it('AU1 a tampered state logs nobody in and never exchanges the code', async () => {
    discord.setUser(newDiscordUser('tampered'));
    const c = t.client();
    const trip = await discordLogin(c, {
      tamper: (url) => {
        url.searchParams.set('state', `${url.searchParams.get('state')}x`);
        return url;
      },
    });
    expect(trip.loginError).toBe('state_mismatch');
    expect(calls('/api/oauth2/token')).toHaveLength(0);
    expect((await c.get('/api/me')).body.user).toBeNull();
  });

  it('AU1 a missing state logs nobody in', async () => {
    const person = newDiscordUser('nostate');
    discord.setUser(person);
    const c = t.client();
    const trip = await discordLogin(c, {
      tamper: (url) => {
        url.searchParams.delete('state');
        return url;
      },
    });
    expect(trip.loginError).toBe('state_mismatch');
    expect(calls('/api/oauth2/token')).toHaveLength(0);
    expect((await c.get('/api/me')).body.user).toBeNull();
    expect(await usersWithDiscordId(person.id)).toHaveLength(0);
  });

  it('AU1 a state issued to another browser, or used twice, logs nobody in', async () => {
    discord.setUser(newDiscordUser('stolenstate'));
    const victim = t.client();
    const start = await victim.get('/auth/discord');
    const atDiscord = await fetch(start.headers.get('location')!, { redirect: 'manual' });
    const callback = new URL(atDiscord.headers.get('location')!);

    // An attacker's browser replays the victim's callback: no session holds that state.
    const attacker = t.client();
    const stolen = await attacker.get(callback.pathname + callback.search);
    expect(stolen.headers.get('location')).toBe('/?loginError=state_mismatch');
    expect((await attacker.get('/api/me')).body.user).toBeNull();

    // The rightful browser logs in once; replaying the same callback afterwards fails.
    const first = await victim.get(callback.pathname + callback.search);
    expect(first.headers.get('location')).toBe('/');
    const again = await victim.get(callback.pathname + callback.search);
    expect(again.headers.get('location')).toBe('/?loginError=state_mismatch');
    expect(calls('/api/oauth2/token')).toHaveLength(1);
  });

  it('a denied consent logs nobody in and says so', async () => {
    discord.setUser(newDiscordUser('denier'));
    discord.denyConsent(true);
    const c = t.client();
    const trip = await discordLogin(c);
    expect(trip.callbackUrl.searchParams.get('error')).toBe('access_denied');
    expect(trip.loginError).toBe('consent_denied');
    expect(calls('/api/oauth2/token')).toHaveLength(0);
    expect((await c.get('/api/me')).body.user).toBeNull();
  });

  it('a callback with neither code nor error is refused', async () => {
    const c = t.client();
    const res = await c.get('/auth/discord/callback?state=whatever');
    expect(res.headers.get('location')).toBe('/?loginError=discord_error');
    expect(discord.requests).toHaveLength(0);
  });

  for (const status of [400, 401, 500] as const) {
    it(`a token endpoint ${status} logs nobody in (discord_error)`, async () => {
      const person = newDiscordUser(`token${status}`);
      discord.setUser(person);
      discord.failNext('token', { status });
      const c = t.client();
      const trip = await discordLogin(c);
      expect(trip.loginError).toBe('discord_error');
      expect(calls('/api/oauth2/token')).toHaveLength(1);
      expect(calls('/api/v10/users/@me')).toHaveLength(0);
      expect((await c.get('/api/me')).body.user).toBeNull();
      expect(await usersWithDiscordId(person.id)).toHaveLength(0);
    });
  }

  it('a profile (users/@me) failure logs nobody in (discord_error)', async () => {
    const person = newDiscordUser('mefail');
    discord.setUser(person);
    discord.failNext('me', { status: 500 });
    const c = t.client();
    expect((await discordLogin(c)).loginError).toBe('discord_error');
    expect((await c.get('/api/me')).body.user).toBeNull();
    expect(await usersWithDiscordId(person.id)).toHaveLength(0);
  });

  it('a guild member failure other than 404 logs nobody in (discord_error)', async () => {
    const person = newDiscordUser('memberfail');
    discord.setUser(person);
    discord.failNext('member', { status: 401 });
    const c = t.client();
    expect((await discordLogin(c)).loginError).toBe('discord_error');
    expect((await c.get('/api/me')).body.user).toBeNull();
  });

  it('a Discord 429 on the token endpoint is a clear message, never retried, and honoured until retry_after has passed', async () => {
    const person = newDiscordUser('ratelimitedtoken');
    discord.setUser(person);
    discord.failNext('token', { status: 429, retryAfter: 1 });
    const c = t.client();
    expect((await discordLogin(c)).loginError).toBe('discord_rate_limited');
    expect(calls('/api/oauth2/token')).toHaveLength(1);
    expect((await c.get('/api/me')).body.user).toBeNull();

    // Within retry_after the hub does not call Discord's token endpoint again.
    expect((await discordLogin(t.client())).loginError).toBe('discord_rate_limited');
    expect(calls('/api/oauth2/token')).toHaveLength(1);

    await new Promise((resolve) => setTimeout(resolve, 1100));
    const later = t.client();
    expect((await discordLogin(later)).loginError).toBeNull();
    expect(calls('/api/oauth2/token')).toHaveLength(2);
    expect((await later.get('/api/me')).body.user.discordId).toBe(person.id);
  });

  it('a Discord 429 on the guild member endpoint is a clear message, never retried', async () => {
    const person = newDiscordUser('ratelimitedmember');
    discord.setUser(person);
    discord.failNext('member', { status: 429, retryAfter: 0.5 });
    const c = t.client();
    expect((await discordLogin(c)).loginError).toBe('discord_rate_limited');
    expect(calls(`/api/v10/users/@me/guilds/${GUILD}/member`)).toHaveLength(1);
    expect((await c.get('/api/me')).body.user).toBeNull();
    expect(await usersWithDiscordId(person.id)).toHaveLength(0);

    await new Promise((resolve) => setTimeout(resolve, 600));
    expect((await discordLogin(c)).loginError).toBeNull();
    expect(calls(`/api/v10/users/@me/guilds/${GUILD}/member`)).toHaveLength(2);
  });

  it('someone who is not a member of the guild cannot log in (not_in_guild)', async () => {
    const person = newDiscordUser('outsider');
    discord.setUser(person);
    discord.setMember(person.id, null);
    const c = t.client();
    const trip = await discordLogin(c);
    expect(trip.loginError).toBe('not_in_guild');
    expect((await c.get('/api/me')).body.user).toBeNull();
    expect(await usersWithDiscordId(person.id)).toHaveLength(0);
  });

  it('AU2 the same Discord id with a new username updates the same account', async () => {
    const person = newDiscordUser('renamer');
    discord.setUser(person);
    const first = t.client();
    await discordLogin(first);
    const before = (await first.get('/api/me')).body.user;

    discord.setUser({ ...person, username: 'renamed', global_name: 'Renamed Global', avatar: null });
    const second = t.client();
    expect((await discordLogin(second)).loginError).toBeNull();
    const after = (await second.get('/api/me')).body.user;
    expect(after.id).toBe(before.id);
    expect(after).toMatchObject({ username: 'renamed', globalName: 'Renamed Global', discordId: person.id });
    expect(after.avatarUrl).toMatch(/\/embed\/avatars\/\d\.png$/);
    expect(await usersWithDiscordId(person.id)).toHaveLength(1);

    // The change is an event in the user's room, and /api/users/:id serves the new name.
    const events = await t.hub.services
      .db('events')
      .where({ room: `user:${before.id}`, type: 'user.updated' })
      .orderBy('seq');
    expect(events.length).toBe(2); // created, then renamed
    const last = events.at(-1)!;
    const payload = typeof last.payload === 'string' ? JSON.parse(last.payload) : last.payload;
    expect(payload.changed.sort()).toEqual(['avatar', 'globalName', 'username']);
  });

  it('AU2 a different Discord id with the same username is a different account', async () => {
    const a = newDiscordUser('samename');
    const b = { ...newDiscordUser('samename') };
    discord.setUser(a);
    const ca = t.client();
    await discordLogin(ca);
    discord.setUser(b);
    const cb = t.client();
    await discordLogin(cb);
    const ua = (await ca.get('/api/me')).body.user;
    const ub = (await cb.get('/api/me')).body.user;
    expect(ua.username).toBe('samename');
    expect(ub.username).toBe('samename');
    expect(ua.id).not.toBe(ub.id);
    expect([ua.discordId, ub.discordId]).toEqual([a.id, b.id]);
  });

  it('AU2 logging in again with nothing changed writes no event', async () => {
    const person = newDiscordUser('steady');
    discord.setUser(person);
    discord.setMember(person.id, { nick: 'Steady', roles: [OTHER_ROLE] });
    const c = t.client();
    await discordLogin(c);
    const id = (await c.get('/api/me')).body.user.id;
    const count = async () => (await t.hub.services.db('events').where({ room: `user:${id}` })).length;
    const before = await count();
    expect(before).toBe(1);
    await discordLogin(t.client());
    expect(await count()).toBe(before);
  });

  it('AU3 stores the guild nickname and role ids, and the role follows Discord at each login', async () => {
    const person = newDiscordUser('climber');
    discord.setUser(person);
    discord.setMember(person.id, { nick: 'Climber', roles: [OTHER_ROLE] });
    const c = t.client();
    await discordLogin(c);
    let row = (await usersWithDiscordId(person.id))[0]!;
    expect(row.guildNickname).toBe('Climber');
    expect(row.guildRoleIds).toEqual([OTHER_ROLE]);
    expect(row.role).toBe('member');

    discord.setMember(person.id, { nick: 'Admin Climber', roles: [OTHER_ROLE, ADMIN_ROLE] });
    await discordLogin(c);
    expect((await c.get('/api/me')).body.user).toMatchObject({ role: 'admin', guildNickname: 'Admin Climber', displayName: 'Admin Climber' });

    discord.setMember(person.id, { nick: null, roles: [STAFF_ROLE] });
    await discordLogin(c);
    row = (await usersWithDiscordId(person.id))[0]!;
    expect(row).toMatchObject({ role: 'staff', guildNickname: null, guildRoleIds: [STAFF_ROLE] });

    // The role was taken away in Discord: it goes here too (Discord is the source of truth).
    discord.setMember(person.id, { nick: null, roles: [] });
    await discordLogin(c);
    expect((await c.get('/api/me')).body.user).toMatchObject({ role: 'member', guildRoleIds: [], displayName: 'Global climber' });
  });

  it('AU3 a Discord id in ADMIN_DISCORD_IDS is admin without any guild role', async () => {
    discord.setUser({ id: BOOTSTRAP_ADMIN, username: 'bootstrap' });
    discord.setMember(BOOTSTRAP_ADMIN, { roles: [] });
    const c = t.client();
    expect((await discordLogin(c)).loginError).toBeNull();
    expect((await c.get('/api/me')).body.user).toMatchObject({ discordId: BOOTSTRAP_ADMIN, role: 'admin' });
  });

  it('the development login does not exist when Discord is configured', async () => {
    const c = t.client();
    const page = await c.get('/auth/dev');
    expect(page.status).toBe(404);
    expect(page.body.error.code).toBe('not_found');
    const post = await c.post('/auth/dev', { username: 'sneaky', role: 'admin' });
    expect(post.status).toBe(404);
    expect(await User.query(t.hub.services.db).where({ discordId: 'dev-sneaky' })).toHaveLength(0);
  });
});

describe.each(DATABASES)('Discord login without a guild [%s]', (db) => {
  let discord: FakeDiscord;
  let t: TestHub;

  beforeAll(async () => {
    discord = await startFakeDiscord();
    t = await startHub({ db, env: { ...discord.env(), DISCORD_STAFF_ROLE_IDS: STAFF_ROLE } });
  });
  afterAll(async () => {
    await t?.close();
    await discord?.close();
  });

  it('asks only for identify, never calls the member endpoint, and stores no guild data', async () => {
    const person = newDiscordUser('noguild');
    discord.setUser(person);
    discord.requests.length = 0;
    const c = t.client();
    const trip = await discordLogin(c);
    expect(trip.authorizeUrl.searchParams.get('scope')).toBe('identify');
    expect(trip.loginError).toBeNull();
    expect(discord.requests.some((r) => r.path.includes('/guilds/'))).toBe(false);
    expect((await c.get('/api/me')).body.user).toMatchObject({ discordId: person.id, role: 'member', guildNickname: null, guildRoleIds: [] });
  });

  it('a returning user keeps the role an admin gave them in the hub', async () => {
    const person = newDiscordUser('promoted');
    discord.setUser(person);
    const c = t.client();
    await discordLogin(c);
    const id = (await c.get('/api/me')).body.user.id as number;
    // An admin's promotion, through the command path (the role endpoint belongs to the users feature).
    await t.hub.services.commands.run(null, async (tx) => {
      await User.query(tx.db).patch({ role: 'staff' }).where({ id });
    });
    await discordLogin(c);
    expect((await c.get('/api/me')).body.user).toMatchObject({ id, role: 'staff' });
  });
});

describe('Discord login when Discord is not configured', () => {
  let t: TestHub;
  beforeAll(async () => {
    t = await startHub();
  });
  afterAll(() => t?.close());

  it('/auth/discord and its callback answer a JSON 404', async () => {
    for (const path of ['/auth/discord', '/auth/discord/callback?code=x&state=y']) {
      const res = await t.client().get(path);
      expect(res.status).toBe(404);
      expect(res.body.error.code).toBe('not_found');
    }
    expect((await t.client().get('/api/me')).body.login).toEqual({ discord: false, devLogin: true });
  });
});
