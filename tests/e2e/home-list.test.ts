import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHub, type TestHub } from '../support/hub';
import { ensureClientBuilt, openBrowser, removeProfiles, type TestBrowser } from './browser';

/**
 * The home page's tournament list follows new tournaments without a reload: no room announces
 * them, so the page reads the list again while it is in view.
 */
describe('the home page tournament list in a browser', () => {
  let t: TestHub;
  let b: TestBrowser;

  beforeAll(async () => {
    ensureClientBuilt();
    t = await startHub({ db: 'sqlite' });
    b = await openBrowser(t.url, { viewport: { width: 390, height: 844 } });
  }, 60_000);

  afterAll(async () => {
    await b?.context.close();
    await t?.close();
    removeProfiles();
  });

  it('UI28 a tournament created while a spectator has the home page open appears there without a reload', { timeout: 60_000 }, async () => {
    const { page } = b;
    await page.goto(`${t.url}/`, { waitUntil: 'domcontentloaded' });
    await page.getByText('No tournaments yet.').waitFor();
    await page.evaluate('window.__notReloaded = true');
    // Someone else (staff, elsewhere) creates one.
    const staff = await t.login('homestaff', 'staff');
    expect((await staff.post('/api/tournaments', { name: 'Arrives Live Cup', startsAt: '2030-06-01T18:00:00Z' })).status).toBe(201);
    await page.getByRole('link', { name: 'Arrives Live Cup' }).waitFor({ timeout: 25_000 });
    expect(await page.evaluate('window.__notReloaded')).toBe(true);
    expect(b.errors).toEqual([]);
  });
});
