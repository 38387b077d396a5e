import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeOpenDota, startFakeOpenDota } from '../support/fake-opendota';
import { type FakeLiveGame, type FakeSteam, startFakeSteam } from '../support/fake-steam';
import { startHub, type TestHub } from '../support/hub';
import { eventually, finishedMatch, range, twoTeamSeries } from '../steam/fixtures';
import { ensureClientBuilt, openBrowser, removeProfiles } from './browser';

/**
 * Live games in a real browser: the fake Steam serves a league game whose scoreboard changes;
 * a spectator's live page updates in place (no reload), then shows the game finished with its
 * result, which the hub has fed into the bracket.
 */

const LEAGUE = 17000;
const MATCH = 8_400_000_001;
const BASE = 900000;

function game(radiantKills: number, radiantWorth: number): FakeLiveGame {
  return {
    match_id: MATCH,
    lobby_id: 27110133270419999n,
    league_id: LEAGUE,
    radiant_team: 'Alpha',
    dire_team: 'Bravo',
    duration: 900 + radiantKills * 30,
    radiant_score: radiantKills,
    dire_score: 2,
    players: range(BASE, 10).map((a, i) => ({
      account_id: a,
      name: `player${i}`,
      hero_id: i + 1,
      team: i < 5 ? 0 : 1,
      kills: i === 0 ? radiantKills : 0,
      net_worth: i < 5 ? radiantWorth : 4000,
    })) as FakeLiveGame['players'],
  };
}

describe('live games page in a browser', () => {
  let steam: FakeSteam;
  let od: FakeOpenDota;
  let t: TestHub;
  let context: BrowserContext;
  let page: Page;
  let errors: string[] = [];

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
    ({ context, page, errors } = await openBrowser(t.url));
  });
  afterAll(async () => {
    await context?.close();
    await t?.close();
    await Promise.all([steam?.close(), od?.close()]);
    removeProfiles();
  });

  it('ST5 RT1 a spectator sees the scoreboard change without reloading, then the game finished with its result in the bracket', async () => {
    const staff = await t.login('e2elivestaff', 'staff');
    const s = await twoTeamSeries(t, staff, BASE);
    steam.setLiveGames(LEAGUE, [game(3, 5000)]);
    await eventually(async () => (await t.client().get('/api/live')).body.games.length === 1, 'the game on /api/live');

    await page.goto(`${t.url}/live`);
    const card = page.locator(`article[data-match="${MATCH}"]`);
    await card.waitFor();
    await expect.poll(() => card.locator('.kills').textContent()).toBe('3 – 2');
    await expect.poll(() => card.locator('.gold-lead').textContent()).toContain('Alpha +5.0k');
    // Marks this page load: it must survive every update below (no reload).
    await page.evaluate(() => ((globalThis as unknown as { loadMark: number }).loadMark = 42));

    steam.setLiveGames(LEAGUE, [game(6, 7000)]);
    await expect.poll(() => card.locator('.kills').textContent()).toBe('6 – 2');
    await expect.poll(() => card.locator('.gold-lead').textContent()).toContain('Alpha +15.0k');
    expect(await card.locator('polyline').count()).toBe(1);

    // The game ends: the league no longer lists it; OpenDota has the result (Alpha, on Radiant, won).
    od.addMatch(finishedMatch(MATCH, range(BASE, 5), range(BASE + 5, 5), true));
    steam.setLiveGames(LEAGUE, []);
    await expect.poll(() => card.getAttribute('data-status'), { timeout: 10_000 }).toBe('finished');
    await expect.poll(() => card.locator('.result').textContent(), { timeout: 10_000 }).toContain('Alpha won');
    await expect.poll(() => card.locator('.bracket-link').textContent(), { timeout: 10_000 }).toContain('Result in the bracket: Alpha vs Bravo');
    expect(await page.evaluate(() => (globalThis as unknown as { loadMark?: number }).loadMark)).toBe(42);

    const bracket = await t.client().get(`/api/tournaments/${s.id}/bracket`);
    const series = bracket.body.stages[0].matches.find((m: { id: number }) => m.id === s.seriesId);
    expect(series).toMatchObject({ status: 'done', winner: series.teamA.name === 'Alpha' ? 'a' : 'b' });
    expect(series.games[0]).toMatchObject({ steamMatchId: String(MATCH) });
    expect(errors).toEqual([]);
  });
});
