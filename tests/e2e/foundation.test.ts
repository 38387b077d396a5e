import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { startFakeDiscord, type FakeDiscord } from '../support/fake-discord';
import { startHub, type TestHub } from '../support/hub';
import { ensureClientBuilt, openBrowser, removeProfiles, type TestBrowser } from './browser';

/**
 * The foundation in a real browser: a staff member logs in with (fake) Discord, creates a
 * tournament, imports players from CSV, appoints captains and sets the draft order; a visitor
 * then sees the result without any staff control, on a phone-sized screen too.
 */

const GUILD_ID = '400000000000000001';
const STAFF_ROLE = '500000000000000001';
const STAFF = { id: '300000000000000042', username: 'organiser', global_name: 'The Organiser', avatar: null };
const STAFF_NICK = 'Org';

const HEADER = 'discord_id,username,mmr,steam_id,pos1,pos2,pos3,pos4,pos5';
const PLAYERS = [
  '310000000000000001,alpha,6100,,5,3,1,0,0',
  '310000000000000002,bravo,5400,76561197960287930,0,5,4,1,0',
  '310000000000000003,charlie,4800,,1,1,5,3,2',
  '310000000000000004,delta,3900,123456789,0,0,1,5,5',
];
const BAD_CSV = [HEADER, ...PLAYERS.slice(0, 2), '310000000000000005,echo,lots,,0,0,0,0,0', ...PLAYERS.slice(2)].join('\n');
const GOOD_CSV = [HEADER, ...PLAYERS].join('\n');

/** Every browser here reads dates in New York time, in US English. */
const FOUNDATION_BROWSER = { timezoneId: 'America/New_York', locale: 'en-US' };

/** True when the page is no wider than the viewport (nothing to scroll sideways). */
async function fitsWidth(page: Page): Promise<boolean> {
  return page.evaluate('document.documentElement.scrollWidth <= window.innerWidth');
}

