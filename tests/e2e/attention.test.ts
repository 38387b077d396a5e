import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HeroDraftView } from '../../shared/schemas/herodraft';
import { startHub, type TestHub } from '../support/hub';
import type { HttpClient } from '../support/http';
import { teamAWinsTheToss } from '../herodraft/fixtures';
import { finishedMatch, twoTeamSeries } from '../steam/fixtures';
import { type FakeOpenDota, startFakeOpenDota } from '../support/fake-opendota';
import { type FakeSteam, startFakeSteam } from '../support/fake-steam';
import { ensureClientBuilt, openBrowser, removeProfiles, type TestBrowser } from './browser';

/**
 * Where people are needed, told on whatever page they are on: a captain on turn (player or hero
 * draft) sees a banner in the header with the time left and a link; staff see how much waits
 * for them; a spectator on the home page sees what is live, and it follows without a reload.
 * Two tournaments: one in its player draft, one playing (a bracket with captain reports and a
 * hero draft under way). The setup goes through the API; what is tested goes through the pages.
 */

type Client = HttpClient & { userId: number };

/** "1:05 left" or "42 s left" → seconds. */
function secondsOf(text: string): number {
  const m = /^(?:(\d+):(\d\d)|(\d+) s) left$/.exec(text.trim());
  if (!m) throw new Error(`not a time left: ${text}`);
  return m[3] !== undefined ? Number(m[3]) : Number(m[1]) * 60 + Number(m[2]);
}

