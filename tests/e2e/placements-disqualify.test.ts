import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import type { HttpClient } from '../support/http';
import { startHub, type TestHub } from '../support/hub';
import { ensureClientBuilt, openBrowser, removeProfiles, type TestBrowser } from './browser';

type Client = HttpClient & { userId: number };

const AXE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

/** axe-core's critical and serious WCAG 2.1 A/AA findings on the page as it is now (UI20's bar). */
async function seriousViolations(page: Page): Promise<string[]> {
  await page.addScriptTag({ path: AXE });
  const found = (await page.evaluate(`axe
    .run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] }, resultTypes: ['violations'] })
    .then((r) => r.violations.map((v) => ({ id: v.id, impact: v.impact, targets: v.nodes.map((n) => n.target.join(' ')) })))`)) as {
    id: string;
    impact: string | null;
    targets: string[];
  }[];
  return found.filter((v) => v.impact === 'critical' || v.impact === 'serious').map((v) => `${v.impact} ${v.id} (${v.targets.join(', ')})`);
}

/**
 * Issue 19, two staff actions that had an API but no page: final placements set by hand on the
 * manage page (seen live on the tournament page), and disqualifying a team on the bracket page.
 * The test sets the scene over the API; every action under test is a click or a keystroke.
 */
describe('final placements and disqualification, through the pages', () => {
  let t: TestHub;
  let boss: Client; // site staff
  let helper: Client; // staff of these tournaments only
  let staffBrowser: TestBrowser; // the helper's
  let bossBrowser: TestBrowser;
  let spectator: TestBrowser; // anonymous, on a phone
  let n = 0;

  beforeAll(async () => {
    ensureClientBuilt();
    t = await startHub({ db: 'sqlite' });
    boss = await t.login('pl_boss', 'staff');
    helper = await t.login('pl_helper');
    staffBrowser = await openBrowser(t.url, { cookies: helper.cookieHeader(), bypassCSP: true });
    bossBrowser = await openBrowser(t.url, { cookies: boss.cookieHeader() });
    spectator = await openBrowser(t.url, { viewport: { width: 390, height: 844 }, bypassCSP: true });
  }, 120_000);

  afterAll(async () => {
    for (const b of [staffBrowser, bossBrowser, spectator]) await b?.context.close();
    await t?.close();
    removeProfiles();
  });

  /** A tournament with the helper on its staff and `names` as teams, moved to `state`. */
  async function tournament(names: string[], state: 'playing' | 'drafting' = 'playing') {
    n += 1;
    const created = await boss.post('/api/tournaments', { name: `Placement Night ${n}`, startsAt: '2030-12-01T18:00:00Z' });
    expect(created.status, created.text).toBe(201);
    const id = created.body.id as number;
    expect((await boss.post(`/api/tournaments/${id}/staff`, { userId: helper.userId })).status).toBe(201);
    const teams = new Map<string, number>();
    for (const [i, name] of names.entries()) {
      const captain = await t.login(`pl${n}_cap${i}`);
      expect((await boss.post(`/api/tournaments/${id}/players`, { userId: captain.userId, mmr: 3000 + i })).status).toBe(201);
      const team = await boss.post(`/api/tournaments/${id}/teams`, { captainUserId: captain.userId, name });
      expect(team.status, team.text).toBe(201);
      teams.set(name, team.body.id as number);
    }
    const steps = ['registration', 'drafting', 'playing'];
    for (const s of steps.slice(0, steps.indexOf(state) + 1)) expect((await boss.patch(`/api/tournaments/${id}`, { state: s })).status).toBe(200);
    return { id, teams };
  }
  const detail = async (id: number) => (await t.client().get(`/api/tournaments/${id}`)).body;
  const placementsForm = (page: Page) => page.getByRole('form', { name: 'Final placements' });
  const spectatorPlaces = () => spectator.page.locator('section[aria-labelledby="placements-heading"] li');

  it(
    'UI80 staff set final placements on the manage page, a wrong place named at its field; spectators see them live, and clearing removes them',
    { timeout: 90_000 },
    async () => {
      const tour = await tournament(['Team Alpha', 'Team Bravo', 'Team Charlie', 'Team Delta']);
      await spectator.page.goto(`${t.url}/tournaments/${tour.id}`, { waitUntil: 'domcontentloaded' });
      await spectator.page.getByRole('heading', { name: 'Placement Night' }).waitFor();
      // Set on the page, so a reload (which would lose it) is seen.
      await spectator.page.evaluate('window.stayed = true');
      expect(await spectatorPlaces().count()).toBe(0);

      const page = staffBrowser.page;
      await page.goto(`${t.url}/tournaments/${tour.id}/manage`, { waitUntil: 'domcontentloaded' });
      await expect.poll(() => page.getByTestId('placements-source').innerText()).toContain('none yet');
      const form = placementsForm(page);
      await form.getByLabel('Team Charlie', { exact: true }).fill('1');
      await form.getByLabel('Team Alpha', { exact: true }).fill('1');
      await form.getByLabel('Team Bravo', { exact: true }).fill('2');
      await form.getByRole('button', { name: 'Save placements' }).click();
      await expect.poll(() => form.getByRole('alert').innerText()).toContain('check the places marked below');
      const bravo = form.getByLabel('Team Bravo', { exact: true });
      expect(await bravo.getAttribute('aria-invalid')).toBe('true');
      const bravoError = await bravo.getAttribute('aria-describedby');
      expect(await page.locator(`[id="${bravoError}"]`).innerText()).toContain('2 teams are placed ahead of it, so its place is 3rd, not 2nd');
      expect((await detail(tour.id)).placements.source).toBe('none'); // nothing was sent
      expect(await seriousViolations(page)).toEqual([]);

      await bravo.fill('3');
      await form.getByLabel('Team Delta', { exact: true }).fill('4');
      await form.getByRole('button', { name: 'Save placements' }).click();
      await expect.poll(() => form.getByRole('status').innerText()).toContain('Placements saved');
      await expect.poll(() => page.getByTestId('placements-source').innerText()).toContain('set by staff (pl_helper)');
      const saved = (await detail(tour.id)).placements;
      expect(saved.source).toBe('staff');
      expect(saved.items.map((p: { team: { name: string }; place: number }) => `${p.place} ${p.team.name}`)).toEqual([
        '1 Team Alpha',
        '1 Team Charlie',
        '3 Team Bravo',
        '4 Team Delta',
      ]);

      // The spectator's page follows without a reload.
      await expect
        .poll(async () => (await spectatorPlaces().allTextContents()).map((text) => text.replace(/\s+/g, ' ').trim()), { timeout: 15_000 })
        .toEqual(['1st Team Alpha', '1st Team Charlie', '3rd Team Bravo', '4th Team Delta']);
      expect(await spectator.page.locator('section[aria-labelledby="placements-heading"]').innerText()).toContain('Set by the tournament staff (pl_helper)');
      expect(await seriousViolations(spectator.page)).toEqual([]);

      await form.getByRole('button', { name: 'Clear placements set by staff' }).click();
      await expect.poll(() => page.getByTestId('placements-source').innerText()).toContain('none yet');
      await expect.poll(() => spectatorPlaces().count(), { timeout: 15_000 }).toBe(0);
      expect((await detail(tour.id)).placements.source).toBe('none');
      expect(await spectator.page.evaluate('window.stayed')).toBe(true);
      expect(staffBrowser.errors).toEqual([]);
      expect(spectator.errors).toEqual([]);
    },
  );

  it(
    'UI81 before play the manage page says placements wait for it; a tournament moved back after the page was read gets the 409 explained',
    { timeout: 60_000 },
    async () => {
      const early = await tournament(['Team Echo', 'Team Foxtrot'], 'drafting');
      const page = staffBrowser.page;
      await page.goto(`${t.url}/tournaments/${early.id}/manage`, { waitUntil: 'domcontentloaded' });
      await expect.poll(() => page.getByTestId('placements-closed').innerText()).toContain("once the tournament is playing (it is 'drafting')");
      expect(await placementsForm(page).count()).toBe(0);

      const tour = await tournament(['Team Golf', 'Team Hotel']);
      await page.goto(`${t.url}/tournaments/${tour.id}/manage`, { waitUntil: 'domcontentloaded' });
      const form = placementsForm(page);
      await form.getByLabel('Team Hotel', { exact: true }).fill('1');
      // Another staff member moves it back to 'drafting' meanwhile.
      expect((await boss.patch(`/api/tournaments/${tour.id}`, { state: 'drafting' })).status).toBe(200);
      await form.getByRole('button', { name: 'Save placements' }).click();
      const alert = page.locator('section[aria-labelledby="placements-heading"]').getByRole('alert');
      await expect
        .poll(() => alert.innerText())
        .toMatch(/Not saved: final placements are set once the tournament is playing or finished; it is 'drafting'.*Placements are results/);
      await expect.poll(() => page.getByTestId('placements-closed').count()).toBe(1);
      expect((await detail(tour.id)).placements.source).toBe('none');
      expect(staffBrowser.errors).toEqual([]);
    },
  );

  /** A tournament with a single-elimination stage of four teams (U1.1 Team 1 – Team 4, U1.2 Team 2 – Team 3). */
  async function bracket() {
    const tour = await tournament(['Team 1', 'Team 2', 'Team 3', 'Team 4']);
    const stage = await boss.post(`/api/tournaments/${tour.id}/stages`, { format: 'single_elimination', bestOf: 1 });
    expect(stage.status, stage.text).toBe(201);
    return { ...tour, stageId: stage.body.id as number, stageName: stage.body.name as string };
  }
  const stageOf = async (id: number) => (await t.client().get(`/api/tournaments/${id}/bracket`)).body.stages[0];

  it(
    'UI82 staff disqualify a team on the bracket page only after a confirmation naming it and what happens; Cancel sends nothing',
    { timeout: 60_000 },
    async () => {
      const tour = await bracket();
      const page = staffBrowser.page;
      await page.goto(`${t.url}/tournaments/${tour.id}/bracket`, { waitUntil: 'domcontentloaded' });
      await page.getByText('Disqualify a team').click();
      const choose = page.getByRole('form', { name: `Disqualify a team from ${tour.stageName}` });
      await choose.getByLabel('Team').selectOption({ label: 'Team 1' });
      await choose.getByRole('button', { name: 'Disqualify…' }).click();

      const confirm = page.getByRole('group', { name: `Disqualify Team 1 from ${tour.stageName}?` });
      const text = await confirm.innerText();
      expect(text).toContain('Team 1 forfeits every series of this stage it has not played: each goes to its opponent');
      expect(text).toContain('Series it already played keep their results');
      expect(text).toContain('Forfeited now: U1.1 against Team 4');
      // Focus goes to the question, so a screen reader reads it first.
      expect(await page.evaluate('document.activeElement?.textContent')).toContain('Disqualify Team 1');
      expect(await seriousViolations(page)).toEqual([]);
      await confirm.getByRole('button', { name: 'Cancel' }).click();
      expect((await stageOf(tour.id)).disqualified).toEqual([]);

      await choose.getByLabel('Team').selectOption({ label: 'Team 1' });
      await choose.getByRole('button', { name: 'Disqualify…' }).click();
      await confirm.getByRole('button', { name: 'Disqualify Team 1' }).click();
      await expect
        .poll(() => page.getByRole('status').filter({ hasText: 'is disqualified' }).innerText())
        .toContain(`Team 1 is disqualified from ${tour.stageName}: its remaining series are forfeited to their opponents.`);
      const stage = await stageOf(tour.id);
      expect(stage.disqualified).toEqual([tour.teams.get('Team 1')]);
      const u11 = stage.matches.find((m: { key: string }) => m.key === 'U1.1');
      expect(u11).toMatchObject({ status: 'done', forfeit: 'a', winner: 'b' });
      await expect.poll(() => page.getByTestId('disqualified').innerText()).toBe('Disqualified: Team 1');
      // Team 1 is no longer offered.
      expect(await choose.getByLabel('Team').locator('option').allInnerTexts()).toEqual(['Choose a team…', 'Team 2', 'Team 3', 'Team 4']);
      expect(staffBrowser.errors).toEqual([]);
    },
  );

  it(
    'UI83 a team disqualified by another staff member while the question was open: the 409 is explained and nothing changes',
    { timeout: 60_000 },
    async () => {
      const tour = await bracket();
      const url = `${t.url}/tournaments/${tour.id}/bracket`;
      await bossBrowser.page.goto(url, { waitUntil: 'domcontentloaded' });
      await staffBrowser.page.goto(url, { waitUntil: 'domcontentloaded' });

      const ask = async (page: Page) => {
        await page.getByText('Disqualify a team').click();
        const choose = page.getByRole('form', { name: `Disqualify a team from ${tour.stageName}` });
        await choose.getByLabel('Team').selectOption({ label: 'Team 2' });
        await choose.getByRole('button', { name: 'Disqualify…' }).click();
        return page.getByRole('group', { name: `Disqualify Team 2 from ${tour.stageName}?` });
      };
      const late = await ask(bossBrowser.page);
      const first = await ask(staffBrowser.page);
      await first.getByRole('button', { name: 'Disqualify Team 2' }).click();
      await expect.poll(async () => (await stageOf(tour.id)).disqualified).toEqual([tour.teams.get('Team 2')]);

      await late.getByRole('button', { name: 'Disqualify Team 2' }).click();
      await expect
        .poll(() => bossBrowser.page.getByRole('alert').filter({ hasText: 'Nothing changed' }).innerText())
        .toContain(`Nothing changed: Team 2 was already disqualified from ${tour.stageName}`);
      expect(await bossBrowser.page.getByRole('alert').filter({ hasText: 'Nothing changed' }).innerText()).toContain(
        'perhaps by another staff member just now',
      );
      expect((await stageOf(tour.id)).disqualified).toEqual([tour.teams.get('Team 2')]);
      expect(bossBrowser.errors).toEqual([]);
      expect(staffBrowser.errors).toEqual([]);
    },
  );
});
