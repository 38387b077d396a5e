import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeOpenDota, startFakeOpenDota } from '../support/fake-opendota';
import { startHub, type TestHub } from '../support/hub';
import type { HttpClient } from '../support/http';
import { steamId64 } from '../steam/fixtures';
import { ensureClientBuilt, openBrowser, removeProfiles, type TestBrowser } from './browser';

/**
 * Staff actions that had an API but no page (issue 19): leagues, site roles, linking someone
 * else's Steam account, tournament staff and deleting a tournament, each done through the pages
 * as a person would, on a desktop and on a phone. Users and tournaments the tests act on are set
 * up through the API; what is tested goes through the pages, and the API is only read to check.
 */

type Client = HttpClient & { userId: number };
const PHONE = { width: 390, height: 844 };

/** True when the page is no wider than the viewport (nothing to scroll sideways). */
const fitsWidth = (page: Page): Promise<boolean> => page.evaluate('document.documentElement.scrollWidth <= window.innerWidth');

describe('staff actions on pages (issue 19)', () => {
  let t: TestHub;
  let od: FakeOpenDota;
  let admin: Client;
  let staff: Client;
  let member: Client;
  const browsers: TestBrowser[] = [];

  /** A browser logged in with a test client's session that accepts every confirmation. */
  async function browserOf(client: Client, viewport?: { width: number; height: number }): Promise<TestBrowser> {
    const b = await openBrowser(t.url, { cookies: client.cookieHeader(), ...(viewport ? { viewport } : {}) });
    b.page.on('dialog', (d) => void d.accept());
    browsers.push(b);
    return b;
  }

  const mainNav = (page: Page) => page.getByRole('navigation', { name: 'Main' });

  /** A tournament made by site staff, moved to `state` one step at a time. */
  async function tournament(name: string, state: 'draft' | 'registration' | 'drafting', extra: Record<string, unknown> = {}): Promise<number> {
    const created = await staff.post('/api/tournaments', { name, startsAt: '2030-12-01T18:00:00Z', ...extra });
    expect(created.status, created.text).toBe(201);
    const id = created.body.id as number;
    const steps = { draft: [], registration: ['registration'], drafting: ['registration', 'drafting'] }[state];
    for (const step of steps) expect((await staff.patch(`/api/tournaments/${id}`, { state: step })).status).toBe(200);
    return id;
  }

  beforeAll(async () => {
    ensureClientBuilt();
    od = await startFakeOpenDota();
    // No Steam key: ids and /profiles/ URLs resolve through (fake) OpenDota; names need Steam.
    t = await startHub({ db: 'sqlite', env: { ...od.env(), STEAM_API_KEY: '', OPENDOTA_RATE_MS: '10', STEAM_LIVE_POLL_MS: '3600000' } });
    admin = await t.login('night_admin', 'admin');
    staff = await t.login('site_staff', 'staff');
    member = await t.login('plain_member');
  }, 120_000);

  afterAll(async () => {
    for (const b of browsers) await b.context.close();
    await t?.close();
    await od?.close();
    removeProfiles();
  });

  it('UI61 site staff create, edit and delete leagues from the leagues page; the 409s are shown where they happen', { timeout: 90_000 }, async () => {
    const desk = await browserOf(staff);
    const { page } = desk;
    await page.goto(t.url, { waitUntil: 'domcontentloaded' });
    await mainNav(page).getByRole('link', { name: 'Leagues' }).click();
    await page.waitForURL(`${t.url}/leagues`);
    await page.getByTestId('no-leagues').waitFor();
    const form = page.getByRole('form', { name: 'New league' });

    // Empty name and a Steam id that is not a number: both named, nothing sent.
    await form.getByLabel('Steam league id').fill('12ab');
    await form.getByRole('button', { name: 'Create league' }).click();
    await form.getByText('enter a name').waitFor();
    await form.getByText("a whole number: the league's id on Steam").waitFor();
    expect(await form.getByLabel('Name').getAttribute('aria-invalid')).toBe('true');
    expect((await t.client().get('/api/leagues')).body.items).toEqual([]);

    await form.getByLabel('Name').fill('Spring League');
    await form.getByLabel('Steam league id').fill('15728');
    await form.getByRole('button', { name: 'Create league' }).click();
    await form.getByRole('status').getByText('League "Spring League" created.').waitFor();
    const list = page.getByRole('list', { name: 'Leagues' });
    await list.getByRole('listitem', { name: 'League Spring League' }).getByText('Steam league 15728').waitFor();
    expect((await t.client().get('/api/leagues')).body.items).toEqual([expect.objectContaining({ name: 'Spring League', steamLeagueId: 15728 })]);

    // The same name again: the 409 is said in the form, and nothing is added.
    await form.getByLabel('Name').fill('Spring League');
    await form.getByRole('button', { name: 'Create league' }).click();
    expect(await form.getByRole('alert').innerText()).toMatch(/^Not saved: a league named "Spring League" already exists/);
    expect((await t.client().get('/api/leagues')).body.items).toHaveLength(1);

    await form.getByLabel('Name').fill('Autumn League');
    await form.getByLabel('Steam league id').fill('');
    await form.getByRole('button', { name: 'Create league' }).click();
    await list.getByRole('listitem', { name: 'League Autumn League' }).getByText('No Steam league id').waitFor();

    // Edit: rename and clear the Steam id.
    await page.getByRole('button', { name: 'Edit Spring League' }).click();
    const edit = page.getByRole('form', { name: 'Edit league Spring League' });
    await edit.getByLabel('Name').fill('Spring League 2031');
    await edit.getByLabel('Steam league id').fill('');
    await edit.getByRole('button', { name: 'Save' }).click();
    await list.getByRole('listitem', { name: 'League Spring League 2031' }).getByText('No Steam league id').waitFor();
    const spring = (await t.client().get('/api/leagues')).body.items.find((l: { name: string }) => l.name === 'Spring League 2031');
    expect(spring).toMatchObject({ steamLeagueId: null });

    // Renaming onto another league's name: the 409 in the edit form, the league unchanged.
    await page.getByRole('button', { name: 'Edit Autumn League' }).click();
    const editAutumn = page.getByRole('form', { name: 'Edit league Autumn League' });
    await editAutumn.getByLabel('Name').fill('Spring League 2031');
    await editAutumn.getByRole('button', { name: 'Save' }).click();
    expect(await editAutumn.getByRole('alert').innerText()).toMatch(/already exists/);
    await editAutumn.getByRole('button', { name: 'Cancel' }).click();
    expect((await t.client().get('/api/leagues')).body.items.map((l: { name: string }) => l.name).sort()).toEqual(['Autumn League', 'Spring League 2031']);

    // A league a tournament uses is not deleted, and the row says why; an unused one goes.
    await tournament('League Cup', 'draft', { leagueId: spring.id });
    await page.getByRole('button', { name: 'Delete Spring League 2031' }).click();
    const springRow = list.getByRole('listitem', { name: 'League Spring League 2031' });
    expect(await springRow.getByRole('alert').innerText()).toMatch(/^Not deleted: .*used by 1 tournament/);
    expect((await t.client().get(`/api/leagues/${spring.id}`)).status).toBe(200);
    await page.getByRole('button', { name: 'Delete Autumn League' }).click();
    await expect.poll(() => list.getByRole('listitem').count()).toBe(1);
    expect((await t.client().get('/api/leagues')).body.items.map((l: { name: string }) => l.name)).toEqual(['Spring League 2031']);

    // On a phone: staff with an edit form open, and a member who gets the plain list.
    const phone = await browserOf(staff, PHONE);
    await phone.page.goto(`${t.url}/leagues`, { waitUntil: 'domcontentloaded' });
    await phone.page.getByRole('button', { name: 'Edit Spring League 2031' }).click();
    await phone.page.getByRole('form', { name: 'Edit league Spring League 2031' }).waitFor();
    expect(await fitsWidth(phone.page)).toBe(true);
    const visitor = await browserOf(member, PHONE);
    await visitor.page.goto(`${t.url}/leagues`, { waitUntil: 'domcontentloaded' });
    await visitor.page.getByRole('list', { name: 'Leagues' }).getByText('Spring League 2031').waitFor();
    expect(await visitor.page.getByRole('form', { name: 'New league' }).count()).toBe(0);
    expect(await visitor.page.getByRole('button', { name: /^(Edit|Delete) / }).count()).toBe(0);
    expect(await mainNav(visitor.page).getByRole('link', { name: 'Leagues' }).count()).toBe(0);
    expect(await fitsWidth(visitor.page)).toBe(true);
    for (const b of [desk, phone, visitor]) expect(b.errors).toEqual([]);
  });

  it('UI62 an admin changes a site role on the users page; the last admin cannot be demoted and the page says why', { timeout: 90_000 }, async () => {
    const target = await t.login('role_target');
    const desk = await browserOf(admin);
    const { page } = desk;
    await page.goto(t.url, { waitUntil: 'domcontentloaded' });
    await mainNav(page).getByRole('link', { name: 'Users' }).click();
    await page.waitForURL(`${t.url}/admin/users`);

    await page.getByLabel('Find a user').fill('role_target');
    await page.getByTestId('user-count').getByText('1 user').waitFor();
    await page.getByRole('button', { name: 'Open role_target' }).click();
    const panel = page.getByRole('region', { name: 'Manage role_target' });
    await panel.getByTestId('user-role').getByText('Member').waitFor();
    const roleForm = panel.getByRole('form', { name: 'Site role of role_target' });
    await roleForm.getByLabel('Site role').selectOption({ label: 'Site staff' });
    await roleForm.getByRole('button', { name: 'Change role' }).click();
    await roleForm.getByRole('status').getByText('role_target is now Site staff.').waitFor();
    expect((await admin.get(`/api/users/${target.userId}`)).body.role).toBe('staff');
    await panel.getByTestId('user-role').getByText('Site staff').waitFor();

    // The only admin demoting themself: refused (409) and shown; still an admin.
    await page.getByLabel('Find a user').fill('night_admin');
    await page.getByTestId('user-count').getByText('1 user').waitFor();
    await page.getByRole('button', { name: 'Open night_admin' }).click();
    const self = page.getByRole('region', { name: 'Manage night_admin' });
    const selfForm = self.getByRole('form', { name: 'Site role of night_admin' });
    await selfForm.getByLabel('Site role').selectOption({ label: 'Member' });
    await selfForm.getByRole('button', { name: 'Change role' }).click();
    expect(await selfForm.getByRole('alert').innerText()).toMatch(/^Role not changed: cannot demote the last admin/);
    await self.getByTestId('user-role').getByText('Admin').waitFor();
    expect((await admin.get(`/api/users/${admin.userId}`)).body.role).toBe('admin');
    expect(await mainNav(page).getByRole('link', { name: 'Users' }).count()).toBe(1);

    // Site staff see the role but cannot change it; a member is told the page is not theirs.
    const staffPhone = await browserOf(staff, PHONE);
    await staffPhone.page.goto(`${t.url}/admin/users`, { waitUntil: 'domcontentloaded' });
    await staffPhone.page.getByText('Only admins change site roles.').waitFor();
    await staffPhone.page.getByLabel('Find a user').fill('role_target');
    await staffPhone.page.getByTestId('user-count').getByText('1 user').waitFor();
    await staffPhone.page.getByRole('button', { name: 'Open role_target' }).click();
    const staffView = staffPhone.page.getByRole('region', { name: 'Manage role_target' });
    await staffView.getByTestId('user-role').getByText('Site staff').waitFor();
    expect(await staffView.getByRole('button', { name: 'Change role' }).count()).toBe(0);
    expect(await fitsWidth(staffPhone.page)).toBe(true);

    const visitor = await browserOf(member, PHONE);
    await visitor.page.goto(`${t.url}/admin/users`, { waitUntil: 'domcontentloaded' });
    await visitor.page.getByText('Only site staff and admins can manage users.').waitFor();
    expect(await visitor.page.getByLabel('Find a user').count()).toBe(0);
    expect(await mainNav(visitor.page).getByRole('link', { name: 'Users' }).count()).toBe(0);
    for (const b of [desk, staffPhone, visitor]) expect(b.errors).toEqual([]);
  });

  it("UI63 site staff link another user's Steam account by profile URL or account id; 'Steam is off' is said plainly", { timeout: 90_000 }, async () => {
    const byUrl = await t.login('steam_by_url');
    const byId = await t.login('steam_by_id');
    const byName = await t.login('steam_by_name');
    od.setProfile(4242001, { personaname: 'Url Persona', steamid: steamId64(4242001) });
    od.setProfile(4242002, { personaname: 'Id Persona', steamid: steamId64(4242002) });
    const b = await browserOf(staff, PHONE);
    const { page } = b;
    await page.goto(`${t.url}/admin/users`, { waitUntil: 'domcontentloaded' });

    async function open(username: string) {
      await page.getByLabel('Find a user').fill(username);
      await page.getByTestId('user-count').getByText('1 user').waitFor();
      await page.getByRole('button', { name: `Open ${username}` }).click();
      const panel = page.getByRole('region', { name: `Manage ${username}` });
      await panel.getByTestId('user-steam').getByText('Not linked').waitFor();
      return { panel, form: panel.getByRole('form', { name: `Link Steam of ${username}` }) };
    }

    const url = await open('steam_by_url');
    await url.form.getByLabel('Link a Steam account').fill(`https://steamcommunity.com/profiles/${steamId64(4242001)}/`);
    await url.form.getByRole('button', { name: 'Link' }).click();
    await url.form
      .getByRole('status')
      .getByText(`Linked to Url Persona (SteamID64 ${steamId64(4242001)}).`)
      .waitFor();
    await url.panel.getByTestId('user-steam').getByText(steamId64(4242001)).waitFor();
    expect((await t.client().get(`/api/users/${byUrl.userId}`)).body.steamId).toBe(steamId64(4242001));

    const id = await open('steam_by_id');
    await id.form.getByLabel('Link a Steam account').fill('4242002');
    await id.form.getByRole('button', { name: 'Link' }).click();
    await id.form.getByRole('status').getByText('Linked to Id Persona').waitFor();
    expect((await t.client().get(`/api/users/${byId.userId}`)).body.steamId).toBe(steamId64(4242002));

    // Not an id at all: named at the field. A custom name needs Steam, which is off here (503).
    const name = await open('steam_by_name');
    await name.form.getByLabel('Link a Steam account').fill('not a steam id!');
    await name.form.getByRole('button', { name: 'Link' }).click();
    await name.form.getByRole('alert').waitFor();
    expect(await name.form.getByLabel('Link a Steam account').getAttribute('aria-invalid')).toBe('true');
    await name.form.getByLabel('Link a Steam account').fill('somecustomname');
    await name.form.getByRole('button', { name: 'Link' }).click();
    const off = name.form.getByTestId('steam-off');
    await off.waitFor();
    expect(await off.innerText()).toMatch(/^Steam is off right now\.\s+Looking up a Steam name needs a Steam key .*STEAM_API_KEY.*SteamID64/s);
    expect((await t.client().get(`/api/users/${byName.userId}`)).body.steamId).toBeNull();
    expect(await fitsWidth(page)).toBe(true);
    expect(b.errors).toEqual([]);
  });

  it('UI64 staff of a tournament add and remove staff on the manage page, themselves last', { timeout: 90_000 }, async () => {
    const cupStaff = await t.login('cup_staff');
    const helper = await t.login('cup_helper');
    const id = await tournament('Staff Cup', 'registration');
    expect((await staff.post(`/api/tournaments/${id}/staff`, { userId: cupStaff.userId })).status).toBe(201);
    const staffIds = async () => ((await t.client().get(`/api/tournaments/${id}`)).body.staff as { id: number }[]).map((s) => s.id).sort();

    const b = await browserOf(cupStaff, PHONE);
    const { page } = b;
    await page.goto(`${t.url}/tournaments/${id}/manage`, { waitUntil: 'domcontentloaded' });
    const list = page.getByRole('list', { name: 'Tournament staff' });
    await list.getByText('cup_staff').waitFor();
    // Deleting is for site staff: tournament staff have no danger zone.
    expect(await page.getByRole('heading', { name: 'Danger zone' }).count()).toBe(0);

    await page.getByText('Add staff', { exact: true }).click();
    await page.getByLabel('Find a user to make staff').fill('cup_helper');
    await page.getByRole('button', { name: 'Make staff cup_helper' }).click();
    await page.getByRole('status').getByText('cup_helper is now staff of Staff Cup.').waitFor();
    await list.getByText('cup_helper').waitFor();
    await page.getByText('No matching users who are not already staff.').waitFor();
    expect(await staffIds()).toEqual([staff.userId, cupStaff.userId, helper.userId].sort());
    expect(await fitsWidth(page)).toBe(true);

    await page.getByRole('button', { name: 'Remove cup_helper from staff' }).click();
    await page.getByRole('status').getByText('cup_helper is no longer staff of Staff Cup.').waitFor();
    expect(await staffIds()).toEqual([staff.userId, cupStaff.userId].sort());

    // Removing oneself is confirmed first (accepted here); then the page is no longer theirs.
    const asked: string[] = [];
    page.on('dialog', (d) => asked.push(d.message()));
    await page.getByRole('button', { name: 'Remove cup_staff from staff' }).click();
    await page.getByText('Only the staff of this tournament can manage it.').waitFor();
    expect(asked).toEqual([expect.stringContaining('Remove yourself from the staff of Staff Cup?')]);
    expect(await staffIds()).toEqual([staff.userId]);
    expect(b.errors).toEqual([]);
  });

  it(
    'UI65 site staff delete a tournament after typing its name; one that started playing meanwhile is refused and explained',
    { timeout: 90_000 },
    async () => {
      const doomed = await tournament('Doomed Cup', 'registration');
      const desk = await browserOf(staff);
      const { page } = desk;
      await page.goto(`${t.url}/tournaments/${doomed}/manage`, { waitUntil: 'domcontentloaded' });
      await page.getByRole('heading', { name: 'Danger zone' }).waitFor();
      await page.getByText('Delete this tournament').click();
      const form = page.getByRole('form', { name: 'Delete Doomed Cup' });
      const button = form.getByRole('button', { name: 'Delete Doomed Cup' });
      expect(await button.isDisabled()).toBe(true);
      const confirmName = form.getByLabel("Type the tournament's name, Doomed Cup, to confirm");
      await confirmName.fill('Doomed');
      expect(await button.isDisabled()).toBe(true);
      await confirmName.fill('Doomed Cup');
      await button.click();
      await page.waitForURL(`${t.url}/`);
      expect((await t.client().get(`/api/tournaments/${doomed}`)).status).toBe(404);

      // Read while 'drafting'; another staff member moves it to 'playing' on their phone first.
      const kept = await tournament('Kept Cup', 'drafting');
      await page.goto(`${t.url}/tournaments/${kept}/manage`, { waitUntil: 'domcontentloaded' });
      await page.getByText('Delete this tournament').click();
      const keptForm = page.getByRole('form', { name: 'Delete Kept Cup' });
      await keptForm.getByLabel("Type the tournament's name").fill('Kept Cup');

      const phone = await browserOf(staff, PHONE);
      await phone.page.goto(`${t.url}/tournaments/${kept}/manage`, { waitUntil: 'domcontentloaded' });
      await phone.page.getByRole('button', { name: 'Move to playing' }).click();
      await phone.page.getByText('Delete this tournament').click();
      expect(await phone.page.getByTestId('cannot-delete').innerText()).toMatch(/Kept Cup has started playing \('playing'\), so it cannot be deleted/);
      expect(await phone.page.getByRole('form', { name: 'Delete Kept Cup' }).count()).toBe(0);
      expect(await fitsWidth(phone.page)).toBe(true);

      await keptForm.getByRole('button', { name: 'Delete Kept Cup' }).click();
      const refused = page.getByRole('alert').filter({ hasText: 'Not deleted' });
      expect(await refused.innerText()).toMatch(/Kept Cup has started playing in the meantime \(.*cannot be deleted\)\. A tournament keeps its results/);
      await page.getByTestId('cannot-delete').waitFor();
      expect((await t.client().get(`/api/tournaments/${kept}`)).body.state).toBe('playing');
      for (const b of [desk, phone]) expect(b.errors).toEqual([]);
    },
  );
});
