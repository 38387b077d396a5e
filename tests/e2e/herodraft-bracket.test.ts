import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { heroes } from '../../server/herodraft/heroes';
import type { HttpClient } from '../support/http';
import { startHub, type TestHub } from '../support/hub';
import { heroIdsSorted, type HeroDraftSetup, startDrafting, teamAWinsTheToss } from '../herodraft/fixtures';
import { ensureClientBuilt, openBrowser, removeProfiles, type TestBrowser } from './browser';

/**
 * Hero drafts on the bracket page (issue 5 item 6): a logged-out spectator on a phone opens a
 * series and, without reloading, sees its game 1 draft go from live (a link to the draft page)
 * to finished (picks and bans per team with hero names, sides), then a draft staff start for
 * game 2 from their own bracket page.
 */

describe('hero drafts on the bracket page', () => {
  let t: TestHub;
  let api: HttpClient & { userId: number };
  let staff: TestBrowser;
  let spectator: TestBrowser;
  let tournamentId = 0;
  let seriesKey = '';
  let game1 = 0;
  const captains: (HttpClient & { userId: number })[] = [];
  const teamIds: number[] = [];
  const teamNames = ['Ancient Apparitions', 'Roshan Robbers'];
  const heroIds = heroIdsSorted();
  const nameOf = (id: number) => heroes().find((h) => h.id === id)!.localizedName;

  beforeAll(async () => {
    ensureClientBuilt();
    t = await startHub({ db: 'sqlite', random: teamAWinsTheToss() });
    api = await t.login('hdb_organiser', 'staff');
    const created = await api.post('/api/tournaments', { name: 'DTX CM Playoffs', startsAt: '2030-12-01T18:00:00Z' });
    tournamentId = created.body.id;
    for (const [i, name] of teamNames.entries()) {
      const captain = await t.login(`hdb_captain${i}`);
      captains.push(captain);
      await api.post(`/api/tournaments/${tournamentId}/players`, { userId: captain.userId, mmr: 3000 + i });
      const team = await api.post(`/api/tournaments/${tournamentId}/teams`, { captainUserId: captain.userId, name });
      expect(team.status, team.text).toBe(201);
      teamIds.push(team.body.id);
    }
    const stage = await api.post(`/api/tournaments/${tournamentId}/stages`, { format: 'single_elimination', teamIds, bestOf: 3 });
    expect(stage.status, stage.text).toBe(201);
    const series = stage.body.matches[0];
    seriesKey = series.key;
    // Game 1's draft: the default 24-step Captains Mode order.
    const draft = await api.post(`/api/tournaments/${tournamentId}/herodrafts`, {
      teamAId: teamIds[0],
      teamBId: teamIds[1],
      bracketMatchId: series.id,
      gameNumber: 1,
    });
    expect(draft.status, draft.text).toBe(201);
    game1 = draft.body.id;
    // Hermetic browsers: the hero image CDN is out of reach, so text tiles (hero names) carry the page.
    spectator = await openBrowser(t.url, { viewport: { width: 375, height: 800 } });
    staff = await openBrowser(t.url, { cookies: api.cookieHeader() });
  }, 120_000);

  afterAll(async () => {
    for (const b of [spectator, staff]) await b?.context.close();
    await t?.close();
    removeProfiles();
  });

  const card = (page: Page) => page.locator(`article[aria-label="Series ${seriesKey}"]`);

  it(
    "a spectator sees a series game's hero draft live, then finished with picks and bans per team, then a draft staff start for the next game",
    { timeout: 90_000 },
    async () => {
      await spectator.page.goto(`${t.url}/tournaments/${tournamentId}/bracket`, { waitUntil: 'domcontentloaded' });
      const series = card(spectator.page);
      // While it runs, the card links to the draft page.
      expect(await series.getByRole('link', { name: 'Hero draft live (game 1)' }).getAttribute('href')).toBe(`/herodrafts/${game1}`);
      await series.getByRole('button', { name: 'Hero drafts (1)' }).click();
      const game = (n: number) => series.locator(`li[data-game="${n}"]`);
      expect(await game(1).getByRole('link', { name: 'Hero draft live: watch' }).getAttribute('href')).toBe(`/herodrafts/${game1}`);
      expect(await series.getByRole('button', { name: /^Start hero draft/ }).count()).toBe(0);

      // The captains draft to the end (REST); the spectator's open series follows without a reload.
      const s: HeroDraftSetup = {
        id: game1,
        tournamentId,
        room: `herodraft:${game1}`,
        base: `/api/herodrafts/${game1}`,
        captains: [captains[0]!, captains[1]!],
        teamIds: [teamIds[0]!, teamIds[1]!],
      };
      let v = await startDrafting(s);
      for (let i = 0; i < 24; i++) {
        const res = await s.captains[v.turn!.team as 0 | 1].post(`${s.base}/steps`, { stepIndex: i, heroId: heroIds[i]! });
        expect(res.status, res.text).toBe(201);
        v = res.body;
      }
      expect(v.status).toBe('completed');
      const draft = game(1).locator('[data-testid="series-draft"][data-status="completed"]');
      await draft.waitFor();
      // Each team's 5 picks and 7 bans by hero name; team A took first pick, team B Radiant.
      const picks = (team: string) => draft.getByRole('list', { name: `${team} picks` });
      const bans = (team: string) => draft.getByRole('list', { name: `${team} bans` });
      for (const [i, team] of v.teams.entries()) {
        const name = teamNames[i]!;
        await expect.poll(() => picks(name).locator('li').count()).toBe(5);
        expect(await bans(name).locator('li').count()).toBe(7);
        // Polled: the tiles can render before their text is laid out (innerText reads what is shown).
        await expect.poll(() => picks(name).innerText()).toContain(nameOf(team.picks[4]!));
        await expect.poll(() => bans(name).innerText()).toContain(nameOf(team.bans[0]!));
      }
      expect(await draft.locator('.team.dire').innerText()).toContain(teamNames[0]);
      expect(await draft.locator('.team.radiant').innerText()).toContain(teamNames[1]);
      expect(await draft.locator('img').count()).toBe(0); // text tiles
      expect(await draft.getByRole('link', { name: 'Hero draft' }).getAttribute('href')).toBe(`/herodrafts/${game1}`);
      // The hero-draft page leads back to its bracket and tournament.
      const heroPage = await openBrowser(t.url);
      await heroPage.page.goto(`${t.url}/herodrafts/${game1}`, { waitUntil: 'domcontentloaded' });
      const links = heroPage.page.getByRole('navigation', { name: "This draft's tournament" });
      expect(await links.getByRole('link', { name: 'Bracket' }).getAttribute('href')).toBe(`/tournaments/${tournamentId}/bracket`);
      expect(await links.getByRole('link', { name: 'Tournament' }).getAttribute('href')).toBe(`/tournaments/${tournamentId}`);
      await heroPage.context.close();
      expect(await series.getByRole('link', { name: /^Hero draft live/ }).count()).toBe(0);

      // Staff start game 2's draft from their bracket page; it shows up live for the spectator.
      await staff.page.goto(`${t.url}/tournaments/${tournamentId}/bracket`, { waitUntil: 'domcontentloaded' });
      await card(staff.page).getByRole('button', { name: 'Hero drafts (1)' }).click();
      await card(staff.page).getByRole('button', { name: 'Start hero draft for game 2' }).click();
      await card(staff.page).locator('li[data-game="2"]').getByRole('link', { name: 'Hero draft live: watch' }).waitFor();
      await game(2).getByRole('link', { name: 'Hero draft live: watch' }).waitFor();
      const list = await t.client().get(`/api/tournaments/${tournamentId}/herodrafts`);
      expect(list.body.items.map((d: { gameNumber: number; status: string }) => [d.gameNumber, d.status])).toEqual([
        [1, 'completed'],
        [2, 'waiting'],
      ]);

      // Phone-sized: the page never scrolls sideways.
      expect(await spectator.page.evaluate('document.documentElement.scrollWidth <= window.innerWidth')).toBe(true);

      // The tournament page links the tournament's hero drafts; the finished one shows its result there too.
      await spectator.page.goto(`${t.url}/tournaments/${tournamentId}`, { waitUntil: 'domcontentloaded' });
      await spectator.page.getByRole('link', { name: 'Hero drafts' }).click();
      await spectator.page.getByRole('heading', { name: 'DTX CM Playoffs: hero drafts' }).waitFor();
      await expect
        .poll(() =>
          spectator.page
            .getByRole('list', { name: `${teamNames[0]} picks` })
            .locator('li')
            .count(),
        )
        .toBe(5);
      expect(await spectator.page.getByText('game 2 of a bracket series').count()).toBe(1);
      expect(await spectator.page.evaluate('document.documentElement.scrollWidth <= window.innerWidth')).toBe(true);
      expect(spectator.errors).toEqual([]);
      expect(staff.errors).toEqual([]);
    },
  );
});