describe('where people are needed, in a browser', () => {
  let t: TestHub;
  let staff: Client;
  let draftId = 0;
  let playoffsId = 0;
  let heroDraft: HeroDraftView;
  const captains: Record<string, Client> = {};
  const browsers: TestBrowser[] = [];
  /** The hub's answers of 400 and above, and requests to it that failed: none is expected. */
  const failed: string[] = [];

  async function browser(options: { cookies?: Client; phone?: boolean } = {}) {
    const b = await openBrowser(t.url, {
      cookies: options.cookies?.cookieHeader(),
      viewport: options.phone ? { width: 375, height: 800 } : { width: 1280, height: 900 },
    });
    // The hub's own answers only: the hermetic browser refuses every other host (avatars, hero images).
    const ours = (url: string) => url.startsWith(`${t.url}/`);
    b.page.on('response', (r) => {
      if (r.status() >= 400 && ours(r.url())) failed.push(`${r.status()} ${r.url()}`);
    });
    b.page.on('requestfailed', (r) => {
      // Cancelled by the browser (the page moved on while a header poll was out): not the hub failing.
      if (r.failure()?.errorText === 'net::ERR_ABORTED') return;
      if (ours(r.url())) failed.push(`failed ${r.url()} (${r.failure()?.errorText})`);
    });
    browsers.push(b);
    return b;
  }

  beforeAll(async () => {
    ensureClientBuilt();
    t = await startHub({ db: 'sqlite', random: teamAWinsTheToss() });
    staff = await t.login('attn_organiser', 'staff');

    // A player draft under way: Alpha's captain is on turn, with a two-minute pick timer.
    const created = await staff.post('/api/tournaments', { name: 'Attention Draft Night', startsAt: '2030-12-01T18:00:00Z' });
    draftId = created.body.id;
    for (const [name, team] of [
      ['attn_cap_alpha', 'Alpha Squad'],
      ['attn_cap_bravo', 'Bravo Squad'],
    ] as const) {
      const c = (captains[name] = await t.login(name));
      expect((await staff.post(`/api/tournaments/${draftId}/players`, { userId: c.userId, mmr: 4000 })).status).toBe(201);
      expect((await staff.post(`/api/tournaments/${draftId}/teams`, { captainUserId: c.userId, name: team })).status).toBe(201);
    }
    for (const [i, name] of ['attn_p1', 'attn_p2', 'attn_p3', 'attn_p4'].entries()) {
      const p = await t.login(name);
      expect((await staff.post(`/api/tournaments/${draftId}/players`, { userId: p.userId, mmr: 6000 - i * 100 })).status).toBe(201);
    }
    const draftApi = `/api/tournaments/${draftId}/draft`;
    // Long enough that no turn runs out while the file's tests run on a busy machine (UI47 expects pick 2 still on).
    expect((await staff.patch(draftApi, { style: 'normal', teamSize: 3, pickSeconds: 1800 })).status).toBe(200);
    expect((await staff.post(`${draftApi}/open`, {})).status).toBe(200);
    expect((await staff.post(`${draftApi}/start`, {})).status).toBe(200);

    // Playoffs being played: four teams, captain reports, a tournament staff member who is not site staff.
    const playoffs = await staff.post('/api/tournaments', { name: 'Attention Playoffs', startsAt: '2030-12-01T18:00:00Z' });
    playoffsId = playoffs.body.id;
    const teamIds: number[] = [];
    for (let i = 1; i <= 4; i++) {
      const c = (captains[`attn_c${i}`] = await t.login(`attn_c${i}`));
      expect((await staff.post(`/api/tournaments/${playoffsId}/players`, { userId: c.userId, mmr: 5000 - i })).status).toBe(201);
      teamIds.push((await staff.post(`/api/tournaments/${playoffsId}/teams`, { captainUserId: c.userId, name: `Playoff Team ${i}` })).body.id);
    }
    const tournamentStaff = (captains.attn_referee = await t.login('attn_referee'));
    expect((await staff.post(`/api/tournaments/${playoffsId}/staff`, { userId: tournamentStaff.userId })).status).toBe(201);
    for (const state of ['registration', 'drafting', 'playing']) {
      const moved = await staff.patch(`/api/tournaments/${playoffsId}`, { state });
      expect(moved.status, moved.text).toBe(200);
    }
    const made = await staff.post(`/api/tournaments/${playoffsId}/stages`, { format: 'single_elimination', captainReports: true });
    expect(made.status, made.text).toBe(201);

    // A hero draft of Playoff Team 1 and 4, drafting: the coin goes to team A (Team 1).
    const hd = await staff.post(`/api/tournaments/${playoffsId}/herodrafts`, { teamAId: teamIds[0], teamBId: teamIds[3] });
    expect(hd.status, hd.text).toBe(201);
    const base = `/api/herodrafts/${hd.body.id}`;
    for (const c of [captains.attn_c1!, captains.attn_c4!]) expect((await c.post(`${base}/ready`, { ready: true })).status).toBe(200);
    expect((await captains.attn_c1!.post(`${base}/choice`, { kind: 'order', value: 'first' })).status).toBe(200);
    const chosen = await captains.attn_c4!.post(`${base}/choice`, { kind: 'side', value: 'radiant' });
    expect(chosen.status, chosen.text).toBe(200);
    heroDraft = chosen.body;
    expect(heroDraft.status).toBe('drafting');
  }, 120_000);

  afterAll(async () => {
    for (const b of browsers) await b.context.close();
    await t?.close();
    removeProfiles();
  });

  const banner = (page: Page) => page.getByTestId('turn-banner');

  it(
    'UI44 a captain on turn in the player draft sees a banner with the time left on any page, follows it to the draft, and the turn passes to the other captain live',
    { timeout: 90_000 },
    async () => {
      const alpha = await browser({ cookies: captains.attn_cap_alpha });
      const bravo = await browser({ cookies: captains.attn_cap_bravo });
      await alpha.page.goto(`${t.url}/profile`, { waitUntil: 'domcontentloaded' });
      await bravo.page.goto(`${t.url}/live`, { waitUntil: 'domcontentloaded' });

      await banner(alpha.page).waitFor();
      expect(await banner(alpha.page).innerText()).toMatch(/Your turn:\s+pick a player in Attention Draft Night/);
      const first = secondsOf(await banner(alpha.page).getByTestId('turn-time-left').innerText());
      expect(first).toBeGreaterThan(1700);
      expect(first).toBeLessThanOrEqual(1800);
      // It counts down by itself.
      await expect.poll(async () => secondsOf(await banner(alpha.page).getByTestId('turn-time-left').innerText()), { timeout: 5000 }).toBeLessThan(first);
      // Not Bravo's turn: no banner for Bravo (the header has read the draft by the time Alpha's shows).
      await bravo.page.getByRole('heading', { name: 'Live games' }).waitFor();
      expect(await banner(bravo.page).count()).toBe(0);

      await banner(alpha.page).getByRole('link', { name: 'Go to the draft' }).click();
      await alpha.page.waitForURL(`${t.url}/tournaments/${draftId}/draft`);
      await alpha.page.getByTestId('your-turn').waitFor();
      expect(await banner(alpha.page).count()).toBe(0); // the draft page says it itself

      // Alpha picks on the page: the banner goes to Bravo, on the page Bravo was left on.
      await alpha.page.getByRole('button', { name: 'Pick attn_p1', exact: true }).click();
      const dialog = alpha.page.getByRole('dialog', { name: 'Confirm pick' });
      await dialog.getByRole('button', { name: 'Confirm pick' }).click();
      await dialog.waitFor({ state: 'detached' });
      await banner(bravo.page).waitFor({ timeout: 15_000 });
      expect(await banner(bravo.page).innerText()).toMatch(/pick a player in Attention Draft Night/);
      expect(bravo.page.url()).toBe(`${t.url}/live`);
      await alpha.page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Tournaments' }).click();
      await alpha.page.getByTestId('live-now').getByText('Attention Draft Night').waitFor();
      expect(await banner(alpha.page).count()).toBe(0);
      for (const b of [alpha, bravo]) expect(b.errors).toEqual([]);
    },
  );

  it(
    'UI45 a captain on turn in a hero draft sees a banner for their step with the time left, and follows it to the hero draft',
    { timeout: 60_000 },
    async () => {
      const onTurn = heroDraft.turn!.team === 0 ? captains.attn_c1! : captains.attn_c4!;
      const other = heroDraft.turn!.team === 0 ? captains.attn_c4! : captains.attn_c1!;
      const captain = await browser({ cookies: onTurn, phone: true });
      const waiting = await browser({ cookies: other });
      await captain.page.goto(`${t.url}/tournaments/${playoffsId}`, { waitUntil: 'domcontentloaded' });
      await waiting.page.goto(`${t.url}/`, { waitUntil: 'domcontentloaded' });

      await banner(captain.page).waitFor();
      expect(await banner(captain.page).innerText()).toMatch(new RegExp(`Your turn:\\s+${heroDraft.turn!.action} a hero in Attention Playoffs`));
      expect(secondsOf(await banner(captain.page).getByTestId('turn-time-left').innerText())).toBeGreaterThan(0);
      await waiting.page.getByTestId('live-herodrafts').getByText('Playoff Team 1 vs Playoff Team 4').waitFor();
      expect(await banner(waiting.page).count()).toBe(0);

      await banner(captain.page).getByRole('link', { name: 'Go to the hero draft' }).click();
      await captain.page.waitForURL(`${t.url}/herodrafts/${heroDraft.id}`);
      await captain.page.getByTestId('status').waitFor();
      expect(await banner(captain.page).count()).toBe(0);
      // On a phone the banner and the header fit the screen.
      await captain.page.goBack();
      await banner(captain.page).waitFor();
      expect(await captain.page.evaluate('document.documentElement.scrollWidth <= window.innerWidth')).toBe(true);
      for (const b of [captain, waiting]) expect(b.errors).toEqual([]);
    },
  );

  /** A captain's or staff member's click in a series' report group on the bracket page. */
  async function onBracket(b: TestBrowser, group: string, button: string) {
    if (b.page.url() !== `${t.url}/tournaments/${playoffsId}/bracket`)
      await b.page.goto(`${t.url}/tournaments/${playoffsId}/bracket`, { waitUntil: 'domcontentloaded' });
    await b.page.getByRole('group', { name: group, exact: true }).getByRole('button', { name: button, exact: true }).click();
  }

  const named: Record<string, TestBrowser> = {};

  it('UI46 staff see how many disputed reports wait for them, live, and go to them to decide; nobody else sees a count', { timeout: 90_000 }, async () => {
    const site = (named.site = await browser({ cookies: staff as Client }));
    const referee = await browser({ cookies: captains.attn_referee, phone: true });
    const reporter = await browser({ cookies: captains.attn_c2 });
    const disputer = await browser({ cookies: captains.attn_c3 });
    await site.page.goto(`${t.url}/`, { waitUntil: 'domcontentloaded' });
    await referee.page.goto(`${t.url}/tournaments/${playoffsId}`, { waitUntil: 'domcontentloaded' });
    await site.page.getByTestId('live-now').getByText('Attention Playoffs').first().waitFor();
    expect(await site.page.getByTestId('staff-count').count()).toBe(0); // nothing waits yet

    // Team 2's captain reports U1.2 on the bracket page, Team 3's disputes it there: staff must decide.
    await onBracket(reporter, 'Captain report U1.2', 'Playoff Team 2 won');
    await onBracket(disputer, 'Captain report U1.2', 'Dispute');
    for (const b of [site, referee]) {
      await expect
        .poll(
          () =>
            b.page
              .getByTestId('staff-count')
              .innerText()
              .catch(() => ''),
          { timeout: 15_000 },
        )
        .toBe('1');
    }
    // Captains are no staff: no count for them (their header has read the bracket by now).
    await reporter.page.goto(`${t.url}/`, { waitUntil: 'domcontentloaded' });
    await reporter.page.getByTestId('live-series').waitFor();
    expect(await reporter.page.getByTestId('staff-work').count()).toBe(0);

    // A second dispute arrives (U1.1) while staff look at their pages.
    await onBracket(await browser({ cookies: captains.attn_c1 }), 'Captain report U1.1', 'Playoff Team 1 won');
    await onBracket(await browser({ cookies: captains.attn_c4 }), 'Captain report U1.1', 'Dispute');
    for (const b of [site, referee]) await expect.poll(() => b.page.getByTestId('staff-count').innerText(), { timeout: 15_000 }).toBe('2');

    // The referee (staff of this tournament only) follows the first to the bracket and decides it.
    await referee.page.getByText('Needs staff').click();
    await referee.page
      .getByTestId('staff-work')
      .getByRole('link', { name: /Disputed report: Playoff Team 2 vs Playoff Team 3/ })
      .click();
    await referee.page.waitForURL(`${t.url}/tournaments/${playoffsId}/bracket`);
    await onBracket(referee, 'Report U1.2', 'Playoff Team 2 wins');
    for (const b of [site, referee]) await expect.poll(() => b.page.getByTestId('staff-count').innerText(), { timeout: 15_000 }).toBe('1');
    expect(await referee.page.evaluate('document.documentElement.scrollWidth <= window.innerWidth')).toBe(true);
    for (const b of [site, referee, reporter, disputer]) expect(b.errors).toEqual([]);
  });

  it(
    'UI47 a spectator on the home page sees what is live now (player draft, hero draft, series in play) and follows it without a reload',
    { timeout: 60_000 },
    async () => {
      const spectator = await browser({ phone: true });
      await spectator.page.goto(`${t.url}/`, { waitUntil: 'domcontentloaded' });
      const live = spectator.page.getByTestId('live-now');
      await live
        .getByTestId('live-drafts')
        .getByText(/pick 2: Bravo Squad, \d+:\d\d left/)
        .waitFor();
      await live.getByTestId('live-herodrafts').getByText('Playoff Team 1 vs Playoff Team 4').waitFor();
      expect(await live.getByTestId('live-series').innerText()).toContain('Playoff Team 1 0–0 Playoff Team 4');
      expect(await live.getByTestId('live-series').innerText()).not.toContain('Playoff Team 3');

      // Bravo picks on the draft page; staff decide U1.1 on the bracket page: the home page follows.
      const bravo = await browser({ cookies: captains.attn_cap_bravo });
      await bravo.page.goto(`${t.url}/tournaments/${draftId}/draft`, { waitUntil: 'domcontentloaded' });
      await bravo.page.getByRole('button', { name: 'Pick attn_p2', exact: true }).click();
      await bravo.page.getByRole('dialog', { name: 'Confirm pick' }).getByRole('button', { name: 'Confirm pick' }).click();
      await live
        .getByTestId('live-drafts')
        .getByText(/pick 3: Alpha Squad/)
        .waitFor({ timeout: 15_000 });
      await onBracket(named.site!, 'Report U1.1', 'Playoff Team 1 wins');
      // The final is in play now: Team 1 against Team 2 (which won U1.2).
      await expect.poll(() => live.getByTestId('live-series').innerText(), { timeout: 15_000 }).toMatch(/^Playoff Team 1 0–0 Playoff Team 2/);
      expect(await live.getByTestId('live-series').innerText()).not.toContain('Playoff Team 4');

      await live.getByRole('link', { name: 'Playoff Team 1 vs Playoff Team 4' }).click();
      await spectator.page.waitForURL(`${t.url}/herodrafts/${heroDraft.id}`);
      await spectator.page.getByTestId('status').waitFor();
      expect(await spectator.page.evaluate('document.documentElement.scrollWidth <= window.innerWidth')).toBe(true);
      for (const b of [spectator, bravo]) expect(b.errors).toEqual([]);
      expect(failed).toEqual([]);
    },
  );
});

