import type { ConsoleMessage, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildSequence } from '../../server/herodraft/herodraft.rules';
import { heroes } from '../../server/herodraft/heroes';
import { startHub, type TestHub } from '../support/hub';
import { teamAWinsTheToss } from '../herodraft/fixtures';
import { ensureClientBuilt, openBrowser, removeProfiles, type TestBrowser } from './browser';

/**
 * The hero grid as captains see it. Captain A's portraits fail, a second after they are asked
 * for (as an unreachable CDN does); captain B's never get an answer (every portrait is still
 * loading). Either way each tile reads the hero's name. Both captains draft with the keyboard.
 * Any warning Svelte prints (e.g. derived_inert) on a captain's page fails the file.
 */

const CDN = 'https://cdn.cloudflare.steamstatic.com';
const FAIL_AFTER_MS = 800;
const nameOf = (id: number) => heroes().find((h) => h.id === id)!.localizedName;
const idOf = (name: string) => heroes().find((h) => h.localizedName === name)!.id;

/** Each tile in the grid (or in a team's bans): its name, whether the name is what shows, whether it fits. */
interface TileCheck {
  id: number;
  text: string;
  visible: boolean;
  fits: boolean;
  /** The name's box and the tile's, for a failure's message. */
  boxes: string;
}
// The tests' tsconfig has no DOM types: the page-side code is a string.
const TILES = `(selector) => [...document.querySelectorAll(selector)].map((tile) => {
  const text = tile.querySelector('.text');
  const box = tile.getBoundingClientRect();
  const t = text.getBoundingClientRect();
  const img = tile.querySelector('img');
  return {
    id: Number(tile.dataset.hero),
    text: text.firstChild ? text.firstChild.textContent : '',
    // Nothing covers the name: no portrait, or one that has not arrived (transparent).
    visible: t.width > 0 && t.height > 0 && (!img || getComputedStyle(img).opacity === '0'),
    fits: t.left >= box.left - 0.5 && t.right <= box.right + 0.5 && t.top >= box.top - 0.5 && t.bottom <= box.bottom + 0.5
      && text.scrollWidth <= text.clientWidth + 1,
    boxes: JSON.stringify({ text: [t.left, t.right, t.top, t.bottom, text.scrollWidth, text.clientWidth], tile: [box.left, box.right, box.top, box.bottom] }),
  };
})`;
const tiles = (page: Page, selector: string) => page.evaluate(`(${TILES})(${JSON.stringify(selector)})`) as Promise<TileCheck[]>;

