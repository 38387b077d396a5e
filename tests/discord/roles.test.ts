import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DATABASES } from '../support/databases';
import { FakeDiscordBot } from '../support/fake-discord-bot';
import type { HttpClient } from '../support/http';
import { startHub, type TestHub } from '../support/hub';

const TOKEN = 'MTIzNDU2Nzg5MDEyMzQ1Njc4.Gfake3.fake-bot-token-for-roles-0123456789';
const ADMIN_ROLE = '933456789012345678';
const STAFF_ROLE = '943456789012345678';
const OTHER_ROLE = '953456789012345678';

describe.each(DATABASES)('refreshing a member’s roles from Discord [%s]', (db) => {
  let discord: FakeDiscordBot;
  let t: TestHub;
  let admin: HttpClient & { userId: number };
  let counter = 0;

  beforeAll(async () => {
    discord = await new FakeDiscordBot(TOKEN).start();
    t = await startHub({
      db,
      env: {
        DISCORD_BOT_TOKEN: TOKEN,
        DISCORD_GUILD_ID: discord.guildId,
        DISCORD_API_BASE: discord.base,
        DISCORD_ADMIN_ROLE_IDS: ADMIN_ROLE,
        DISCORD_STAFF_ROLE_IDS: STAFF_ROLE,
      },
    });
    admin = await t.login('rolesadmin', 'admin');
  });
  afterEach(() => {
    discord.calls.length = 0;
    discord.members.clear();
  });
  afterAll(async () => {
    await t?.close();
    await discord?.stop();
  });

  /** A member with a real Discord id (as a Discord login or a pool import makes them): a login, given a snowflake. */
  async function discordMember(role: 'member' | 'staff' | 'admin' = 'member') {
    const discordId = String(620_000_000_000_000_000n + BigInt(++counter));
    const { userId: id } = await t.login(`rolesuser${counter}`, role);
    await t.hub.services.db('users').where({ id }).update({ discordId });
    return { id, discordId };
  }
  const refresh = (client: HttpClient, userId: number) => client.post(`/api/users/${userId}/discord-roles`);

  it('DC44 the member’s guild roles are read with the bot and mapped as at login, with the nickname', async () => {
    const { id, discordId } = await discordMember();
    discord.members.set(discordId, { nick: 'Sven Main', roles: [OTHER_ROLE, STAFF_ROLE] });
    const res = await refresh(admin, id);
    expect(res.status, res.text).toBe(200);
    expect(res.body).toMatchObject({ id, role: 'staff', guildNickname: 'Sven Main', guildRoleIds: [OTHER_ROLE, STAFF_ROLE], displayName: 'Sven Main' });
    expect(discord.calls).toMatchObject([{ method: 'GET', path: `/guilds/${discord.guildId}/members/${discordId}`, authorization: `Bot ${TOKEN}` }]);
    // The stored account, as every other read sees it.
    expect((await admin.get(`/api/users/${id}`)).body).toMatchObject({ role: 'staff', guildNickname: 'Sven Main' });

    discord.members.set(discordId, { nick: null, roles: [ADMIN_ROLE] });
    expect((await refresh(admin, id)).body).toMatchObject({ role: 'admin', guildNickname: null, guildRoleIds: [ADMIN_ROLE] });
    // A role taken away in Discord is taken away here.
    discord.members.set(discordId, { roles: [OTHER_ROLE] });
    expect((await refresh(admin, id)).body).toMatchObject({ role: 'member', guildRoleIds: [OTHER_ROLE] });
  });

  it('DC45 the refusals: unknown user 404, not an admin 403, no Discord account or not in the server 409, nothing changed', async () => {
    expect((await refresh(admin, 999_999)).status).toBe(404);
    const staff = await t.login('rolesstaff', 'staff');
    const { id, discordId } = await discordMember();
    discord.members.set(discordId, { roles: [ADMIN_ROLE] });
    const refused = await refresh(staff, id);
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe('forbidden');
    expect(discord.calls).toEqual([]);

    // A development-login user has no Discord account.
    const dev = await t.login('rolesdev');
    const noAccount = await refresh(admin, dev.userId);
    expect(noAccount.status).toBe(409);
    expect(noAccount.body.error.message).toContain('has no Discord account');

    // Someone who left the server (Discord answers 10007 Unknown Member): their roles stay.
    discord.members.delete(discordId);
    const gone = await refresh(admin, id);
    expect(gone.status).toBe(409);
    expect(gone.body.error.message).toContain('is not a member of the Discord server');
    expect((await admin.get(`/api/users/${id}`)).body.role).toBe('member');
  });

  it('DC45 the last admin is not demoted by a refresh (409); an admin who is not the last is', async () => {
    const other = await discordMember('admin');
    discord.members.set(other.discordId, { roles: [] });
    expect((await refresh(admin, other.id)).body.role).toBe('member');
    // An admin refreshing themself, the only admin left, with no admin role in Discord.
    const self = await t.login('rolesself', 'admin');
    const selfDiscordId = String(630_000_000_000_000_000n + BigInt(++counter));
    await t.hub.services.db('users').where({ id: self.userId }).update({ discordId: selfDiscordId });
    await t.hub.services.db('users').whereNot({ id: self.userId }).where({ role: 'admin' }).update({ role: 'staff' });
    discord.members.set(selfDiscordId, { roles: [STAFF_ROLE] });
    const refused = await refresh(self, self.userId);
    expect(refused.status).toBe(409);
    expect(refused.body.error.message).toContain('last admin');
    expect((await self.get(`/api/users/${self.userId}`)).body.role).toBe('admin');
    await t.hub.services.db('users').where({ id: admin.userId }).update({ role: 'admin' });
  });
});

describe('DC45 DC46 without the bot or the guild: the refresh says what is missing (503), /api/me says Discord is off', () => {
  for (const [what, env, missing] of [
    ['no bot token', {}, 'DISCORD_BOT_TOKEN and DISCORD_GUILD_ID'],
    ['a bot token without DISCORD_GUILD_ID', { DISCORD_BOT_TOKEN: TOKEN }, 'set DISCORD_GUILD_ID'],
  ] as const) {
    it(`DC45 ${what}: 503 naming the variable`, async () => {
      const t = await startHub({ env });
      try {
        const admin = await t.login('offadmin', 'admin');
        const target = await t.login('offtarget');
        const res = await admin.post(`/api/users/${target.userId}/discord-roles`);
        expect(res.status).toBe(503);
        expect(res.body.error).toMatchObject({ code: 'unavailable', message: expect.stringContaining(missing) });
        expect(res.body.error.message).toContain('needs the bot');
        const me = await admin.get('/api/me');
        expect(me.body.discordBot).toEqual({ notices: 'DISCORD_BOT_TOKEN' in env, events: false, roleRefresh: false });
        expect(me.text).not.toContain(TOKEN);
      } finally {
        await t.close();
      }
    });
  }

  it('DC46 with the bot and the guild, /api/me says notices, events and the refresh are on (booleans, never the token)', async () => {
    const t = await startHub({ env: { DISCORD_BOT_TOKEN: TOKEN, DISCORD_GUILD_ID: '823456789012345678', DISCORD_API_BASE: 'http://127.0.0.1:9/api/v10' } });
    try {
      const me = await t.client().get('/api/me');
      expect(me.body.discordBot).toEqual({ notices: true, events: true, roleRefresh: true });
      expect(me.text).not.toContain(TOKEN);
      expect(me.text).not.toContain('823456789012345678');
    } finally {
      await t.close();
    }
  });
});
