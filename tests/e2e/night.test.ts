import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DraftView } from '../../shared/schemas/draft';
import type { HeroDraftView } from '../../shared/schemas/herodraft';
import type { TournamentDetail } from '../../shared/schemas/tournaments';
import { heroes } from '../../server/herodraft/heroes';
import { startHub, type TestHub } from '../support/hub';
import { ensureClientBuilt, openBrowser, removeProfiles, type TestBrowser } from './browser';

/**
 * A whole tournament night through the pages (issue 19, "Proof"): staff, two captains (each in
 * their own browser) and a logged-out spectator on a phone. Everyone acts by clicking and typing;
 * the test reads the API only to check. Each step is named (a failure says which), ends with a
 * screenshot of the acting page (desktop) and of the spectator's (phone) in test-results/night/<fan-out path>/,
 * and fails on any page error, console error or failed hub request nobody listed as expected.
 */

const PHONE = { width: 390, height: 844 };
// One folder per fan-out path: vitest runs this file on both at once (vitest.config.ts).
const SHOTS = path.resolve('test-results/night', process.env.RT_FANOUT ?? 'direct');
const LEAGUE = 'DTX Winter League';
const TOURNAMENT = 'DTX Friday Night';
const PICK_SECONDS = 12;
const captainsOf = [
  { user: 'cap_amber', team: 'Amber Anvils', mmr: 3000 },
  { user: 'cap_birch', team: 'Birch Brigade', mmr: 2900 },
] as const;
// The pool from CSV, best first: snake order is Amber, Birch, Birch (times out: the best left), Amber.
const pool = [
  { discordId: '402143937851064321', user: 'night_p1', mmr: 5000 },
  { discordId: '402143937851064322', user: 'night_p2', mmr: 4500 },
  { discordId: '402143937851064323', user: 'night_p3', mmr: 4000 },
  { discordId: '402143937851064324', user: 'night_p4', mmr: 3500 },
];
const heroName = (id: number) => heroes().find((h) => h.id === id)!.localizedName;

/**
 * What a page may report without the test failing, each with its reason. Everything else a page
 * throws, logs as an error, or asks of the hub and does not get (failed, 4xx, 5xx) fails the step.
 */
