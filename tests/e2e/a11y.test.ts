import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildSequence } from '../../server/herodraft/herodraft.rules';
import { teamAWinsTheToss } from '../herodraft/fixtures';
import { type FakeOpenDota, startFakeOpenDota } from '../support/fake-opendota';
import { type FakeSteam, startFakeSteam } from '../support/fake-steam';
import type { HttpClient } from '../support/http';
import { startHub, type TestHub } from '../support/hub';
import { eventually, range } from '../steam/fixtures';
import { ensureClientBuilt, openBrowser, removeProfiles, type TestBrowser } from './browser';

/**
 * An axe-core audit (WCAG 2.1 A and AA) of every page of the client, on a desktop and on a
 * phone, each page with something on it: a player draft on a captain's turn, a hero draft with
 * a hero chosen and waiting for "Lock in", a bracket with a result, a live game. No page may
 * have a critical or a serious violation.
 */

const AXE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');
const LEAGUE = 17200;
const MATCH = 8_400_000_888;
const UNKNOWN_MATCH = 8_400_000_999;
const VIEWPORTS = [
  { name: 'desktop', width: 1280, height: 900 },
  { name: 'phone', width: 390, height: 844 },
] as const;

type Who = 'admin' | 'staff' | 'captain' | 'spectator' | 'alpha' | 'bravo';
interface Audit {
  name: string;
  /** The route's pattern in client/src/lib/routes.ts (null: no route matches). */
  route: string | null;
  who: Who;
  path: () => string;
  /** What shows the page is there (beyond its heading and no "Loading…"). */
  ready?: (page: Page) => Promise<unknown>;
}

/** axe's critical and serious findings, one line each, with the elements they are about. */
async function audit(page: Page): Promise<string[]> {
  await page.addScriptTag({ path: AXE });
  // The tests' tsconfig has no DOM types: the page-side code is a string.
  const violations = (await page.evaluate(`axe
    .run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] }, resultTypes: ['violations'] })
    .then((r) => r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, targets: v.nodes.slice(0, 5).map((n) => n.target.join(' ')) })))`)) as {
    id: string;
    impact: string | null;
    help: string;
    targets: string[];
  }[];
  return violations.filter((v) => v.impact === 'critical' || v.impact === 'serious').map((v) => `${v.impact} ${v.id}: ${v.help} (${v.targets.join(', ')})`);
}

