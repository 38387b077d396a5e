import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildSequence } from '../../server/herodraft/herodraft.rules';
import { heroes } from '../../server/herodraft/heroes';
import { startHub, type TestHub } from '../support/hub';
import { teamAWinsTheToss } from '../herodraft/fixtures';
import { ensureClientBuilt, openBrowser, removeProfiles, type TestBrowser } from './browser';

/**
 * Captains Mode in real browsers: two captains and a spectator go through a whole 24-step
 * draft. Step 0 (a ban) and step 7 (a pick) are given 2 s and no reserve, so they time out:
 * the ban is skipped and the pick is a random hero. Midway, a captain's browser leaves: after
 * the grace period every screen shows the draft paused, and both captains resume it.
 */

describe('Captains Mode hero draft in a browser', () => {
  let t: TestHub;
  let captains: TestBrowser[] = [];
  let spectator: TestBrowser;
  let url = '';

  beforeAll(async () => {
    ensureClientBuilt();
    t = await startHub({
      db: 'sqlite',
      env: { HERODRAFT_GRACE_MS: '1500', HERODRAFT_RESUME_COUNTDOWN_MS: '500', RT_PRESENCE_THROTTLE_MS: '50' },
      random: teamAWinsTheToss(),
    });
    // Team A wins the toss; a random pick takes the lowest id still available.
    const staff = await t.login('cmorganiser', 'staff');
    const created = await staff.post('/api/tournaments', { name: 'DTX CM Night', startsAt: '2030-12-01T18:00:00Z' });
    const tournamentId = created.body.id as number;
    const teamIds: number[] = [];
    const logins = [];
    for (const name of ['Radiant Rascals', 'Dire Wolves']) {
      const captain = await t.login(`cap_${name.split(' ')[1]!.toLowerCase()}`);
      await staff.post(`/api/tournaments/${tournamentId}/players`, { userId: captain.userId, mmr: 5000 });
      const team = await staff.post(`/api/tournaments/${tournamentId}/teams`, { captainUserId: captain.userId, name });
      expect(team.status, team.text).toBe(201);
      teamIds.push(team.body.id);
      logins.push(captain);
    }
    const steps = buildSequence('7.40', { firstBanSeconds: 60, stepSeconds: 60, reserveSeconds: 0 }).steps.map((s, i) => ({
      ...s,
      seconds: i === 0 || i === 7 ? 2 : s.seconds,
    }));
    const draft = await staff.post(`/api/tournaments/${tournamentId}/herodrafts`, { teamAId: teamIds[0], teamBId: teamIds[1], steps, reserveSeconds: 0 });
    expect(draft.status, draft.text).toBe(201);
    url = `${t.url}/herodrafts/${draft.body.id}`;
    captains = [await openBrowser(t.url, { cookies: logins[0]!.cookieHeader() }), await openBrowser(t.url, { cookies: logins[1]!.cookieHeader() })];
    spectator = await openBrowser(t.url);
  }, 120_000);

  afterAll(async () => {
    for (const b of [...captains, spectator]) await b?.context.close();
    await t?.close();
    removeProfiles();
  });

  const status = (page: Page) => page.getByTestId('status').getAttribute('data-status');

  it('two captains and a spectator complete a 24-step draft with a timed-out ban and pick and a disconnect pause', { timeout: 150_000 }, async () => {
    for (const b of [...captains, spectator]) await b.page.goto(url, { waitUntil: 'domcontentloaded' });
    await spectator.page.getByText('Waiting for both captains to ready up').waitFor();
    expect(await spectator.page.getByTestId('ready').count()).toBe(0);
    expect(await spectator.page.getByTestId('staff-controls').count()).toBe(0);

    for (const c of captains) await c.page.getByTestId('ready').click();
    await spectator.page.getByTestId('toss').waitFor();
    expect(await spectator.page.getByTestId('toss').innerText()).toContain('Radiant Rascals');
    await captains[0]!.page.getByRole('button', { name: 'First pick' }).click();
    await captains[1]!.page.getByRole('button', { name: 'Radiant' }).click();
    for (const b of [...captains, spectator]) await expect.poll(() => status(b.page)).toBe('drafting');

    // Text tiles: images cannot load here.
    expect(await spectator.page.locator('[data-testid=hero-grid] img').count()).toBe(0);
    expect(await spectator.page.locator('[data-testid=hero-grid] [data-hero-id]').first().isDisabled()).toBe(true);

    const pool = heroes()
      .map((h) => h.id)
      .sort((a, b) => b - a)
      .filter((id) => id !== 155); // highest first; random picks take the lowest
    const turn = spectator.page.getByTestId('turn');
    for (let step = 0; step < 24; step++) {
      await spectator.page.locator(`[data-testid=turn][data-step="${step}"]`).waitFor({ timeout: 15_000 });
      if (step === 0 || step === 7) {
        // CM5: nobody acts; the step's 2 s pass (no reserve).
        const done = spectator.page.getByTestId(`step-hero-${step}`);
        await done.waitFor({ timeout: 15_000 });
        const text = await done.innerText();
        expect(text).toContain('(time out)');
        if (step === 0) expect(text).toContain('skipped');
        else expect(text).not.toContain('skipped');
        continue;
      }
      if (step === 12) {
        // CM6: captain B's browser goes away; after the grace period every screen shows the pause.
        await captains[1]!.page.goto('about:blank');
        // First the countdown to the pause (graceDueAt, announced at once), then the pause.
        await spectator.page.getByTestId('grace-banner').waitFor({ timeout: 15_000 });
        expect(await spectator.page.getByTestId('grace-banner').innerText()).toMatch(/pausing in \d+ s/);
        for (const page of [captains[0]!.page, spectator.page]) await page.getByTestId('paused-banner').waitFor({ timeout: 15_000 });
        expect(await spectator.page.getByTestId('grace-banner').count()).toBe(0);
        expect(await spectator.page.getByTestId('paused-banner').innerText()).toContain('a captain disconnected');
        await captains[1]!.page.goto(url, { waitUntil: 'domcontentloaded' });
        await captains[1]!.page.getByTestId('paused-banner').waitFor();
        for (const c of captains) await c.page.getByRole('button', { name: 'Ready to resume' }).click();
        for (const b of [...captains, spectator]) await expect.poll(() => status(b.page)).toBe('drafting');
        await spectator.page.locator(`[data-testid=turn][data-step="${step}"]`).waitFor();
      }
      const team = Number(await turn.getAttribute('data-team'));
      const page = captains[team]!.page;
      // The captain's own page may be a moment behind the spectator's on a busy machine: a tile
      // clicked before it shows this step is not theirs to choose yet.
      await page.locator(`[data-testid=turn][data-step="${step}"]`).waitFor({ timeout: 15_000 });
      let hero: number;
      if (step === 1) {
        // Search finds Largo (id 155: ids have gaps).
        await page.getByTestId('hero-search').fill('Largo');
        await expect.poll(() => page.locator('[data-testid=hero-grid] [data-hero-id]').count()).toBe(1);
        hero = 155;
      } else {
        hero = pool.shift()!;
      }
      await page.locator(`[data-testid=hero-grid] [data-hero-id="${hero}"]`).click();
      await page.getByTestId('lock-in').click();
      await spectator.page
        .getByTestId(`step-hero-${step}`)
        .waitFor()
        .catch(async (err: Error) => {
          // Seen once in CI (step 12, right after the resume): say what the captain's page showed.
          const shown = (await page.getByTestId('action-error').allInnerTexts()).join(' | ') || 'no error';
          throw new Error(`step ${step} never reached the spectator; the captain's page (status ${await status(page)}) showed: ${shown}`, { cause: err });
        });
      if (step === 1) {
        await page.getByTestId('hero-search').fill('');
        // Taken heroes are greyed out for everyone.
        expect(await captains[0]!.page.locator('[data-testid=hero-grid] [data-hero-id="155"]').isDisabled()).toBe(true);
      }
    }

    for (const b of [...captains, spectator]) await expect.poll(() => status(b.page)).toBe('completed');
    for (const i of [0, 1]) {
      await expect.poll(() => spectator.page.locator(`[data-testid=picks-${i}] [data-hero]`).count()).toBe(5);
    }
    expect(await spectator.page.locator('[data-testid=bans-1] [data-hero]').count()).toBe(7);
    expect(await spectator.page.locator('[data-testid=bans-0] [data-hero]').count()).toBe(6); // one ban skipped
    const stored = await t.client().get(url.replace(t.url, `${t.url}/api`));
    expect(stored.body.status).toBe('completed');
    expect(stored.body.teams.map((x: { side: string }) => x.side)).toEqual(['dire', 'radiant']);
    for (const b of [...captains, spectator]) expect(b.errors).toEqual([]);
  });
});