describe('the hero grid in a browser', () => {
  let t: TestHub;
  let captains: TestBrowser[] = [];
  const warnings: string[] = [];
  let url = '';

  beforeAll(async () => {
    ensureClientBuilt();
    t = await startHub({ db: 'sqlite', random: teamAWinsTheToss() });
    const staff = await t.login('gridorganiser', 'staff');
    const created = await staff.post('/api/tournaments', { name: 'DTX Grid Night', startsAt: '2030-12-01T18:00:00Z' });
    const tournamentId = created.body.id as number;
    const teamIds: number[] = [];
    const logins = [];
    for (const name of ['Grid Ravens', 'Grid Owls']) {
      const captain = await t.login(`cap_${name.split(' ')[1]!.toLowerCase()}`);
      await staff.post(`/api/tournaments/${tournamentId}/players`, { userId: captain.userId, mmr: 5000 });
      const team = await staff.post(`/api/tournaments/${tournamentId}/teams`, { captainUserId: captain.userId, name });
      expect(team.status, team.text).toBe(201);
      teamIds.push(team.body.id);
      logins.push(captain);
    }
    // 130 s of reserve: more than a minute, as a clock reads it.
    const { steps } = buildSequence('7.40', { firstBanSeconds: 600, stepSeconds: 600, reserveSeconds: 130 });
    const draft = await staff.post(`/api/tournaments/${tournamentId}/herodrafts`, { teamAId: teamIds[0], teamBId: teamIds[1], steps, reserveSeconds: 130 });
    expect(draft.status, draft.text).toBe(201);
    url = `${t.url}/herodrafts/${draft.body.id}`;
    captains = [await openBrowser(t.url, { cookies: logins[0]!.cookieHeader() }), await openBrowser(t.url, { cookies: logins[1]!.cookieHeader() })];
    // The route registered last is asked first. A's portraits fail late: after the tile asking
    // for one may be gone (the derived_inert warning came from such a failure).
    await captains[0]!.context.route(`${CDN}/**`, (route) => void setTimeout(() => void route.abort().catch(() => undefined), FAIL_AFTER_MS));
    // B's portraits never arrive.
    await captains[1]!.context.route(`${CDN}/**`, () => undefined);
    for (const c of captains) {
      c.page.on('console', (msg: ConsoleMessage) => {
        // Portraits failing to load are expected here (the CDN is out of reach); nothing else is.
        if (msg.type() === 'warning' || (msg.type() === 'error' && !msg.text().startsWith('Failed to load resource')))
          warnings.push(`${msg.type()}: ${msg.text()}`);
      });
    }
  }, 120_000);

  afterAll(async () => {
    for (const b of captains) await b?.context.close();
    await t?.close();
    removeProfiles();
  });

  const status = (page: Page) => page.getByTestId('status').getAttribute('data-status');
  const onTurn = async (page: Page) => page.getByTestId('turn').getAttribute('data-step');

  it('UI21 every tile reads its hero at once, portrait failed or still loading, and long names fit inside the tile', { timeout: 60_000 }, async () => {
    for (const c of captains) await c.page.goto(url, { waitUntil: 'domcontentloaded' });
    for (const c of captains) await c.page.getByTestId('ready').click();
    await captains[0]!.page.getByRole('button', { name: 'First pick' }).click();
    await captains[1]!.page.getByRole('button', { name: 'Radiant' }).click();
    for (const c of captains) await expect.poll(() => status(c.page)).toBe('drafting');

    const expected = heroes()
      .filter((h) => h.captainsMode)
      .map((h) => h.id)
      .sort((a, b) => a - b);
    for (const c of captains) {
      await c.page.locator('[data-testid=hero-grid] [data-hero]').first().waitFor();
      const shown = await tiles(c.page, '[data-testid=hero-grid] [data-hero]');
      expect(shown.map((s) => s.id).sort((a, b) => a - b)).toEqual(expected);
      for (const s of shown) {
        expect(s.text, `tile ${s.id}`).toBe(nameOf(s.id));
        expect(s.visible, `${s.text} readable`).toBe(true);
        expect(s.fits, `${s.text} inside its tile: ${s.boxes}`).toBe(true);
      }
    }
    // Captain B's portraits are in the page, still loading, and transparent over the names.
    expect(await captains[1]!.page.locator('[data-testid=hero-grid] img').count()).toBeGreaterThan(0);
    // Captain A's failed: gone, the names stay.
    await expect.poll(() => captains[0]!.page.locator('[data-testid=hero-grid] img').count()).toBe(0);
  });

  it('UI23 a reserve of more than a minute reads as a clock (2:10), not "2:10 s"', async () => {
    for (const i of [0, 1]) expect(await captains[0]!.page.getByTestId(`reserve-${i}`).innerText()).toBe('2:10');
    expect(await captains[0]!.page.getByTestId('turn').innerText()).not.toMatch(/\d:\d\d s/);
    expect(await captains[0]!.page.locator('main').innerText()).toContain('Reserve: 2:10 per team');
  });

  it(
    'UI25 a captain drafts with the keyboard: Enter or Space chooses, focus moves to Lock in, Enter locks in; Cancel goes back to the tile',
    { timeout: 60_000 },
    async () => {
      // Step 0: team A (first pick) bans. Search, then Tab past the attribute filters to the one tile left.
      const a = captains[0]!.page;
      expect(await onTurn(a)).toBe('0');
      await a.getByTestId('hero-search').focus();
      await a.keyboard.type('Keeper of');
      for (let i = 0; i < 6; i++) await a.keyboard.press('Tab');
      expect(await a.evaluate('document.activeElement.dataset.heroId')).toBe(String(idOf('Keeper of the Light')));
      await a.keyboard.press('Enter');
      expect(await a.evaluate('document.activeElement.dataset.testid')).toBe('lock-in');
      // Cancel (Tab, Enter) puts focus back on the tile; Space chooses it again.
      await a.keyboard.press('Tab');
      await a.keyboard.press('Enter');
      await a.getByTestId('confirm').waitFor({ state: 'detached' });
      expect(await a.evaluate('document.activeElement.dataset.heroId')).toBe(String(idOf('Keeper of the Light')));
      await a.keyboard.press('Space');
      expect(await a.evaluate('document.activeElement.dataset.testid')).toBe('lock-in');
      await a.keyboard.press('Enter');
      await expect.poll(() => onTurn(a)).toBe('1');
      // Back to the search field for the next turn, once the hub has answered (the room's event may come first).
      await expect.poll(() => a.evaluate('document.activeElement.dataset.testid')).toBe('hero-search');

      // Steps 1 (team A again) and 2 (team B): Space chooses, Enter locks in.
      for (const [step, hero] of [
        [1, 'Anti-Mage'],
        [2, 'Outworld Devourer'],
      ] as const) {
        const team = Number(await a.getByTestId('turn').getAttribute('data-team'));
        expect(team).toBe(step === 1 ? 0 : 1);
        const page = captains[team]!.page;
        await page.getByTestId('hero-search').fill('');
        const tile = page.locator(`[data-testid=hero-grid] [data-hero-id="${idOf(hero)}"]`);
        await expect.poll(() => tile.isEnabled()).toBe(true);
        await tile.focus();
        await page.keyboard.press('Space');
        expect(await page.evaluate('document.activeElement.dataset.testid')).toBe('lock-in');
        await page.keyboard.press('Enter');
        await expect.poll(() => onTurn(a)).toBe(String(step + 1));
      }
    },
  );

  it(
    'UI22 a banned hero is marked: grey portrait, a struck-through tile and "(banned)" in its name; picked heroes say so too',
    { timeout: 30_000 },
    async () => {
      const page = captains[1]!.page;
      const keeper = idOf('Keeper of the Light');
      await expect.poll(() => page.locator(`[data-testid=hero-grid] [data-hero-id="${keeper}"]`).getAttribute('data-state')).toBe('banned');
      const tile = page.getByRole('button', { name: 'Keeper of the Light (banned)' });
      expect(await tile.isDisabled()).toBe(true);
      const mark = (await page.evaluate(
        `getComputedStyle(document.querySelector('[data-testid=hero-grid] [data-hero-id="${keeper}"] .tile'), '::after').backgroundImage`,
      )) as string;
      expect(mark).toMatch(/linear-gradient/);
      // The team panels' bans are marked the same way, and their long names fit the small tiles.
      expect(await page.getByTestId('bans-0').getByTitle('Keeper of the Light (banned)').count()).toBe(1);
      expect(await page.getByTestId('bans-1').innerText()).toContain('Outworld Devourer');
      for (const s of await tiles(page, '[data-testid^=bans-] [data-hero]')) expect(s.fits, `${s.text} inside its ban tile: ${s.boxes}`).toBe(true);
      // Steps 3-6 are bans, step 7 the first pick (7.40), played with the mouse.
      for (const [i, hero] of ['Axe', 'Lina', 'Lion', 'Sniper', 'Pudge'].entries()) {
        const step = i + 3;
        const team = Number(await page.getByTestId('turn').getAttribute('data-team'));
        const c = captains[team]!.page;
        await c.getByTestId('hero-search').fill(hero);
        await c.locator(`[data-testid=hero-grid] [data-hero-id="${idOf(hero)}"]`).click();
        await c.getByTestId('lock-in').click();
        await expect.poll(() => onTurn(page)).toBe(String(step + 1));
      }
      await page.getByTestId('hero-search').fill('Pudge');
      expect(await page.getByRole('button', { name: 'Pudge (picked)' }).isDisabled()).toBe(true);
    },
  );

  it(
    "UI24 no Svelte warning (derived_inert or any other) on the captains' pages, also when a portrait fails after its tile is gone",
    { timeout: 30_000 },
    async () => {
      // Step 8 is B's pick, step 9 A's ban: A chooses, cancels, chooses again and locks in before either portrait has failed.
      const a = captains[0]!.page;
      const act = async (page: Page, hero: string) => {
        await page.getByTestId('hero-search').fill(hero);
        await page.locator(`[data-testid=hero-grid] [data-hero-id="${idOf(hero)}"]`).click();
      };
      await act(captains[1]!.page, 'Lich');
      await captains[1]!.page.getByTestId('lock-in').click();
      await expect.poll(() => onTurn(a)).toBe('9');
      await act(a, 'Tiny');
      await a.getByTestId('confirm').getByRole('button', { name: 'Cancel' }).click();
      await act(a, 'Mirana');
      await a.getByTestId('lock-in').click();
      await expect.poll(() => onTurn(a)).toBe('10');
      await a.waitForTimeout(FAIL_AFTER_MS * 2);
      expect(warnings).toEqual([]);
      for (const c of captains) expect(c.errors).toEqual([]);
    },
  );
});