describe('accessibility of every page (axe-core, WCAG 2.1 A/AA)', () => {
  let steam: FakeSteam;
  let od: FakeOpenDota;
  let t: TestHub;
  const browsers = {} as Record<Who, TestBrowser>;
  let draftTournament = 0;
  let tournament = 0;
  let playerId = 0; // a captain with a team and a reported series: the player page
  let heroDraft = 0;
  let signupTournament = 0;

  beforeAll(async () => {
    ensureClientBuilt();
    [steam, od] = await Promise.all([startFakeSteam(), startFakeOpenDota()]);
    t = await startHub({
      db: 'sqlite',
      random: teamAWinsTheToss(),
      env: {
        ...steam.env(),
        ...od.env(),
        STEAM_LEAGUE_IDS: String(LEAGUE),
        STEAM_RATE_MS: '10',
        STEAM_SEQ_RATE_MS: '10',
        OPENDOTA_RATE_MS: '10',
        STEAM_LIVE_POLL_MS: '100',
      },
    });
    const staff = await t.login('a11y_organiser', 'staff');
    const admin = await t.login('a11y_admin', 'admin');
    const captains: (HttpClient & { userId: number })[] = [];
    for (const name of ['a11y_cap_alpha', 'a11y_cap_bravo', 'a11y_cap_charlie', 'a11y_cap_delta']) captains.push(await t.login(name));

    // A player draft on captain Alpha's turn.
    draftTournament = (await staff.post('/api/tournaments', { name: 'DTX Access Draft', startsAt: '2030-12-01T18:00:00Z' })).body.id;
    for (const [i, c] of captains.slice(0, 2).entries()) {
      expect((await staff.post(`/api/tournaments/${draftTournament}/players`, { userId: c.userId, mmr: 4000 + i })).status).toBe(201);
    }
    for (const i of range(1, 4)) {
      const player = await t.login(`a11y_player_${i}`);
      expect((await staff.post(`/api/tournaments/${draftTournament}/players`, { userId: player.userId, mmr: 6000 - i * 300 })).status).toBe(201);
    }
    for (const [i, name] of ['Alpha Access', 'Bravo Access'].entries()) {
      const team = await staff.post(`/api/tournaments/${draftTournament}/teams`, { captainUserId: captains[i]!.userId, name });
      expect(team.status, team.text).toBe(201);
    }
    const draftBase = `/api/tournaments/${draftTournament}/draft`;
    expect((await staff.patch(draftBase, { style: 'snake', teamSize: 3, pickSeconds: null })).status).toBe(200);
    expect((await staff.post(`${draftBase}/open`, {})).status).toBe(200);
    expect((await staff.post(`${draftBase}/start`, {})).status).toBe(200);

    // Four teams, a single-elimination bracket with one result, and a hero draft.
    tournament = (await staff.post('/api/tournaments', { name: 'DTX Access Cup', startsAt: '2030-12-02T18:00:00Z' })).body.id;
    const teamIds: number[] = [];
    for (const [i, c] of captains.entries()) {
      expect((await staff.post(`/api/tournaments/${tournament}/players`, { userId: c.userId, mmr: 5000 - i * 100 })).status).toBe(201);
      const team = await staff.post(`/api/tournaments/${tournament}/teams`, {
        captainUserId: c.userId,
        name: `Team ${['Alpha', 'Bravo', 'Charlie', 'Delta'][i]}`,
      });
      expect(team.status, team.text).toBe(201);
      teamIds.push(team.body.id);
    }
    playerId = captains[0]!.userId;
    const stage = await staff.post(`/api/tournaments/${tournament}/stages`, { format: 'single_elimination', seeding: 'ranked' });
    expect(stage.status, stage.text).toBe(201);
    const first = (stage.body.matches as { id: number; key: string }[]).find((m) => m.key === 'U1.1')!;
    const reported = await staff.post(`/api/tournaments/${tournament}/series/${first.id}/report`, { scoreA: 1, scoreB: 0 });
    expect(reported.status, reported.text).toBe(200);
    const { steps } = buildSequence('7.40', { firstBanSeconds: 600, stepSeconds: 600, reserveSeconds: 130 });
    const draft = await staff.post(`/api/tournaments/${tournament}/herodrafts`, { teamAId: teamIds[0], teamBId: teamIds[1], steps, reserveSeconds: 130 });
    expect(draft.status, draft.text).toBe(201);
    heroDraft = draft.body.id;

    // A tournament in registration: one sign-up in, one on the waitlist (issue 21).
    signupTournament = (await staff.post('/api/tournaments', { name: 'DTX Access Sign-ups', startsAt: '2030-12-03T18:00:00Z' })).body.id;
    expect((await staff.patch(`/api/tournaments/${signupTournament}`, { state: 'registration' })).status).toBe(200);
    const rules = await staff.put(`/api/tournaments/${signupTournament}/signup-settings`, { capacity: 1, steamRequired: false, mmrMin: 1000, mmrMax: 9000 });
    expect(rules.status, rules.text).toBe(200);
    for (const [i, c] of captains.slice(2).entries()) {
      const body = { declaredMmr: 4000 + i * 100, positions: { '1': 5, '2': 4, '3': 0, '4': 2, '5': 1 }, note: 'Evenings only' };
      const signed = await c.post(`/api/tournaments/${signupTournament}/signups`, body);
      expect(signed.status, signed.text).toBe(200);
    }

    // A live game in the league.
    steam.setLiveGames(LEAGUE, [
      {
        match_id: MATCH,
        lobby_id: 27110133270419999n,
        league_id: LEAGUE,
        radiant_team: 'Alpha',
        dire_team: 'Bravo',
        duration: 900,
        radiant_score: 7,
        dire_score: 4,
        players: range(920000, 10).map((a, i) => ({ account_id: a, name: `player${i}`, hero_id: i + 1, team: i < 5 ? 0 : 1, net_worth: 6000 })),
      },
    ]);
    await eventually(async () => (await t.client().get(`/api/matches/${MATCH}`)).body.live !== null, 'the live game');

    browsers.admin = await openBrowser(t.url, { cookies: admin.cookieHeader(), bypassCSP: true });
    browsers.staff = await openBrowser(t.url, { cookies: staff.cookieHeader(), bypassCSP: true });
    browsers.captain = await openBrowser(t.url, { cookies: captains[0]!.cookieHeader(), bypassCSP: true });
    browsers.spectator = await openBrowser(t.url, { bypassCSP: true });
    // The hero draft gets going through the captains' pages: ready, coin toss (Alpha wins), choices.
    // Many pages and browsers: allow for a machine busy with other tests.
    for (const b of Object.values(browsers)) b.context.setDefaultTimeout(30_000);
    // Both captains' hero-draft pages stay there (a captain who leaves pauses the draft).
    const bravo = (browsers.bravo = await openBrowser(t.url, { cookies: captains[1]!.cookieHeader() }));
    browsers.alpha = await openBrowser(t.url, { cookies: captains[0]!.cookieHeader(), bypassCSP: true });
    for (const b of [bravo, browsers.alpha]) b.context.setDefaultTimeout(30_000);
    const alpha = browsers.alpha.page;
    for (const page of [alpha, bravo.page]) {
      await page.goto(`${t.url}/herodrafts/${heroDraft}`, { waitUntil: 'domcontentloaded' });
      await page.getByTestId('ready').click();
    }
    await alpha.getByRole('button', { name: 'First pick' }).click();
    await bravo.page.getByRole('button', { name: 'Radiant' }).click();
    await bravo.page.locator('[data-testid=turn][data-step="0"]').waitFor();
  }, 180_000);

  afterAll(async () => {
    for (const b of Object.values(browsers)) await b?.context.close();
    await t?.close();
    await Promise.all([steam?.close(), od?.close()]);
    removeProfiles();
  });

  const pages: Audit[] = [
    { name: 'home', route: '/', who: 'spectator', path: () => '/' },
    { name: 'new tournament', route: '/tournaments/new', who: 'staff', path: () => '/tournaments/new', ready: (p) => p.locator('main form').first().waitFor() },
    { name: 'tournament', route: '/tournaments/:id', who: 'spectator', path: () => `/tournaments/${tournament}` },
    { name: 'manage', route: '/tournaments/:id/manage', who: 'staff', path: () => `/tournaments/${tournament}/manage` },
    {
      name: 'manage (sign-ups in registration)',
      route: '/tournaments/:id/manage',
      who: 'staff',
      path: () => `/tournaments/${signupTournament}/manage`,
      ready: (p) => p.getByTestId('staff-signups').getByText('Evenings only').first().waitFor(),
    },
    {
      name: 'sign-up (member)',
      route: '/tournaments/:id/signup',
      who: 'captain',
      path: () => `/tournaments/${signupTournament}/signup`,
      ready: (p) => p.getByRole('form', { name: 'Sign up' }).waitFor(),
    },
    {
      name: 'sign-up (spectator)',
      route: '/tournaments/:id/signup',
      who: 'spectator',
      path: () => `/tournaments/${signupTournament}/signup`,
      ready: (p) => p.getByTestId('signup-list').waitFor(),
    },
    {
      name: 'player draft (captain on turn)',
      route: '/tournaments/:id/draft',
      who: 'captain',
      path: () => `/tournaments/${draftTournament}/draft`,
      ready: (p) => p.getByTestId('your-turn').waitFor(),
    },
    {
      name: 'player draft (spectator)',
      route: '/tournaments/:id/draft',
      who: 'spectator',
      path: () => `/tournaments/${draftTournament}/draft`,
      ready: (p) => p.getByTestId('whose-turn').waitFor(),
    },
    { name: 'hero drafts', route: '/tournaments/:id/herodrafts', who: 'staff', path: () => `/tournaments/${tournament}/herodrafts` },
    {
      name: 'hero draft (captain choosing)',
      route: '/herodrafts/:id',
      who: 'alpha',
      path: () => `/herodrafts/${heroDraft}`,
      ready: async (p) => {
        await p.locator('[data-testid=hero-grid] [data-hero-id="14"]').click();
        await p.getByTestId('lock-in').waitFor();
      },
    },
    {
      name: 'hero draft (spectator)',
      route: '/herodrafts/:id',
      who: 'spectator',
      path: () => `/herodrafts/${heroDraft}`,
      ready: (p) => p.getByTestId('turn').waitFor(),
    },
    {
      name: 'bracket (staff)',
      route: '/tournaments/:id/bracket',
      who: 'staff',
      path: () => `/tournaments/${tournament}/bracket`,
      ready: (p) => p.locator('article[aria-label="Series U1.2"]').waitFor(),
    },
    {
      name: 'bracket (spectator)',
      route: '/tournaments/:id/bracket',
      who: 'spectator',
      path: () => `/tournaments/${tournament}/bracket`,
      ready: (p) => p.locator('article[aria-label="Series U1.2"]').waitFor(),
    },
    { name: 'live games', route: '/live', who: 'spectator', path: () => '/live', ready: (p) => p.getByText('Alpha').first().waitFor() },
    {
      name: 'match',
      route: '/match/:id',
      who: 'spectator',
      path: () => `/match/${MATCH}`,
      ready: (p) => p.locator('table[aria-label="Alpha scoreboard"]').waitFor(),
    },
    {
      name: 'unknown match',
      route: '/match/:id',
      who: 'spectator',
      path: () => `/match/${UNKNOWN_MATCH}`,
      // Live games are on here: the page does not say they are off.
      ready: async (p) => {
        await p.getByTestId('match-missing').waitFor();
        expect(await p.getByTestId('live-off').count()).toBe(0);
      },
    },
    { name: 'Steam matches', route: '/tournaments/:id/matches', who: 'staff', path: () => `/tournaments/${tournament}/matches` },
    { name: 'profile', route: '/profile', who: 'captain', path: () => '/profile' },
    { name: 'leagues', route: '/leagues', who: 'staff', path: () => '/leagues' },
    { name: 'users (admin)', route: '/admin/users', who: 'admin', path: () => '/admin/users' },
    {
      name: 'player',
      route: '/users/:id',
      who: 'spectator',
      path: () => `/users/${playerId}`,
      ready: (p) => p.locator('table[aria-label="Teams by tournament"]').waitFor(),
    },
    { name: 'not found', route: null, who: 'spectator', path: () => '/no/such/page' },
  ];

  it('UI20 every route of the client is among the audited pages', () => {
    const source = fs.readFileSync(path.resolve('client/src/lib/routes.ts'), 'utf8');
    const routes = [...source.matchAll(/\['(\/[^']*)', '\w+'\]/g)].map((m) => m[1]!);
    expect(routes.length).toBeGreaterThan(10);
    expect(routes.filter((r) => !pages.some((p) => p.route === r))).toEqual([]);
  });

  for (const viewport of VIEWPORTS) {
    describe(`on a ${viewport.name} (${viewport.width}x${viewport.height})`, () => {
      beforeAll(async () => {
        for (const b of Object.values(browsers)) await b.page.setViewportSize({ width: viewport.width, height: viewport.height });
      });

      for (const audited of pages) {
        it(`UI20 ${audited.name} (${audited.who}) has no critical or serious violation`, { timeout: 90_000 }, async () => {
          const { page, errors } = browsers[audited.who];
          await page.goto(`${t.url}${audited.path()}`, { waitUntil: 'domcontentloaded' });
          await page
            .locator('main h1')
            .first()
            .waitFor()
            .catch(async (err: Error) => {
              throw new Error(`no heading; the page showed: ${(await page.locator('body').innerText()).slice(0, 300)}`, { cause: err });
            });
          await expect.poll(() => page.getByText('Loading…').count()).toBe(0);
          await audited.ready?.(page);
          expect(await audit(page)).toEqual([]);
          expect(errors).toEqual([]);
        });
      }
    });
  }
});
