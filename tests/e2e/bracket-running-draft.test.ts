import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import type { HttpClient } from '../support/http';
import { startHub, type TestHub } from '../support/hub';
import { ensureClientBuilt, openBrowser, removeProfiles, type TestBrowser } from './browser';

/**
 * BR9 on the bracket page: a result refused because a hero draft of the series is still running
 * says why (the draft, linked, with its state) and is sent again only when staff or the captain
 * confirm; the draft is then left as it is.
 */
describe('a series result while its hero draft runs, on the bracket page', () => {
  let t: TestHub;
  let api: HttpClient & { userId: number };
  let staff: TestBrowser;
  let captainA: TestBrowser;
  let captainB: TestBrowser;
  let tournamentId = 0;
  const drafts: number[] = [];
  const captains: (HttpClient & { userId: number })[] = [];

  beforeAll(async () => {
    ensureClientBuilt();
    t = await startHub({ db: 'sqlite' });
    api = await t.login('rd_organiser', 'staff');
    tournamentId = (await api.post('/api/tournaments', { name: 'DTX Draft Night', startsAt: '2030-12-01T18:00:00Z' })).body.id;
    const teamIds: number[] = [];
    for (let i = 1; i <= 4; i++) {
      const captain = await t.login(`rd_captain${i}`);
      captains.push(captain);
      await api.post(`/api/tournaments/${tournamentId}/players`, { userId: captain.userId, mmr: 1000 * i });
      teamIds.push((await api.post(`/api/tournaments/${tournamentId}/teams`, { captainUserId: captain.userId, name: `Team ${i}` })).body.id);
    }
    const stage = await api.post(`/api/tournaments/${tournamentId}/stages`, { format: 'single_elimination', bestOf: 1, captainReports: true });
    expect(stage.status, stage.text).toBe(201);
    // U1.1 is Team 1 – Team 4, U1.2 Team 2 – Team 3: each gets a draft that has not started.
    for (const [key, a, b] of [
      ['U1.1', 0, 3],
      ['U1.2', 1, 2],
    ] as const) {
      const series = stage.body.matches.find((m: { key: string }) => m.key === key);
      const draft = await api.post(`/api/tournaments/${tournamentId}/herodrafts`, {
        teamAId: teamIds[a],
        teamBId: teamIds[b],
        bracketMatchId: series.id,
        gameNumber: 1,
      });
      expect(draft.status, draft.text).toBe(201);
      drafts.push(draft.body.id);
    }
    staff = await openBrowser(t.url, { cookies: api.cookieHeader() });
    captainA = await openBrowser(t.url, { cookies: captains[1]!.cookieHeader() });
    captainB = await openBrowser(t.url, { cookies: captains[2]!.cookieHeader() });
  }, 120_000);

  afterAll(async () => {
    for (const b of [staff, captainA, captainB]) await b?.context.close();
    await t?.close();
    removeProfiles();
  });

  const card = (page: Page, key: string) => page.locator(`article[aria-label="Series ${key}"]`);
  const statusOf = async (key: string) =>
    (await t.client().get(`/api/tournaments/${tournamentId}/bracket`)).body.stages[0].matches.find((m: { key: string }) => m.key === key);

  it('BR9 staff are told why and report only once they confirm', { timeout: 60_000 }, async () => {
    await staff.page.goto(`${t.url}/tournaments/${tournamentId}/bracket`, { waitUntil: 'domcontentloaded' });
    const u11 = card(staff.page, 'U1.1');
    await u11.getByRole('button', { name: 'Team 1 wins' }).click();
    const warning = u11.getByRole('alert');
    await expect.poll(() => warning.innerText()).toMatch(/A hero draft of this series is still running: game 1 \(waiting\)\. Finish or abandon it first/);
    expect(await warning.getByRole('link', { name: 'game 1 (waiting)' }).getAttribute('href')).toBe(`/herodrafts/${drafts[0]}`);
    expect((await statusOf('U1.1')).status).toBe('ready');
    await warning.getByRole('button', { name: 'Report anyway' }).click();
    await expect.poll(async () => (await statusOf('U1.1')).status).toBe('done');
    await expect.poll(() => warning.count()).toBe(0);
    expect((await t.client().get(`/api/herodrafts/${drafts[0]}`)).body.status).toBe('waiting');
    expect(staff.errors).toEqual([]);
  });

  it('BR9 captains: the claim and the confirmation each ask first', { timeout: 60_000 }, async () => {
    await captainA.page.goto(`${t.url}/tournaments/${tournamentId}/bracket`, { waitUntil: 'domcontentloaded' });
    const mine = card(captainA.page, 'U1.2');
    await mine.getByRole('button', { name: 'Team 2 won' }).click();
    const warning = mine.getByRole('alert');
    await expect.poll(() => warning.innerText()).toMatch(/Finish it first, or ask staff to abandon it/);
    // Cancel sends nothing.
    await warning.getByRole('button', { name: 'Cancel' }).click();
    expect((await statusOf('U1.2')).claim).toBeNull();
    await mine.getByRole('button', { name: 'Team 2 won' }).click();
    await warning.getByRole('button', { name: 'Report anyway' }).click();
    await expect.poll(async () => (await statusOf('U1.2')).claim?.side).toBe('a');

    await captainB.page.goto(`${t.url}/tournaments/${tournamentId}/bracket`, { waitUntil: 'domcontentloaded' });
    const theirs = card(captainB.page, 'U1.2');
    await theirs.getByRole('button', { name: 'Confirm result' }).click();
    await theirs.getByRole('alert').getByRole('button', { name: 'Confirm anyway' }).click();
    await expect.poll(async () => (await statusOf('U1.2')).status).toBe('done');
    expect(captainA.errors).toEqual([]);
    expect(captainB.errors).toEqual([]);
  });
});
