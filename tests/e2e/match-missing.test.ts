import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHub, type TestHub } from '../support/hub';
import { ensureClientBuilt, openBrowser, removeProfiles, type TestBrowser } from './browser';

/**
 * A match the hub has never seen, on a hub without a Steam key: the page says what happened,
 * that live games are off and why, and offers a way back (followed by a click).
 */

describe('an unknown match in a browser', () => {
  let t: TestHub;
  let b: TestBrowser;

  beforeAll(async () => {
    ensureClientBuilt();
    t = await startHub({ db: 'sqlite', env: { STEAM_API_KEY: '' } });
    b = await openBrowser(t.url, { viewport: { width: 390, height: 844 } });
  }, 60_000);

  afterAll(async () => {
    await b?.context.close();
    await t?.close();
    removeProfiles();
  });

  it('UI26 /match/<unknown id> has a heading, a plain sentence, says live games are off, and links back', { timeout: 30_000 }, async () => {
    const { page } = b;
    await page.goto(`${t.url}/match/8400000999`, { waitUntil: 'domcontentloaded' });
    const heading = page.getByRole('heading', { level: 1 });
    await expect.poll(() => heading.innerText()).toBe('Match 8400000999 not found');
    expect(await page.getByTestId('match-missing').innerText()).toMatch(/has not seen match 8400000999/);
    const off = page.getByTestId('live-off');
    await off.waitFor();
    expect(await off.innerText()).toMatch(/^Live games are off on this hub: .*STEAM_API_KEY/);
    // No bare error box.
    expect(await page.getByRole('alert').count()).toBe(0);
    expect(await page.title()).toBe('Match 8400000999 not found · DTX Hub');

    await page.locator('main').getByRole('link', { name: 'Live games' }).click();
    await page.waitForURL(`${t.url}/live`);
    await page.goBack();
    await heading.waitFor();
    await page.locator('main').getByRole('link', { name: 'Back to the tournaments' }).click();
    await page.waitForURL(`${t.url}/`);
    expect(b.errors).toEqual([]);
  });
});