const EXPECTED: { pattern: RegExp; why: string }[] = [
  {
    // openBrowser cuts off every host but the hub's (hero portraits, Discord avatars): Chromium logs each refused load.
    pattern: /^console error: Failed to load resource: net::ERR_FAILED \(https?:\/\/(?!127\.0\.0\.1[:/])/,
    why: 'hermetic browser: other hosts are cut off',
  },
];

/** Every script and stylesheet the built client in `dir` names (by `assets/…` or `./…`) is there. */
function clientComplete(dir: string): boolean {
  const assets = path.join(dir, 'assets');
  if (!fs.existsSync(path.join(dir, 'index.html')) || !fs.existsSync(assets)) return false;
  const files = [
    path.join(dir, 'index.html'),
    ...fs
      .readdirSync(assets)
      .filter((f) => /\.(js|css)$/.test(f))
      .map((f) => path.join(assets, f)),
  ];
  return files.every((file) =>
    [...fs.readFileSync(file, 'utf8').matchAll(/(?:assets\/|\.\/)([\w.-]+\.(?:js|css))\b/g)].every((m) => fs.existsSync(path.join(assets, m[1]!))),
  );
}

/**
 * A private copy of the built client for this file's hub. Others rebuild dist/client while this
 * long test runs (a build replaces every chunk's name), and a page would then ask for chunks
 * that are gone. Copied again if a build was under way while it was copied.
 */
async function copyOfClient(): Promise<string> {
  for (let attempt = 1; ; attempt++) {
    ensureClientBuilt();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dtx-night-client-'));
    fs.cpSync('dist/client', dir, { recursive: true });
    if (clientComplete(dir)) return dir;
    fs.rmSync(dir, { recursive: true, force: true });
    if (attempt === 5) throw new Error('dist/client kept changing while it was copied');
    await new Promise((resolve) => setTimeout(resolve, 3000));
  }
}

interface Person extends TestBrowser {
  who: string;
  /** What went wrong on this person's page since the last step's check. */
  problems: string[];
}

describe('a whole tournament night in the browser (issue 19)', () => {
  let t: TestHub;
  let staff: Person;
  let captains: [Person, Person];
  let spectator: Person;
  let tournamentId = 0;
  let stepNumber = 0;
  let client = '';

  /** Listens for everything that can go wrong on a page (hub requests only: other hosts are cut off on purpose). */
  function watch(browser: TestBrowser, who: string): Person {
    const person: Person = { ...browser, who, problems: [] };
    const hub = new URL(t.url).host;
    const toHub = (url: string) => URL.canParse(url) && new URL(url).host === hub;
    const { page } = browser;
    page.on('pageerror', (err) => person.problems.push(`page error: ${err.message}`));
    page.on('console', (msg) => {
      if (msg.type() === 'error') person.problems.push(`console error: ${msg.text()} (${msg.location().url})`);
    });
    page.on('requestfailed', (req) => {
      if (toHub(req.url())) person.problems.push(`failed request: ${req.method()} ${req.url()}: ${req.failure()?.errorText}`);
    });
    page.on('response', (res) => {
      if (toHub(res.url()) && res.status() >= 400) person.problems.push(`${res.status()} answer: ${res.request().method()} ${res.url()}`);
    });
    // Staff confirm what they are asked (opening the draft).
    page.on('dialog', (dialog) => void dialog.accept());
    return person;
  }

  const everyone = () => [staff, ...captains, spectator];

  /**
   * One named step of the night: `act` runs, then the acting page (desktop) and the spectator's
   * (phone) are photographed and every page is checked for what went wrong. A failure names the step.
   */
  async function step(name: string, actor: Person, act: () => Promise<void>) {
    const label = `${String(++stepNumber).padStart(2, '0')}-${name}`;
    const started = Date.now();
    const shoot = async (suffix = '') => {
      await actor.page.screenshot({ path: path.join(SHOTS, `${label}${suffix}-desktop.png`), fullPage: true });
      await spectator.page.screenshot({ path: path.join(SHOTS, `${label}${suffix}-phone.png`), fullPage: true });
    };
    const unexpected = () => everyone().flatMap((p) => p.problems.filter((x) => !EXPECTED.some((e) => e.pattern.test(x))).map((x) => `${p.who}: ${x}`));
    try {
      await act();
      // Never reloaded: the mark set on the spectator's first page is still there.
      expect(await spectator.page.evaluate('window.nightSpectator === true'), 'the spectator page was reloaded').toBe(true);
      await shoot();
      expect(unexpected(), 'unexpected errors or failed requests').toEqual([]);
      for (const p of everyone()) p.problems.length = 0;
    } catch (err) {
      await shoot('-failed').catch(() => undefined);
      // What the pages reported may explain a timeout (e.g. a 404 for a page's script).
      const seen = unexpected();
      throw new Error(`step ${label} failed: ${(err as Error).message}${seen.length ? `\nthe pages reported:\n${seen.join('\n')}` : ''}`, { cause: err });
    }
    console.log(`night: ${label} done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  }

  /** Logs in through the header's development login page, as a person would without Discord. */
  async function devLogin(person: Person, username: string, role: 'member' | 'staff') {
    const { page } = person;
    await page.goto(t.url, { waitUntil: 'domcontentloaded' });
    await page.getByRole('link', { name: 'Development login' }).click();
    await page.getByLabel('User name').fill(username);
    await page.getByLabel('Site role').selectOption(role);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('button', { name: 'Log out' }).waitFor();
  }

  /**
   * From the home page's list to the tournament's page. The list is read when the home page
   * opens and is not live, so a person already on it goes there by way of another page.
   */
  async function openTournament(person: Person) {
    const { page } = person;
    await page.getByRole('link', { name: 'Live games' }).click();
    await page.getByRole('link', { name: 'Tournaments' }).first().click();
    await page.getByRole('link', { name: TOURNAMENT }).click();
    await page.getByRole('heading', { name: TOURNAMENT, level: 1 }).waitFor();
  }

  const readTournament = async () => (await t.client().get(`/api/tournaments/${tournamentId}`)).body as TournamentDetail;
  const readDraft = async () => (await t.client().get(`/api/tournaments/${tournamentId}/draft`)).body as DraftView;
  const roster = (page: Page, team: string) => page.getByRole('article', { name: `Team ${team}` });
  const seriesCard = (page: Page): Locator => page.locator('article[aria-label^="Series "]').first();

  /** The captain on turn picks `player` through the pool's Pick button and the confirmation. */
  async function pick(captain: Person, player: string) {
    const { page } = captain;
    await page.getByTestId('your-turn').waitFor();
    await page.getByRole('button', { name: `Pick ${player}`, exact: true }).click();
    const dialog = page.getByRole('dialog', { name: 'Confirm pick' });
    await dialog.getByRole('button', { name: 'Confirm pick' }).click();
    await dialog.waitFor({ state: 'detached' });
  }

  beforeAll(async () => {
    fs.rmSync(SHOTS, { recursive: true, force: true });
    fs.mkdirSync(SHOTS, { recursive: true });
    client = await copyOfClient();
    t = await startHub({ db: 'sqlite', env: { CLIENT_DIST: client } });
    staff = watch(await openBrowser(t.url), 'staff');
    captains = [watch(await openBrowser(t.url), captainsOf[0].user), watch(await openBrowser(t.url), captainsOf[1].user)];
    spectator = watch(await openBrowser(t.url, { viewport: PHONE }), 'spectator (phone)');
    console.log(`night: screenshots of each step (desktop and phone) go to ${SHOTS}`);
  }, 120_000);

  afterAll(async () => {
    for (const b of [staff, ...(captains ?? []), spectator]) await b?.context.close();
    await t?.close();
    removeProfiles();
    if (client) fs.rmSync(client, { recursive: true, force: true });
    console.log(`night: screenshots are in ${SHOTS}`);
  });

  it('UI100 staff, two captains and a spectator on a phone run a tournament night through the pages', { timeout: 240_000 }, async () => {
    const [amber, birch] = captains;

    await step('log-in', staff, async () => {
      // The spectator opens the hub once; everything after is followed live or by a link, never a reload.
      await spectator.page.goto(t.url, { waitUntil: 'domcontentloaded' });
      await spectator.page.getByRole('heading', { name: 'Tournaments' }).waitFor();
      await spectator.page.evaluate('window.nightSpectator = true');
      await devLogin(staff, 'night_host', 'staff');
      await devLogin(amber, captainsOf[0].user, 'member');
      await devLogin(birch, captainsOf[1].user, 'member');
    });

    await step('league', staff, async () => {
      const { page } = staff;
      await page.getByRole('link', { name: 'Leagues' }).click();
      const form = page.getByRole('form', { name: 'New league' });
      await form.getByLabel('Name').fill(LEAGUE);
      await form.getByRole('button', { name: 'Create league' }).click();
      await form.getByRole('status').getByText(`League "${LEAGUE}" created.`).waitFor();
      await page.getByRole('list', { name: 'Leagues' }).getByText(LEAGUE).first().waitFor();
      const leagues = (await t.client().get('/api/leagues')).body.items as { name: string }[];
      expect(leagues.map((l) => l.name)).toEqual([LEAGUE]);
    });

    await step('tournament', staff, async () => {
      const { page } = staff;
      await page.getByRole('link', { name: 'New tournament' }).first().click();
      const form = page.getByRole('form', { name: 'New tournament' });
      await form.getByLabel('Name').fill(TOURNAMENT);
      await form.getByLabel('Start time').fill('2030-12-06T19:00');
      await form.getByLabel('Time zone').fill('Europe/Berlin');
      await form.getByLabel('Team size').fill('3');
      // The league list arrives after the form: wait for its option.
      await form.getByLabel('League').locator('option', { hasText: LEAGUE }).waitFor({ state: 'attached' });
      await form.getByLabel('League').selectOption({ label: LEAGUE });
      await form.getByRole('button', { name: 'Create tournament' }).click();
      await page.getByRole('heading', { name: `Manage ${TOURNAMENT}` }).waitFor();
      tournamentId = Number(/\/tournaments\/(\d+)\/manage/.exec(page.url())![1]);
      const created = await readTournament();
      expect([created.name, created.league?.name, created.teamSize, created.state]).toEqual([TOURNAMENT, LEAGUE, 3, 'draft']);

      // The spectator finds it on the home page and follows it from now on.
      await openTournament(spectator);
      await spectator.page.getByRole('heading', { name: TOURNAMENT, level: 1 }).waitFor();
      await spectator.page.getByText(LEAGUE).waitFor();
      await spectator.page.getByText('The player pool is empty.').waitFor();
    });

    await step('pool', staff, async () => {
      const { page } = staff;
      // The captains logged in once, so the hub knows them: added by name with their MMR.
      for (const c of captainsOf) {
        await page.getByLabel('MMR for the added player (optional)').fill(String(c.mmr));
        await page.getByLabel('Search users').fill(c.user);
        await page.getByRole('button', { name: `Add ${c.user}`, exact: true }).click();
        await page.getByRole('list', { name: 'Player pool' }).getByText(c.user).first().waitFor();
      }
      // Everyone else comes from the CSV the community's sign-up sheet exports.
      const csv = ['discord_id,username,mmr,steam_id,pos1,pos2,pos3,pos4,pos5', ...pool.map((p) => `${p.discordId},${p.user},${p.mmr},,3,3,3,3,3`)];
      const importForm = page.getByRole('form', { name: 'Import players from CSV' });
      await importForm.getByLabel('CSV', { exact: true }).fill(csv.join('\n'));
      await importForm.getByRole('button', { name: 'Import' }).click();
      await importForm.getByRole('status').getByText('Imported 4 players (4 new to the hub).').waitFor();
      expect((await readTournament()).players).toHaveLength(6);
      // Live on the spectator's tournament page.
      const players = spectator.page.getByRole('table', { name: 'Players' });
      for (const name of [...captainsOf.map((c) => c.user), ...pool.map((p) => p.user)]) await players.getByText(name, { exact: true }).waitFor();
    });

    await step('captains', staff, async () => {
      const { page } = staff;
      const form = page.getByRole('form', { name: 'Appoint a captain' });
      for (const c of captainsOf) {
        await form.getByLabel('Captain').selectOption({ label: `${c.user} (${c.mmr})` });
        await form.getByLabel('Team name (optional)').fill(c.team);
        await form.getByRole('button', { name: 'Appoint captain' }).click();
        await page
          .getByRole('list', { name: 'Draft order' })
          .getByRole('listitem', { name: `Team ${c.team}` })
          .waitFor();
      }
      expect((await readTournament()).teams.map((team) => [team.name, team.captain.displayName])).toEqual(captainsOf.map((c) => [c.team, c.user]));
      for (const c of captainsOf) await roster(spectator.page, c.team).getByText('Captain').waitFor();
    });

    await step('pick-timer', staff, async () => {
      const { page } = staff;
      await page.getByRole('link', { name: 'Public page' }).click();
      await page.getByRole('link', { name: 'Player draft' }).click();
      const settings = page.getByRole('form', { name: 'Draft settings' });
      await settings.getByLabel('Style').selectOption('snake');
      await settings.getByLabel('Team size (captain included)').fill('3');
      await settings.getByLabel('Pick timer in seconds').fill(String(PICK_SECONDS));
      await settings.getByRole('button', { name: 'Save settings' }).click();
      await page.getByRole('status').getByText('Settings saved.').waitFor();
      const draft = await readDraft();
      expect([draft.style, draft.teamSize, draft.pickSeconds, draft.status]).toEqual(['snake', 3, PICK_SECONDS, 'setup']);
      // The spectator moves on to the player draft, by the tournament page's link.
      await spectator.page.getByRole('link', { name: 'Player draft' }).click();
      await spectator.page.getByRole('heading', { name: `${TOURNAMENT}: player draft` }).waitFor();
      // And the captains, each from the tournament page.
      for (const c of captains) {
        await openTournament(c);
        await c.page.getByRole('link', { name: 'Player draft' }).click();
        await c.page.getByRole('heading', { name: `${TOURNAMENT}: player draft` }).waitFor();
      }
    });

    await step('open-and-start-draft', staff, async () => {
      const { page } = staff;
      await page.getByRole('button', { name: 'Open draft' }).click();
      await page.getByRole('button', { name: 'Start draft' }).click();
      await expect.poll(async () => (await readDraft()).status).toBe('running');
      expect((await readTournament()).state).toBe('drafting');
      for (const p of [spectator, ...captains]) {
        await p.page.getByTestId('whose-turn').getByText(captainsOf[0].team).waitFor();
        // The timer set in the form runs on every screen.
        await expect
          .poll(async () => Number(/Time left\s+(\d+)s$/.exec((await p.page.getByTestId('countdown').innerText()).trim())?.[1] ?? Number.NaN))
          .toBeLessThanOrEqual(PICK_SECONDS);
      }
      await amber.page.getByTestId('your-turn').waitFor();
      expect(await birch.page.getByRole('button', { name: /^Pick / }).count()).toBe(0);
    });

    await step('captains-pick', amber, async () => {
      await pick(amber, pool[0]!.user);
      await spectator.page.getByTestId('history-1').getByText(pool[0]!.user).waitFor();
      await pick(birch, pool[1]!.user);
      await spectator.page.getByTestId('history-2').getByText(pool[1]!.user).waitFor();
      await roster(spectator.page, captainsOf[1].team).getByText(pool[1]!.user).waitFor();
      // Pick 3 is Birch's again (snake): its clock runs on every screen.
      await spectator.page.getByTestId('whose-turn').getByText('Pick 3').waitFor();
      await birch.page.getByTestId('your-turn').waitFor();
    });

    await step('turn-runs-out', birch, async () => {
      // Birch lets the clock run out: the best player left is taken for them.
      const history = spectator.page.getByTestId('history-3');
      await history.getByText('auto-pick (time ran out)').waitFor({ timeout: (PICK_SECONDS + 10) * 1000 });
      expect(await history.innerText()).toContain(pool[2]!.user);
      const picks = (await readDraft()).picks;
      expect(picks.map((p) => p.method)).toEqual(['captain', 'captain', 'auto']);
      await amber.page.getByTestId('your-turn').waitFor();
    });

    await step('draft-complete', amber, async () => {
      await pick(amber, pool[3]!.user);
      for (const p of [spectator, ...captains, staff]) await p.page.getByText('Draft complete').waitFor();
      const final = await readDraft();
      expect(final.status).toBe('completed');
      const rosters = final.teams.map((team) => [team.name, team.members.map((m) => m.user.displayName)]);
      expect(rosters).toEqual([
        [captainsOf[0].team, [captainsOf[0].user, pool[0]!.user, pool[3]!.user]],
        [captainsOf[1].team, [captainsOf[1].user, pool[1]!.user, pool[2]!.user]],
      ]);
      for (const [team, members] of rosters as [string, string[]][]) {
        for (const member of members) await roster(spectator.page, team).getByText(member).first().waitFor();
      }
    });

    await step('bracket', staff, async () => {
      const { page } = staff;
      // The night moves on to playing, then staff generate the bracket.
      await page.getByRole('link', { name: 'Tournament', exact: true }).click();
      await page.getByRole('link', { name: 'Manage' }).click();
      await page.locator('[data-section="state"]').getByRole('button', { name: 'Move to playing' }).click();
      await expect.poll(async () => (await readTournament()).state).toBe('playing');
      // The spectator goes from the draft to the bracket by links.
      await spectator.page.getByRole('link', { name: 'Tournament', exact: true }).click();
      await spectator.page.getByText('playing', { exact: true }).waitFor();
      await spectator.page.getByRole('link', { name: 'Bracket' }).click();
      await spectator.page.getByText('No bracket yet.').waitFor();

      await page.getByRole('link', { name: 'Public page' }).click();
      await page.getByRole('link', { name: 'Bracket' }).click();
      const form = page.getByRole('form', { name: 'Generate a stage' });
      await form.getByLabel('Format').selectOption('single_elimination');
      await form.getByLabel('Seeding').selectOption('ranked');
      await form.getByLabel('Series', { exact: true }).selectOption('1');
      await form.getByLabel('Captains report (the other confirms)').check();
      await form.getByRole('button', { name: 'Generate stage' }).click();
      const card = seriesCard(spectator.page);
      await expect.poll(() => card.innerText()).toMatch(new RegExp(`${captainsOf[0].team}[\\s\\S]*${captainsOf[1].team}`));
      await spectator.page.getByRole('region', { name: 'Now playing' }).waitFor();
    });

    let heroDraftId = 0;
    await step('hero-draft-ready-and-toss', staff, async () => {
      const card = seriesCard(staff.page);
      await card.getByRole('button', { name: 'Games and hero drafts' }).click();
      await card.getByRole('button', { name: 'Start hero draft for game 1' }).click();
      // The spectator's card offers the draft live; they and the captains follow that link.
      const live = seriesCard(spectator.page).getByRole('link', { name: 'Hero draft live (game 1)' });
      await live.waitFor();
      heroDraftId = Number(/\/herodrafts\/(\d+)$/.exec((await live.getAttribute('href'))!)![1]);
      await live.click();
      for (const c of captains) {
        await c.page.getByRole('link', { name: 'Tournament', exact: true }).click();
        await c.page.getByRole('link', { name: 'Bracket' }).click();
        await seriesCard(c.page).getByRole('link', { name: 'Hero draft live (game 1)' }).click();
      }
      await spectator.page.getByText('Waiting for both captains to ready up').waitFor();
      for (const c of captains) await c.page.getByTestId('ready').click();
      // The toss is the hub's: its winner takes first pick, the other captain Radiant.
      const toss = spectator.page.getByTestId('toss');
      await toss.waitFor();
      const winner = (await toss.innerText()).includes(captainsOf[0].team) ? 0 : 1;
      await captains[winner].page.getByRole('button', { name: 'First pick' }).click();
      await captains[1 - winner]!.page.getByRole('button', { name: 'Radiant' }).click();
      for (const p of [spectator, ...captains]) await expect.poll(() => p.page.getByTestId('status').getAttribute('data-status')).toBe('drafting');
    });

    await step('hero-draft-24-steps', amber, async () => {
      const view = (await t.client().get(`/api/herodrafts/${heroDraftId}`)).body as HeroDraftView;
      // The draft's team slots (0, 1) by team name, then by captain's browser.
      const captainOfSlot = view.teams.map((team) => captains[captainsOf.findIndex((c) => c.team === team.name)]!);
      for (let i = 0; i < 24; i++) {
        const turn = spectator.page.locator(`[data-testid=turn][data-step="${i}"]`);
        await turn.waitFor();
        const captain = captainOfSlot[Number(await turn.getAttribute('data-team'))]!;
        // The captain's page is on this step too before choosing (else a tile may be a step old).
        await captain.page.locator(`[data-testid=turn][data-step="${i}"]`).waitFor();
        const tile = captain.page.locator('[data-testid=hero-grid] [data-hero-id]:enabled').first();
        const hero = Number(await tile.getAttribute('data-hero-id'));
        await tile.click();
        await captain.page.getByTestId('lock-in').click();
        await expect.poll(() => spectator.page.getByTestId(`step-hero-${i}`).innerText()).toBe(heroName(hero));
      }
      for (const p of [spectator, ...captains]) await expect.poll(() => p.page.getByTestId('status').getAttribute('data-status')).toBe('completed');
      for (const slot of [0, 1]) {
        await expect.poll(() => spectator.page.locator(`[data-testid=picks-${slot}] [data-hero]`).count()).toBe(5);
        expect(await spectator.page.locator(`[data-testid=bans-${slot}] [data-hero]`).count()).toBe(7);
      }
      expect(((await t.client().get(`/api/herodrafts/${heroDraftId}`)).body as HeroDraftView).status).toBe('completed');
    });

    await step('report-and-confirm', amber, async () => {
      // Back to the bracket (the hero-draft page has no link to its series): browser history, not a reload.
      for (const p of [spectator, ...captains]) await p.page.goBack({ waitUntil: 'commit' });
      const reported = seriesCard(spectator.page).getByText(`${captainsOf[0].team}'s captain reported 1–0: awaiting confirmation`);
      await seriesCard(amber.page)
        .getByRole('button', { name: `${captainsOf[0].team} won` })
        .click();
      await reported.waitFor();
      await seriesCard(birch.page).getByRole('button', { name: 'Confirm result' }).click();
      const done = seriesCard(spectator.page).and(spectator.page.locator('[data-status="done"]'));
      await done.waitFor();
      expect(await done.locator('.side.winner .name').innerText()).toBe(captainsOf[0].team);
    });

    await step('placements', staff, async () => {
      const placements = spectator.page.getByRole('region', { name: 'Placements' });
      await placements.waitFor();
      expect((await placements.locator('li').allInnerTexts()).map((s) => s.trim())).toEqual([`1. ${captainsOf[0].team}`, `2. ${captainsOf[1].team}`]);
      const stored = (await readTournament()).placements;
      expect([stored.source, stored.items.map((p) => [p.place, p.team.name])]).toEqual([
        'bracket',
        [
          [1, captainsOf[0].team],
          [2, captainsOf[1].team],
        ],
      ]);
    });

    await step('night-finished', staff, async () => {
      const { page } = staff;
      await page.getByRole('link', { name: 'Tournament', exact: true }).click();
      await page.getByRole('link', { name: 'Manage' }).click();
      await page.locator('[data-section="state"]').getByRole('button', { name: 'Move to finished' }).click();
      await page.locator('[data-section="state"]').getByText('This tournament is finished.').waitFor();
      await spectator.page.getByRole('link', { name: 'Tournament', exact: true }).click();
      await spectator.page.getByLabel('State: finished').waitFor();
      // The tournament page says how the night ended: the bracket's placements.
      const final = spectator.page.getByRole('list', { name: 'Final placements' });
      await expect
        .poll(async () => (await final.getByRole('listitem').allInnerTexts()).map((s) => s.replace(/\s+/g, ' ').trim()))
        .toEqual([expect.stringContaining(captainsOf[0].team), expect.stringContaining(captainsOf[1].team)]);
      await spectator.page.getByText('From the bracket.').waitFor();
      expect((await readTournament()).state).toBe('finished');
    });
  });
});