describe('the hub in a browser', () => {
  let fake: FakeDiscord;
  let t: TestHub;
  let staff: TestBrowser;
  let tournamentId = 0;

  beforeAll(async () => {
    ensureClientBuilt();
    fake = await startFakeDiscord({ guildId: GUILD_ID });
    fake.setUser(STAFF);
    fake.setMember(STAFF.id, { nick: STAFF_NICK, roles: [STAFF_ROLE] });
    t = await startHub({ db: 'sqlite', env: { ...fake.env(), DISCORD_STAFF_ROLE_IDS: STAFF_ROLE } });
    staff = await openBrowser(t.url, FOUNDATION_BROWSER);
  }, 120_000);

  afterAll(async () => {
    await staff?.context.close();
    await t?.close();
    await fake?.close();
    removeProfiles();
  });

  it('logs a staff member in with Discord', { timeout: 60_000 }, async () => {
    const { page } = staff;
    await page.goto(t.url, { waitUntil: 'domcontentloaded' });
    await page.getByRole('heading', { name: 'Tournaments' }).waitFor();
    await page.getByRole('link', { name: 'Log in with Discord' }).click();
    // Hub → fake Discord → hub callback → `/`, logged in: the header shows the guild nickname.
    await page.getByRole('button', { name: 'Log out' }).waitFor();
    expect(new URL(page.url()).pathname).toBe('/');
    await page.getByText(STAFF_NICK, { exact: true }).waitFor();
    expect(await page.getByRole('link', { name: 'Development login' }).count()).toBe(0);
  });

  it('creates a tournament through the form', { timeout: 60_000 }, async () => {
    const { page } = staff;
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'New tournament' }).click();
    const form = page.getByRole('form', { name: 'New tournament' });
    // A missing name is caught before any request is sent.
    await form.getByRole('button', { name: 'Create tournament' }).click();
    await form.getByText('pick the start date and time').waitFor();

    await form.getByLabel('Name').fill('DTX Summer Cup');
    await form.getByLabel('Description').fill('Inhouse league finals');
    await form.getByLabel('Start time').fill('2030-07-06T18:00');
    await form.getByLabel('Time zone').fill('Europe/Berlin');
    const created = page.waitForResponse((r) => r.url().endsWith('/api/tournaments') && r.request().method() === 'POST');
    await form.getByRole('button', { name: 'Create tournament' }).click();
    expect((await created).status()).toBe(201);
    await page.getByRole('heading', { name: 'Manage DTX Summer Cup' }).waitFor();
    const match = /\/tournaments\/(\d+)\/manage$/.exec(page.url());
    expect(match).not.toBeNull();
    tournamentId = Number(match![1]);

    // 18:00 in Berlin (summer time) is 16:00 UTC.
    const detail = await t.client().get(`/api/tournaments/${tournamentId}`);
    expect(detail.body).toMatchObject({ name: 'DTX Summer Cup', timeZone: 'Europe/Berlin', startsAt: expect.stringMatching(/^2030-07-06T16:00:00(\.000)?Z$/) });
  });

  it('rejects a CSV with a bad row, showing the row, then imports a valid file', { timeout: 60_000 }, async () => {
    const { page } = staff;
    expect(tournamentId).toBeGreaterThan(0);
    const form = page.getByRole('form', { name: 'Import players from CSV' });
    const importOnce = async () => {
      const answer = page.waitForResponse((r) => r.url().endsWith('/players/import'));
      await form.getByRole('button', { name: 'Import' }).click();
      return answer;
    };

    await form.getByLabel('CSV file').setInputFiles({ name: 'bad.csv', mimeType: 'text/csv', buffer: Buffer.from(BAD_CSV) });
    await expect.poll(() => form.getByLabel('CSV', { exact: true }).inputValue()).toBe(BAD_CSV);
    expect((await importOnce()).status()).toBe(400);
    const errors = form.getByRole('table', { name: 'Rows with errors' });
    await errors.waitFor();
    // Line 4 of the file (the header is line 1): only the bad row is listed.
    expect(await errors.getByRole('row').count()).toBe(2);
    const cells = await errors.getByRole('row').nth(1).getByRole('cell').allTextContents();
    expect(cells.slice(0, 2).map((c) => c.trim())).toEqual(['4', 'mmr']);
    await form.getByText('Nothing was imported').waitFor();
    expect((await t.client().get(`/api/tournaments/${tournamentId}/players`)).body.items).toEqual([]);

    await form.getByLabel('CSV file').setInputFiles({ name: 'players.csv', mimeType: 'text/csv', buffer: Buffer.from(GOOD_CSV) });
    await expect.poll(() => form.getByLabel('CSV', { exact: true }).inputValue()).toBe(GOOD_CSV);
    const imported = await importOnce();
    expect({ status: imported.status(), body: await imported.json() }).toMatchObject({ status: 200, body: { imported: 4 } });
    await form.getByText('Imported 4 players').waitFor();
    expect(await errors.count()).toBe(0);
    const pool = page.getByRole('list', { name: 'Player pool' });
    await expect.poll(() => pool.getByRole('listitem').count()).toBe(PLAYERS.length);
  });

  it('appoints two captains and sets the draft order', { timeout: 60_000 }, async () => {
    const { page } = staff;
    const form = page.getByRole('form', { name: 'Appoint a captain' });
    const order = page.getByRole('list', { name: 'Draft order' });
    const appoint = async (username: string, team: string) => {
      const select = form.getByLabel('Captain');
      const value = await select.locator('option', { hasText: username }).getAttribute('value');
      await select.selectOption(value!);
      await form.getByLabel('Team name (optional)').fill(team);
      const answer = page.waitForResponse((r) => r.url().endsWith(`/tournaments/${tournamentId}/teams`) && r.request().method() === 'POST');
      await form.getByRole('button', { name: 'Appoint captain' }).click();
      expect((await answer).status()).toBe(201);
      await order.getByRole('listitem', { name: `Team ${team}` }).waitFor();
    };
    await appoint('alpha', 'Radiant Five');
    await appoint('bravo', 'Dire Wolves');
    const names = () => order.getByRole('listitem').evaluateAll((items) => items.map((li) => li.getAttribute('aria-label')));
    expect(await names()).toEqual(['Team Radiant Five', 'Team Dire Wolves']);

    const reordered = page.waitForResponse((r) => r.url().endsWith('/teams/order'));
    await page.getByRole('button', { name: 'Move Dire Wolves up' }).click();
    expect((await reordered).status()).toBe(200);
    await expect.poll(names).toEqual(['Team Dire Wolves', 'Team Radiant Five']);

    const teams = await t.client().get(`/api/tournaments/${tournamentId}/teams`);
    expect(teams.body.items.map((team: { name: string }) => team.name)).toEqual(['Dire Wolves', 'Radiant Five']);

    // The manage page fits a phone too.
    await page.setViewportSize({ width: 375, height: 800 });
    expect(await fitsWidth(page)).toBe(true);
    expect(staff.errors).toEqual([]);
  });

  it('DC12 edits the profile: Steam id in any form, MMR, positions and Discord DMs, with field errors before sending', { timeout: 60_000 }, async () => {
    const { page } = staff;
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.getByRole('link', { name: 'Profile' }).click();
    const form = page.getByRole('form', { name: 'Player profile' });
    // (bravo's Steam id from the CSV is taken: the hub would answer 409.)
    await form.getByLabel('Steam id').fill('https://steamcommunity.com/profiles/76561198000000001');
    // The normalised ids show while typing.
    await form.getByText('76561198000000001').waitFor();
    await form.getByText('39734273').waitFor();

    const patches: string[] = [];
    page.on('request', (r) => {
      if (r.method() === 'PATCH') patches.push(r.url());
    });
    await form.getByLabel('MMR').fill('99999');
    await form.getByRole('button', { name: 'Save profile' }).click();
    await form.locator('.field-error').first().waitFor();
    expect(await form.getByLabel('MMR').getAttribute('aria-invalid')).toBe('true');
    expect(patches).toEqual([]);

    await form.getByLabel('MMR').fill('4321');
    await form.getByLabel('2 · Mid').selectOption('5');
    // Discord DMs are on until the member turns them off.
    const dms = form.getByLabel('Discord direct messages');
    expect(await dms.isChecked()).toBe(true);
    await dms.uncheck();
    const saved = page.waitForResponse((r) => r.url().endsWith('/api/me') && r.request().method() === 'PATCH');
    await form.getByRole('button', { name: 'Save profile' }).click();
    expect((await saved).status()).toBe(200);
    await form.getByText('Saved.').waitFor();
    await expect.poll(() => form.getByLabel('Steam id').inputValue()).toBe('76561198000000001');
    const me = await t.client().get(`/api/users?q=${STAFF.username}`);
    expect(me.body.items[0]).toMatchObject({ steamId: '76561198000000001', steamAccountId: 39734273, mmr: 4321, positions: { '2': 5 } });
    const stored = await t.hub.services.db('users').where({ discordId: STAFF.id }).first('discordDms');
    expect(Boolean(stored.discordDms)).toBe(false);
    // The page shows what was stored after a reload; turned on again, it is stored on.
    await page.reload({ waitUntil: 'domcontentloaded' });
    await expect.poll(() => form.getByLabel('Discord direct messages').isChecked()).toBe(false);
    await form.getByLabel('Discord direct messages').check();
    const again = page.waitForResponse((r) => r.url().endsWith('/api/me') && r.request().method() === 'PATCH');
    await form.getByRole('button', { name: 'Save profile' }).click();
    expect((await again).status()).toBe(200);
    await form.getByText('Saved.').waitFor();
    expect(Boolean((await t.hub.services.db('users').where({ discordId: STAFF.id }).first('discordDms')).discordDms)).toBe(true);
    expect(staff.errors).toEqual([]);
  });

  it('shows a visitor the players and teams, with no staff controls, on a phone', { timeout: 60_000 }, async () => {
    expect(tournamentId).toBeGreaterThan(0);
    const visitor = await openBrowser(t.url, FOUNDATION_BROWSER);
    try {
      const { page } = visitor;
      await page.setViewportSize({ width: 375, height: 800 });
      await page.goto(`${t.url}/tournaments/${tournamentId}`, { waitUntil: 'domcontentloaded' });
      await page.getByRole('heading', { name: 'DTX Summer Cup' }).waitFor();
      await page.getByRole('link', { name: 'Log in with Discord' }).waitFor();

      const players = page.getByRole('table', { name: 'Players' });
      await expect.poll(() => players.getByRole('row').count()).toBe(1 + PLAYERS.length);
      // Sorted by MMR; a captain's team is named under their name.
      const names = await players.getByRole('rowheader').allInnerTexts();
      expect(names.map((n) => n.replace(/\s+/g, ' ').trim())).toEqual(['alpha Radiant Five', 'bravo Dire Wolves', 'charlie', 'delta']);
      const teams = page.getByRole('article');
      expect(await teams.evaluateAll((cards) => cards.map((c) => c.getAttribute('aria-label')))).toEqual(['Team Dire Wolves', 'Team Radiant Five']);
      await page.getByRole('article', { name: 'Team Dire Wolves' }).getByText('5400 MMR').waitFor();
      // Start time: the tournament's zone, and the viewer's (the browser runs in New York).
      await page.getByText('(Europe/Berlin)').waitFor();
      await page.getByText(/Your time: .*12:00/).waitFor();

      expect(await page.getByRole('link', { name: 'Manage' }).count()).toBe(0);
      expect(await page.getByRole('link', { name: 'New tournament' }).count()).toBe(0);
      expect(await page.getByRole('button', { name: 'Log out' }).count()).toBe(0);
      expect(await fitsWidth(page)).toBe(true);

      // Live: staff rename a team, and the open page follows without a reload.
      await page.getByRole('status').getByText('Live').waitFor();
      const manage = staff.page;
      await manage.goto(`${t.url}/tournaments/${tournamentId}/manage`, { waitUntil: 'domcontentloaded' });
      await manage.getByLabel('Name of team #2').fill('Radiant Six');
      await manage.getByRole('button', { name: 'Rename Radiant Five' }).click();
      await page.getByRole('article', { name: 'Team Radiant Six' }).waitFor();
      await staff.context.close();

      // The manage page itself refuses a visitor (the server would refuse the changes too).
      await page.goto(`${t.url}/tournaments/${tournamentId}/manage`, { waitUntil: 'domcontentloaded' });
      await page.getByText('Log in to manage this tournament.').waitFor();
      expect(await page.getByRole('button', { name: 'Import' }).count()).toBe(0);
      expect(visitor.errors).toEqual([]);
    } finally {
      await visitor.context.close();
    }
  });

  it('explains a cancelled Discord login', { timeout: 60_000 }, async () => {
    const visitor = await openBrowser(t.url, FOUNDATION_BROWSER);
    try {
      const { page } = visitor;
      fake.denyConsent(true);
      await page.goto(t.url, { waitUntil: 'domcontentloaded' });
      await page.getByRole('link', { name: 'Log in with Discord' }).click();
      await page.getByText('You cancelled the Discord login.').waitFor();
      // The code leaves the address bar, so a reload does not show it again.
      await expect.poll(() => new URL(page.url()).search).toBe('');
      expect(await page.getByRole('button', { name: 'Log out' }).count()).toBe(0);
    } finally {
      fake.denyConsent(false);
      await visitor.context.close();
    }
  });
});
