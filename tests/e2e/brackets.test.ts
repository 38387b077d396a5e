import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import type { HttpClient } from '../support/http';
import { startHub, type TestHub } from '../support/hub';
import { cookieJar, ensureClientBuilt, openBrowser, removeProfiles, type TestBrowser } from './browser';

/**
 * Brackets in a real browser: staff generate an 8-team double-elimination bracket and report
 * every series through to the grand-final reset; a spectator's page (phone-sized, never
 * reloaded) shows every step live.
 */

describe('brackets in a browser', () => {
  let t: TestHub;
  let api: HttpClient & { userId: number };
  let staff: TestBrowser;
  let spectator: TestBrowser;
  let tournamentId = 0;
  const captains: (HttpClient & { userId: number })[] = [];
  const teamIds: number[] = [];

  beforeAll(async () => {
    ensureClientBuilt();
    t = await startHub({ db: 'sqlite' });
    api = await t.login('organiser', 'staff');
    const created = await api.post('/api/tournaments', { name: 'DTX Winter Playoffs', startsAt: '2030-12-01T18:00:00Z' });
    tournamentId = created.body.id;
    for (let i = 1; i <= 8; i++) {
      const captain = await t.login(`captain${i}`);
      captains.push(captain);
      await api.post(`/api/tournaments/${tournamentId}/players`, { userId: captain.userId, mmr: 1000 * i });
      const team = await api.post(`/api/tournaments/${tournamentId}/teams`, { captainUserId: captain.userId, name: `Team ${i}` });
      expect(team.status, team.text).toBe(201);
      teamIds.push(team.body.id);
    }
    staff = await openBrowser(t.url, { viewport: { width: 1280, height: 900 }, cookies: api.cookieHeader() });
    spectator = await openBrowser(t.url, { viewport: { width: 390, height: 844 } });
  }, 120_000);

  afterAll(async () => {
    await staff?.context.close();
    await spectator?.context.close();
    await t?.close();
    removeProfiles();
  });

  const series = (page: Page, key: string) => page.locator(`article[aria-label="Series ${key}"]`);

  it('staff generate an 8-team double-elimination bracket; the spectator sees it appear', { timeout: 60_000 }, async () => {
    await spectator.page.goto(`${t.url}/tournaments/${tournamentId}`, { waitUntil: 'domcontentloaded' });
    await spectator.page.getByRole('link', { name: 'Bracket' }).click();
    await spectator.page.getByText('No bracket yet.').waitFor();
    expect(await spectator.page.getByRole('form', { name: 'Generate a stage' }).count()).toBe(0);

    await staff.page.goto(`${t.url}/tournaments/${tournamentId}/bracket`, { waitUntil: 'domcontentloaded' });
    const form = staff.page.getByRole('form', { name: 'Generate a stage' });
    await form.getByLabel('Format').selectOption('double_elimination');
    await form.getByLabel('Seeding').selectOption('ranked');
    await form.getByRole('button', { name: 'Generate stage' }).click();

    // Live on the spectator's page: standard order 1v8, 4v5, 2v7, 3v6.
    await series(spectator.page, 'U1.1').waitFor();
    await expect.poll(() => series(spectator.page, 'U1.1').innerText()).toMatch(/Team 1[\s\S]*Team 8/);
    await expect.poll(() => series(spectator.page, 'U1.2').innerText()).toMatch(/Team 4[\s\S]*Team 5/);
    expect(await spectator.page.getByRole('region', { name: 'Lower bracket' }).count()).toBe(1);
    expect(await spectator.page.getByRole('region', { name: 'Grand final' }).count()).toBe(1);
    expect(await series(spectator.page, 'U1.1').getAttribute('class')).toMatch(/current/);
    await expect.poll(() => spectator.page.getByRole('region', { name: 'Now playing' }).innerText()).toMatch(/U1\.1 Team 1 vs Team 8/);
  });

  it('staff report every series to the grand-final reset; every step reaches the spectator live', { timeout: 120_000 }, async () => {
    const played: string[] = [];
    for (let step = 0; step < 20; step++) {
      const ready = staff.page.locator('article[data-status="ready"]');
      if ((await ready.count()) === 0) break;
      const card = ready.first();
      const key = (await card.getAttribute('aria-label'))!.replace('Series ', '');
      // The upper-bracket side wins, except the first grand final: the lower-bracket team takes it, forcing the reset.
      const side = key === 'GF1' ? 1 : 0;
      const button = card.getByRole('button', { name: / wins$/ }).nth(side);
      const winner = (await button.innerText()).replace(/ wins$/, '');
      if (key === 'GF2') {
        // The last series game by game: winner, sides and the Steam match.
        await card.getByRole('button', { name: 'Enter games (sides, Steam ids)' }).click();
        const games = card.getByRole('form', { name: 'Games of GF2' });
        await games.getByLabel('Winner').selectOption('a');
        await games.getByLabel('Radiant').selectOption('b');
        await games.getByLabel('Steam match id').fill('7000000042');
        await games.getByRole('button', { name: 'Report games' }).click();
      } else {
        await button.click();
      }
      // Both pages move on without a reload: the series is done and the winner is marked.
      for (const page of [staff.page, spectator.page]) {
        await series(page, key).and(page.locator('[data-status="done"]')).waitFor();
        expect(await series(page, key).locator('.side.winner .name').innerText()).toBe(winner);
      }
      played.push(key);
    }
    expect(played).toHaveLength(15);
    expect(played.slice(-2)).toEqual(['GF1', 'GF2']);
    // The reset was played: its winner is the champion.
    const placements = spectator.page.getByRole('region', { name: 'Placements' });
    await placements.waitFor();
    const gf2Winner = await series(spectator.page, 'GF2').locator('.side.winner .name').innerText();
    expect(await placements.locator('li').first().innerText()).toBe(`1. ${gf2Winner}`);
    expect(await placements.locator('li').count()).toBe(8);
    // Clicking the series shows its games with the linked Steam match.
    await series(spectator.page, 'GF2').getByRole('button', { name: 'Games (1)' }).click();
    await expect.poll(() => series(spectator.page, 'GF2').locator('.games').innerText()).toMatch(new RegExp(`Game 1: ${gf2Winner} won, .+ Radiant`));
    expect(await series(spectator.page, 'GF2').getByRole('link', { name: 'match 7000000042' }).getAttribute('href')).toBe('/match/7000000042');
    expect(await series(spectator.page, 'GF2').getByRole('link', { name: 'OpenDota' }).getAttribute('href')).toBe(
      'https://www.opendota.com/matches/7000000042',
    );
    await spectator.page.getByText('finished').first().waitFor();
    // Phone-sized: the bracket scrolls inside its box, the page never sideways.
    expect(await spectator.page.evaluate('document.documentElement.scrollWidth <= window.innerWidth')).toBe(true);
    expect(spectator.errors).toEqual([]);
    expect(staff.errors).toEqual([]);
  });

  it('the stream view shows the bracket without the site header or any control', { timeout: 60_000 }, async () => {
    await staff.page.goto(`${t.url}/tournaments/${tournamentId}/bracket?stream`, { waitUntil: 'domcontentloaded' });
    await series(staff.page, 'GF2').waitFor();
    expect(await staff.page.locator('header.site').isVisible()).toBe(false);
    expect(await staff.page.getByRole('form', { name: 'Generate a stage' }).count()).toBe(0);
    expect(await staff.page.getByRole('button', { name: /^Correct/ }).count()).toBe(0);
  });

  it('a captain reports their series and the other captain confirms it in the browser', { timeout: 60_000 }, async () => {
    const created = await api.post(`/api/tournaments/${tournamentId}/stages`, {
      format: 'single_elimination',
      name: 'Showmatch',
      teamIds: [teamIds[0], teamIds[7]],
      captainReports: true,
    });
    expect(created.status, created.text).toBe(201);
    // The staff browser becomes Team 1's captain, the spectator's becomes Team 8's captain.
    const as = async (who: typeof staff, client: HttpClient) => {
      await who.context.clearCookies();
      await who.context.addCookies(cookieJar(client.cookieHeader(), t.url));
      await who.page.goto(`${t.url}/tournaments/${tournamentId}/bracket`, { waitUntil: 'domcontentloaded' });
      return who.page.getByRole('region', { name: 'Showmatch' }).locator('article[aria-label="Series U1.1"]');
    };
    const first = await as(staff, captains[0]!);
    const other = await as(spectator, captains[7]!);
    await first.getByRole('button', { name: 'Team 1 won' }).click();
    await other.getByText("Team 1's captain reported 1–0: awaiting confirmation").waitFor();
    await other.getByRole('button', { name: 'Confirm result' }).click();
    for (const card of [first, other]) {
      await card.and(card.page().locator('[data-status="done"]')).waitFor();
      expect(await card.locator('.side.winner .name').innerText()).toBe('Team 1');
    }
  });
});
