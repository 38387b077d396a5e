import { execSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { killAll, ROOT, spawnHub, tempDir, type HubProcess } from './hub-process';

/**
 * The first command on a fresh machine: `npm start` with no configuration at all. Here the
 * hub runs as `node --import tsx server/main.ts` (what `npm start` runs after building the
 * client) on a fresh SQLite file, with no Redis and no Discord.
 */
describe('a fresh start with no configuration', () => {
  const tmp = tempDir();
  // A folder that does not exist yet: the hub creates it, as it creates ./data on a fresh clone.
  const sqliteFile = path.join(tmp.dir, 'data', 'dtx.sqlite');
  let hub: HubProcess;
  let url: string;

  beforeAll(async () => {
    if (!fs.existsSync(path.join(ROOT, 'dist/client/index.html'))) {
      execSync('npm run build', { cwd: ROOT, stdio: 'pipe', timeout: 180_000 });
    }
    hub = spawnHub({ PORT: '0', HOST: '127.0.0.1', SQLITE_FILE: sqliteFile });
    url = `http://127.0.0.1:${await hub.port}`;
  }, 240_000);

  afterAll(() => {
    killAll();
    tmp.remove();
  });

  const get = (p: string) => fetch(url + p, { redirect: 'manual' });

  it('applies the migrations to a new SQLite file: GET /api/tournaments answers 200', async () => {
    expect(fs.existsSync(sqliteFile)).toBe(true);
    const res = await get('/api/tournaments');
    expect(res.status).toBe(200);
    const body = (await res.json()) as { items: unknown[] };
    expect(body.items).toEqual([]);
  });

  it('answers /healthz and /readyz (database only: no Redis configured)', async () => {
    const health = await get('/healthz');
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ status: 'ok' });
    const ready = await get('/readyz');
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ok', checks: { database: 'ok' } });
  });

  it('serves the built client at / with its assets', async () => {
    const res = await get('/');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/html');
    const html = await res.text();
    expect(html).toMatch(/<div id="app">/);
    const script = /<script[^>]+src="([^"]+\.js)"/.exec(html)?.[1];
    expect(script, 'index.html loads a script').toBeDefined();
    const asset = await get(script!);
    expect(asset.status).toBe(200);
    expect(asset.headers.get('content-type')).toMatch(/javascript/);
  });

  it('falls back to the client for its routes (/tournaments/1), not for unknown API routes', async () => {
    const index = await (await get('/')).text();
    const deep = await get('/tournaments/1');
    expect(deep.status).toBe(200);
    expect(deep.headers.get('content-type')).toContain('text/html');
    // The same SPA; only its link-preview URL names the page (tournament 1 does not exist: the site's card).
    const withoutUrl = (html: string) => html.replace(/<meta property="og:url" content="[^"]*" \/>/, '');
    expect(withoutUrl(await deep.text())).toBe(withoutUrl(index));
    expect(index).toContain('<meta property="og:url" content="http://localhost:0/" />');

    const api = await get('/api/no-such-thing');
    expect(api.status).toBe(404);
    expect(((await api.json()) as { error: { code: string } }).error.code).toBe('not_found');
  });

  it('offers the development login (no Discord, not production)', async () => {
    const page = await get('/auth/dev');
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toContain('text/html');
    expect(await page.text()).toContain('Development login');
    const me = (await (await get('/api/me')).json()) as { user: unknown; login: { devLogin: boolean; discord: boolean } };
    expect(me.user).toBeNull();
    expect(me.login).toEqual({ devLogin: true, discord: false });
  });

  it('stops on SIGTERM with exit code 0 within a few seconds', async () => {
    const exit = await hub.stop(10_000);
    expect(exit.code, hub.stderr()).toBe(0);
    expect(exit.ms).toBeLessThan(5_000);
    expect(hub.stderr()).toBe('');
  });
});
