import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import type { DraftView } from '../../shared/schemas/draft';
import { startHub, type TestHub } from '../support/hub';
import { ensureClientBuilt, openBrowser, removeProfiles, type TestBrowser } from './browser';

/**
 * The player draft in real browsers: two captains (each in their own browser) and a
 * logged-out spectator draft a 2-team tournament with 4 players in the pool (snake, teams
 * of 3) to completion. Every screen follows every pick without a reload; a captain reloads
 * mid-draft and lands back in the same state; the spectator ends with the final rosters.
 */

/** The names on one team's roster, as the page shows them (captain first). */
async function roster(page: Page, teamId: number): Promise<string[]> {
  const names = await page.getByTestId(`roster-${teamId}`).getByTestId('member').locator('.name').allInnerTexts();
  // The name comes first; badges (captain, presence, pick number) follow it. Test names have no spaces.
  return names.map((n) => n.trim().split(/\s+/)[0]!);
}

/** Waits until the page shows exactly these rosters. */
async function untilRosters(page: Page, expected: Map<number, string[]>) {
  for (const [teamId, names] of expected) {
    await expect.poll(() => roster(page, teamId), { timeout: 10_000 }).toEqual(names);
  }
}

describe('the player draft in a browser', () => {
  let t: TestHub;
  let base = '';
  const teamIds: number[] = [];
  const names = { capA: 'cap_alpha', capB: 'cap_bravo', players: ['p_one', 'p_two', 'p_three', 'p_four'] };
  let captainA: TestBrowser;
  let captainB: TestBrowser;
  let spectator: TestBrowser;
  let pageUrl = '';

  beforeAll(async () => {
    ensureClientBuilt();
    t = await startHub({ db: 'sqlite' });
    const staff = await t.login('draftorganiser', 'staff');
    const created = await staff.post('/api/tournaments', { name: 'DTX Draft Night', startsAt: '2030-12-01T18:00:00Z' });
    const id = created.body.id as number;
    base = `/api/tournaments/${id}/draft`;
    const capA = await t.login(names.capA);
    const capB = await t.login(names.capB);
    for (const [i, c] of [capA, capB].entries()) {
      expect((await staff.post(`/api/tournaments/${id}/players`, { userId: c.userId, mmr: 4000 + i })).status).toBe(201);
    }
    for (const [i, name] of names.players.entries()) {
      const player = await t.login(name);
      expect((await staff.post(`/api/tournaments/${id}/players`, { userId: player.userId, mmr: 6000 - i * 500 })).status).toBe(201);
    }
    for (const [c, name] of [
      [capA, 'Alpha Squad'],
      [capB, 'Bravo Squad'],
    ] as const) {
      const team = await staff.post(`/api/tournaments/${id}/teams`, { captainUserId: c.userId, name });
      expect(team.status, team.text).toBe(201);
      teamIds.push(team.body.id);
    }
    expect((await staff.patch(base, { style: 'snake', teamSize: 3, pickSeconds: null })).status).toBe(200);
    expect((await staff.post(`${base}/open`, {})).status).toBe(200);
    expect((await staff.post(`${base}/start`, {})).status).toBe(200);

    pageUrl = `${t.url}/tournaments/${id}/draft`;
    captainA = await openBrowser(t.url, { cookies: capA.cookieHeader() });
    captainB = await openBrowser(t.url, { cookies: capB.cookieHeader() });
    spectator = await openBrowser(t.url, { viewport: { width: 375, height: 800 } });
  }, 120_000);

  afterAll(async () => {
    for (const b of [captainA, captainB, spectator]) await b?.context.close();
    await t?.close();
    removeProfiles();
  });

  /** The captain on turn picks `player` through the pool's Pick button and the confirmation. */
  async function pick(browser: TestBrowser, player: string) {
    const { page } = browser;
    await page.getByTestId('your-turn').waitFor();
    await page.getByRole('button', { name: `Pick ${player}`, exact: true }).click();
    const dialog = page.getByRole('dialog', { name: 'Confirm pick' });
    await dialog.getByText(player).waitFor();
    await dialog.getByRole('button', { name: 'Confirm pick' }).click();
    await dialog.waitFor({ state: 'detached' });
  }

  it(
    'UI27 two captains and a spectator draft to completion, each seeing every pick live (one pick with the keyboard); a reload mid-draft lands in the same state',
    { timeout: 120_000 },
    async () => {
      const [alpha, bravo] = teamIds as [number, number];
      for (const b of [captainA, captainB, spectator]) {
        await b.page.goto(pageUrl, { waitUntil: 'domcontentloaded' });
        await b.page.getByTestId('whose-turn').getByText('Alpha Squad').waitFor();
        await b.page.getByText('Live', { exact: true }).waitFor();
      }
      // Only the captain on turn gets pick buttons; nobody else, logged in or not.
      await captainA.page.getByRole('button', { name: `Pick ${names.players[0]}`, exact: true }).waitFor();
      expect(await captainB.page.getByRole('button', { name: /^Pick / }).count()).toBe(0);
      expect(await spectator.page.getByRole('button', { name: /^Pick / }).count()).toBe(0);
      expect(await spectator.page.getByRole('button', { name: /Start draft|Pause|Undo/ }).count()).toBe(0);

      // Pick 1 (Alpha): a cancelled confirmation picks nobody.
      await captainA.page.getByRole('button', { name: `Pick ${names.players[0]}`, exact: true }).click();
      await captainA.page.getByRole('dialog', { name: 'Confirm pick' }).getByRole('button', { name: 'Cancel' }).click();
      expect(((await t.client().get(base)).body as DraftView).picks).toHaveLength(0);
      await pick(captainA, names.players[0]!);
      const afterOne = new Map([
        [alpha, [names.capA, names.players[0]!]],
        [bravo, [names.capB]],
      ]);
      for (const b of [captainA, captainB, spectator]) await untilRosters(b.page, afterOne);
      await captainB.page.getByTestId('your-turn').waitFor();
      expect(await captainA.page.getByRole('button', { name: /^Pick / }).count()).toBe(0);

      // Pick 2 (Bravo), then Bravo reloads mid-draft: same rosters, still Bravo's turn (snake: pick 3).
      await pick(captainB, names.players[2]!);
      const afterTwo = new Map([
        [alpha, [names.capA, names.players[0]!]],
        [bravo, [names.capB, names.players[2]!]],
      ]);
      for (const b of [captainA, spectator]) await untilRosters(b.page, afterTwo);
      await captainB.page.reload({ waitUntil: 'domcontentloaded' });
      await untilRosters(captainB.page, afterTwo);
      await captainB.page.getByTestId('whose-turn').getByText('Pick 3').waitFor();
      await captainB.page.getByTestId('your-turn').waitFor();
      await captainB.page.getByTestId('history-2').getByText(names.players[2]!).waitFor();

      // Pick 3 (Bravo) with the keyboard (UI27): Enter on the pick button puts focus on Confirm pick, Enter again picks.
      await captainB.page.getByRole('button', { name: `Pick ${names.players[1]}`, exact: true }).focus();
      await captainB.page.keyboard.press('Enter');
      const confirm = captainB.page.getByRole('dialog', { name: 'Confirm pick' }).getByRole('button', { name: 'Confirm pick' });
      await expect.poll(() => confirm.evaluate((el) => el === el.ownerDocument.activeElement)).toBe(true);
      await captainB.page.keyboard.press('Enter');
      await captainB.page.getByRole('dialog', { name: 'Confirm pick' }).waitFor({ state: 'detached' });
      // Pick 4 (Alpha) completes the draft.
      await pick(captainA, names.players[3]!);
      const final = (await t.client().get(base)).body as DraftView;
      expect(final.status).toBe('completed');
      const expected = new Map(final.teams.map((team) => [team.id, team.members.map((m) => m.user.displayName)]));
      expect(expected.get(alpha)).toEqual([names.capA, names.players[0], names.players[3]]);
      expect(expected.get(bravo)).toEqual([names.capB, names.players[2], names.players[1]]);
      for (const b of [captainA, captainB, spectator]) {
        await b.page.getByText('Draft complete').waitFor();
        await untilRosters(b.page, expected);
        expect(await b.page.getByRole('button', { name: /^Pick / }).count()).toBe(0);
      }
      // The spectator's page on a phone: nothing wider than the screen; history in order.
      expect(await spectator.page.evaluate('document.documentElement.scrollWidth <= window.innerWidth')).toBe(true);
      for (let n = 1; n <= 4; n++) await spectator.page.getByTestId(`history-${n}`).waitFor();
      for (const b of [captainA, captainB, spectator]) expect(b.errors).toEqual([]);
    },
  );
});