describe('match suggestions waiting for staff, in a browser', () => {
  let steam: FakeSteam;
  let od: FakeOpenDota;
  let t: TestHub;
  let b: TestBrowser;

  beforeAll(async () => {
    ensureClientBuilt();
    [steam, od] = await Promise.all([startFakeSteam(), startFakeOpenDota()]);
    t = await startHub({ db: 'sqlite', env: { ...steam.env(), ...od.env(), STEAM_RATE_MS: '10', OPENDOTA_RATE_MS: '10', STEAM_LIVE_POLL_MS: '3600000' } });
  }, 120_000);

  afterAll(async () => {
    await b?.context.close();
    await t?.close();
    await Promise.all([steam?.close(), od?.close()]);
    removeProfiles();
  });

  it(
    'UI46 a match played with two stand-ins waits for staff in the header count until they confirm it on the Steam matches page',
    { timeout: 60_000 },
    async () => {
      const staff = await t.login('attn_steam_staff', 'staff');
      const s = await twoTeamSeries(t, staff, 720000);
      // Eight of the ten players are the teams' (two stand-ins): a suggestion, not a link.
      const game = finishedMatch(8_300_000_001, [720000, 720001, 720002, 720003, 990011], [720005, 720006, 720007, 720008, 990012], true);
      for (const captain of [720000, 720005]) steam.setHistory(captain, [game]);
      steam.addMatch(game);
      od.addMatch(game);
      b = await openBrowser(t.url, { cookies: staff.cookieHeader() });
      await b.page.goto(`${t.url}/tournaments/${s.id}/matches`, { waitUntil: 'domcontentloaded' });
      await b.page.getByRole('button', { name: 'Import recent matches' }).click();
      await b.page.getByText(/suggested 1/).waitFor();
      await expect
        .poll(
          () =>
            b.page
              .getByTestId('staff-count')
              .innerText()
              .catch(() => ''),
          { timeout: 15_000 },
        )
        .toBe('1');
      await b.page.getByText('Needs staff').click();
      expect(await b.page.getByTestId('staff-work').getByRole('link').innerText()).toMatch(/^Match to confirm: Alpha vs Bravo/);

      await b.page.getByRole('button', { name: 'Confirm', exact: true }).click();
      await b.page.getByTestId('staff-work').waitFor({ state: 'detached', timeout: 15_000 });
      expect(b.errors).toEqual([]);
    },
  );
});
