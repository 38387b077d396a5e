import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeDiscordBot } from '../support/fake-discord-bot';
import type { HttpClient } from '../support/http';
import { startHub, type TestHub } from '../support/hub';
import { ensureClientBuilt, openBrowser, removeProfiles, type TestBrowser } from './browser';

/**
 * Issue 22 on the pages: an admin refreshes a member's roles from Discord on the user page (the
 * fake Discord answers the member), and the pages say when the hub has no bot (DC44, DC46).
 */

type Client = HttpClient & { userId: number };
const TOKEN = 'MTIzNDU2Nzg5MDEyMzQ1Njc4.Gfake4.fake-bot-token-for-pages-0123456789';
const STAFF_ROLE = '963456789012345678';

describe('Discord on the pages (issue 22)', () => {
  let discord: FakeDiscordBot;
  let on: TestHub;
  let off: TestHub;
  const browsers: TestBrowser[] = [];

  async function browserOf(t: TestHub, client: Client): Promise<Page> {
    const b = await openBrowser(t.url, { cookies: client.cookieHeader() });
    browsers.push(b);
    return b.page;
  }

  /** Opens a user on the Users page and answers their panel. */
  async function openUser(page: Page, t: TestHub, username: string) {
    await page.goto(`${t.url}/admin/users`, { waitUntil: 'domcontentloaded' });
    await page.getByLabel('Find a user').fill(username);
    await page.getByTestId('user-count').getByText('1 user').waitFor();
    await page.getByRole('button', { name: `Open ${username}` }).click();
    return page.getByRole('region', { name: `Manage ${username}` });
  }

  beforeAll(async () => {
    ensureClientBuilt();
    discord = await new FakeDiscordBot(TOKEN).start();
    on = await startHub({
      env: { DISCORD_BOT_TOKEN: TOKEN, DISCORD_GUILD_ID: discord.guildId, DISCORD_API_BASE: discord.base, DISCORD_STAFF_ROLE_IDS: STAFF_ROLE },
    });
    off = await startHub({ env: {} });
  }, 120_000);

  afterAll(async () => {
    for (const b of browsers.splice(0)) await b.context.close();
    removeProfiles();
    await on?.close();
    await off?.close();
    await discord?.stop();
  });

  it(
    'DC44 an admin presses "Refresh roles from Discord" on a user page: the role the guild gives is shown; one not in the server is told so',
    { timeout: 60_000 },
    async () => {
      const admin = await on.login('pages_admin', 'admin');
      const target = await on.login('discord_member');
      const leaver = await on.login('discord_leaver');
      await on.hub.services.db('users').where({ id: target.userId }).update({ discordId: '640000000000000001' });
      await on.hub.services.db('users').where({ id: leaver.userId }).update({ discordId: '640000000000000002' });
      discord.members.set('640000000000000001', { nick: 'Guild Nick', roles: [STAFF_ROLE] });

      const page = await browserOf(on, admin);
      const panel = await openUser(page, on, 'discord_member');
      await panel.getByTestId('user-role').getByText('Member').waitFor();
      expect(await page.getByTestId('discord-off').count()).toBe(0);
      const form = panel.getByRole('form', { name: 'Discord roles of discord_member' });
      await form.getByRole('button', { name: 'Refresh roles from Discord' }).click();
      // The guild nickname is the display name now: the panel is named after it.
      const renamed = page.getByRole('region', { name: 'Manage Guild Nick' });
      await renamed.getByRole('status').getByText('Read from Discord: Guild Nick is now Site staff.').waitFor();
      await renamed.getByTestId('user-role').getByText('Site staff').waitFor();
      expect(discord.calls.filter((c) => c.path === `/guilds/${discord.guildId}/members/640000000000000001`)).toHaveLength(1);
      expect((await admin.get(`/api/users/${target.userId}`)).body).toMatchObject({ role: 'staff', guildNickname: 'Guild Nick' });

      const gone = await openUser(page, on, 'discord_leaver');
      const goneForm = gone.getByRole('form', { name: 'Discord roles of discord_leaver' });
      await goneForm.getByRole('button', { name: 'Refresh roles from Discord' }).click();
      expect(await goneForm.getByRole('alert').innerText()).toMatch(/^Roles not refreshed: discord_leaver is not a member of the Discord server/);
      await gone.getByTestId('user-role').getByText('Member').waitFor();
      for (const b of browsers) expect(b.errors).toEqual([]);
    },
  );

  it(
    'DC46 without the bot the manage page says "Discord notifications are off on this hub", and the user page says the refresh needs the bot',
    { timeout: 60_000 },
    async () => {
      const admin = await off.login('off_admin', 'admin');
      await off.login('off_member');
      const created = await admin.post('/api/tournaments', { name: 'Offline Cup', startsAt: '2030-12-01T18:00:00Z' });
      expect(created.status).toBe(201);
      const page = await browserOf(off, admin);
      await page.goto(`${off.url}/tournaments/${created.body.id}/manage`, { waitUntil: 'domcontentloaded' });
      const notice = page.getByTestId('discord-off');
      await notice.waitFor();
      expect(await notice.innerText()).toMatch(/^Discord notifications are off on this hub/);

      const panel = await openUser(page, off, 'off_member');
      await panel.getByTestId('user-role').getByText('Member').waitFor();
      expect(await panel.getByTestId('discord-off').innerText()).toContain("needs the hub's Discord bot");
      expect(await panel.getByRole('button', { name: 'Refresh roles from Discord' }).count()).toBe(0);

      // The profile's direct-message setting says so too.
      await page.goto(`${off.url}/profile`, { waitUntil: 'domcontentloaded' });
      await page.getByLabel('Discord direct messages').waitFor();
      expect(await page.getByTestId('discord-off').innerText()).toMatch(/^Discord notifications are off on this hub: the bot sends no direct messages/);

      // With the bot and its server, the manage page has nothing to say about Discord.
      const onAdmin = await on.login('on_admin', 'admin');
      const onCup = await onAdmin.post('/api/tournaments', { name: 'Online Cup', startsAt: '2030-12-01T18:00:00Z' });
      const onPage = await browserOf(on, onAdmin);
      await onPage.goto(`${on.url}/tournaments/${onCup.body.id}/manage`, { waitUntil: 'domcontentloaded' });
      await onPage.getByRole('heading', { name: 'Manage Online Cup' }).waitFor();
      await onPage.getByRole('heading', { name: 'State' }).waitFor();
      expect(await onPage.getByTestId('discord-off').count()).toBe(0);
      await onPage.goto(`${on.url}/profile`, { waitUntil: 'domcontentloaded' });
      await onPage.getByLabel('Discord direct messages').waitFor();
      expect(await onPage.getByTestId('discord-off').count()).toBe(0);
      for (const b of browsers) expect(b.errors).toEqual([]);
    },
  );
});
