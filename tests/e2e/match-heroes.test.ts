import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allHeroes } from '../../server/herodraft/heroes';
import { type FakeOpenDota, startFakeOpenDota } from '../support/fake-opendota';
import { type FakeLiveGame, type FakeSteam, startFakeSteam } from '../support/fake-steam';
import { startHub, type TestHub } from '../support/hub';
import { eventually, finishedMatch, range, steamId64 } from '../steam/fixtures';
import { cookieJar, ensureClientBuilt, openBrowser, removeProfiles, type TestBrowser } from './browser';

/**
 * Heroes by name outside the hero draft: the live scoreboard, the finished match's table and a
 * player's recent matches show "Pudge", not "#14". The hub's browsers cannot reach the image CDN,
 * so this also checks that a failed portrait leaves the name alone.
 */

const LEAGUE = 17100;
const MATCH = 8_400_000_777;
const BASE = 910000;
// Pudge (14) for Radiant's first player, an id the hub does not know (newer than its list), and
// a player who has not picked yet (Steam says 0).
const LIVE_HEROES = [14, 1, 155, 2, 3, 4, 5, 6, 9999, 0];

const nameOf = (id: number) => allHeroes().find((h) => h.id === id)!.localizedName;

function liveGame(): FakeLiveGame {
  return {
    match_id: MATCH,
    lobby_id: 27110133270418888n,
    league_id: LEAGUE,
    radiant_team: 'Alpha',
    dire_team: 'Bravo',
    duration: 1200,
    radiant_score: 5,
    dire_score: 3,
    players: range(BASE, 10).map((a, i) => ({
      account_id: a,
      name: `player${i}`,
      hero_id: LIVE_HEROES[i]!,
      team: i < 5 ? 0 : 1,
      net_worth: 5000,
    })) as FakeLiveGame['players'],
  };
}

/** Names arrive with the hero list, a moment after the rows. */
const poll = <T>(fn: () => Promise<T>) => expect.poll(fn, { timeout: 5000 });
/** The visible text of the page's main content. */
const text = (b: TestBrowser) => b.page.locator('main').innerText();

describe('hero names on match pages in a browser', () => {
  let steam: FakeSteam;
  let od: FakeOpenDota;
  let t: TestHub;
  // One browser for the file (a launch costs seconds): the phone test resizes it, the lookup logs it in.
  let b: TestBrowser;

  beforeAll(async () => {
    ensureClientBuilt();
    [steam, od] = await Promise.all([startFakeSteam(), startFakeOpenDota()]);
    t = await startHub({
      env: {
        ...steam.env(),
        ...od.env(),
        STEAM_LEAGUE_IDS: String(LEAGUE),
        STEAM_RATE_MS: '10',
        STEAM_SEQ_RATE_MS: '10',
        OPENDOTA_RATE_MS: '10',
        STEAM_BACKOFF_MS: '200',
        STEAM_LIVE_POLL_MS: '100',
      },
    });
    b = await openBrowser(t.url);
  });
  afterAll(async () => {
    await b?.context.close();
    await t?.close();
    await Promise.all([steam?.close(), od?.close()]);
    removeProfiles();
  });

  it('the live scoreboard, then the finished match, name every hero; unknown ids read #id', { timeout: 60_000 }, async () => {
    steam.setLiveGames(LEAGUE, [liveGame()]);
    await eventually(async () => (await t.client().get(`/api/matches/${MATCH}`)).body.live !== null, 'the live game on its match page');

    await b.page.goto(`${t.url}/match/${MATCH}`);
    const radiant = b.page.locator('table[aria-label="Alpha scoreboard"]');
    await radiant.waitFor();
    await poll(() => radiant.locator('[data-hero="14"]').innerText()).toBe('Pudge');
    await poll(() => radiant.locator('[data-hero="155"]').innerText()).toBe('Largo');
    const dire = b.page.locator('table[aria-label="Bravo scoreboard"]');
    await poll(() => dire.locator('[data-hero="9999"]').innerText()).toBe('#9999');
    expect(await dire.locator('tbody tr').nth(4).locator('td').nth(1).innerText()).toBe('–'); // not picked yet
    for (const id of [1, 2, 3, 4, 5, 6]) expect(await b.page.locator(`[data-hero="${id}"]`).innerText()).toBe(nameOf(id));
    // The CDN is out of reach: the portraits go, the names stay.
    await poll(() => b.page.locator('table.scoreboard img').count()).toBe(0);
    expect(await text(b)).not.toMatch(/#(14|1|155)\b/);

    // The game ends; OpenDota has the result (heroes 10–19: Pudge is Radiant's fifth player).
    od.addMatch(finishedMatch(MATCH, range(BASE, 5), range(BASE + 5, 5), true));
    steam.setLiveGames(LEAGUE, []);
    const stats = b.page.locator('table.stats');
    await stats.waitFor({ timeout: 15_000 });
    const heroCells = stats.locator('tbody tr td:nth-child(3)');
    await poll(() => heroCells.allInnerTexts()).toEqual(range(10, 10).map(nameOf));
    expect(await heroCells.nth(4).innerText()).toBe('Pudge');
    expect(await text(b)).not.toMatch(/#1\d\b/);
    expect(b.errors).toEqual([]);
  });

  it('on a phone the finished match still names heroes, and only the table scrolls sideways', { timeout: 30_000 }, async () => {
    await eventually(async () => (await t.client().get(`/api/matches/${MATCH}`)).body.match !== null, 'the imported match');
    await b.page.setViewportSize({ width: 375, height: 740 });
    await b.page.goto(`${t.url}/match/${MATCH}`);
    const pudge = b.page.locator('table.stats [data-hero="14"]');
    await poll(() => pudge.innerText()).toBe('Pudge');
    expect(await pudge.isVisible()).toBe(true);
    // No sideways scroll of the page itself (the tests' tsconfig has no DOM types: a string runs in the page).
    expect(await b.page.evaluate('document.documentElement.scrollWidth <= window.innerWidth')).toBe(true);
    expect(b.errors).toEqual([]);
  });

  it("a player's recent matches in the Steam lookup name the hero", { timeout: 30_000 }, async () => {
    const account = BASE + 4; // played Pudge in the finished match
    const match = finishedMatch(MATCH, range(BASE, 5), range(BASE + 5, 5), true);
    steam.setPlayer({ steamid: steamId64(account), personaname: 'Hook Master' });
    steam.setHistory(account, [match]);
    od.setProfile(account, { personaname: 'Hook Master', steamid: steamId64(account) });
    od.setRecent(account, [match]);
    const user = await t.login('heroes_looker');
    await b.page.setViewportSize({ width: 1280, height: 900 });
    await b.context.addCookies(cookieJar(user.cookieHeader(), t.url));
    await b.page.goto(`${t.url}/profile`);
    const lookup = b.page.locator('section[aria-label="Steam lookup"]');
    await lookup.locator('input[name=q]').fill(steamId64(account));
    await lookup.locator('button[type=submit]').click();
    const row = lookup.locator(`tr:has(a[href="/match/${MATCH}"])`);
    await poll(() => row.locator('[data-hero="14"]').innerText()).toBe('Pudge');
    expect(await lookup.innerText()).not.toContain('#14');
    expect(b.errors).toEqual([]);
  });
});
