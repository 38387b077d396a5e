import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HttpClient } from '../support/http';
import { startHub, type TestHub } from '../support/hub';
import { ensureClientBuilt, openBrowser, removeProfiles, type TestBrowser } from './browser';

type Client = HttpClient & { userId: number };

/** The public player page: a drafted player's teams, pick and W/L, reached from a team roster; an unknown id. */
describe('the player page in a browser', () => {
  let t: TestHub;
  let b: TestBrowser;
  let tournament = 0;
  let player: Client;
  let captain: Client;

  beforeAll(async () => {
    ensureClientBuilt();
    t = await startHub({ db: 'sqlite' });
    const staff = await t.login('pagestaff', 'staff');
    player = await t.login('pickedplayer');
    tournament = (await staff.post('/api/tournaments', { name: 'Page Cup', startsAt: '2030-05-01T18:00:00Z' })).body.id;
    const teams: number[] = [];
    const captains: Client[] = [];
    for (let i = 0; i < 2; i++) {
      const c = await t.login(`pagecap${i}`);
      captains.push(c);
      expect((await staff.post(`/api/tournaments/${tournament}/players`, { userId: c.userId, mmr: 4000 + i })).status).toBe(201);
      const team = await staff.post(`/api/tournaments/${tournament}/teams`, { captainUserId: c.userId, name: `Page ${i + 1}` });
      expect(team.status, team.text).toBe(201);
      teams.push(team.body.id);
    }
    captain = captains[0]!;
    expect((await staff.post(`/api/tournaments/${tournament}/players`, { userId: player.userId, mmr: 3000 })).status).toBe(201);
    // The pick as the draft writes it (the draft flow has its own browser tests).
    await t.hub.services.db('team_members').insert({ teamId: teams[0], tournamentId: tournament, userId: player.userId, pickNumber: 2 });
    const stage = await staff.post(`/api/tournaments/${tournament}/stages`, { format: 'single_elimination', bestOf: 1 });
    expect(stage.status, stage.text).toBe(201);
    const series = (stage.body.matches as { id: number; teamA: { id: number } | null; teamB: { id: number } | null }[]).find((m) => m.teamA && m.teamB)!;
    const win = series.teamA!.id === teams[0] ? { scoreA: 1, scoreB: 0 } : { scoreA: 0, scoreB: 1 };
    expect((await staff.post(`/api/tournaments/${tournament}/series/${series.id}/report`, win)).status).toBe(200);
    b = await openBrowser(t.url);
  }, 60_000);

  afterAll(async () => {
    await b?.context.close();
    await t?.close();
    removeProfiles();
  });

  for (const viewport of [
    { name: 'desktop', width: 1280, height: 800 },
    { name: 'phone', width: 390, height: 844 },
  ]) {
    it(`UI109 on a ${viewport.name}: a roster name leads to the player's page with their team, pick, captain and W/L`, { timeout: 30_000 }, async () => {
      const { page } = b;
      await page.setViewportSize({ width: viewport.width, height: viewport.height });
      await page.goto(`${t.url}/tournaments/${tournament}`, { waitUntil: 'domcontentloaded' });
      await page.locator('main').getByRole('link', { name: 'pickedplayer' }).first().click();
      await page.waitForURL(`${t.url}/users/${player.userId}`);
      await expect.poll(() => page.getByRole('heading', { level: 1 }).innerText()).toBe('pickedplayer');
      expect(await page.getByTestId('series-record').innerText()).toBe('1 won, 0 lost');
      const row = page.locator('table[aria-label="Teams by tournament"] tbody tr');
      expect(await row.count()).toBe(1);
      const text = await row.innerText();
      expect(text).toContain('Page Cup');
      expect(text).toContain('Page 1');
      expect(text).toMatch(/Pick 2, by\s+pagecap0/);
      expect(text).toContain('1–0');
      // Nothing scrolls sideways on the page itself.
      expect(await page.evaluate('document.documentElement.scrollWidth <= window.innerWidth')).toBe(true);
      await page.locator('main').getByRole('link', { name: 'pagecap0' }).click();
      await page.waitForURL(`${t.url}/users/${captain.userId}`);
      await expect.poll(() => page.locator('table[aria-label="Teams by tournament"] tbody tr').innerText()).toContain('Captain');
      expect(b.errors).toEqual([]);
    });
  }

  it('UI110 an unknown player says so; a bad id too', { timeout: 30_000 }, async () => {
    const { page } = b;
    for (const path of ['/users/999999', '/users/abc']) {
      await page.goto(`${t.url}${path}`, { waitUntil: 'domcontentloaded' });
      await expect.poll(() => page.locator('main').innerText()).toContain('This player does not exist');
    }
  });
});
