import fs from 'node:fs';
import http from 'node:http';
import zlib from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHub, type TestHub } from '../support/hub';
import { ensureClientBuilt } from '../e2e/browser';

/**
 * What the hub sends a browser for the client and the API: compressed when the browser accepts
 * it (raw bytes read here, not through fetch, which would decompress them), hashed assets cached
 * for good, index.html revalidated each time.
 */

interface Raw {
  status: number;
  headers: http.IncomingHttpHeaders;
  bytes: Buffer;
}

function get(url: string, headers: Record<string, string> = {}): Promise<Raw> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, bytes: Buffer.concat(chunks) }));
      })
      .on('error', reject);
  });
}

const decode = (raw: Raw) =>
  raw.headers['content-encoding'] === 'br'
    ? zlib.brotliDecompressSync(raw.bytes)
    : raw.headers['content-encoding'] === 'gzip'
      ? zlib.gunzipSync(raw.bytes)
      : raw.bytes;

describe('compression and caching of what the hub serves', () => {
  let t: TestHub;
  let script = '';
  let stylesheet = '';

  beforeAll(async () => {
    ensureClientBuilt();
    t = await startHub({ db: 'sqlite' });
    const html = (await get(`${t.url}/`)).bytes.toString();
    script = /src="(\/assets\/[^"]+\.js)"/.exec(html)?.[1] ?? '';
    stylesheet = /href="(\/assets\/[^"]+\.css)"/.exec(html)?.[1] ?? '';
  }, 120_000);

  afterAll(async () => {
    await t?.close();
  });

  it('UI40 the client script and stylesheet are sent brotli- or gzip-compressed to a browser that accepts it, plain otherwise', async () => {
    expect(script).toMatch(/^\/assets\/index-[\w-]+\.js$/);
    expect(stylesheet).toMatch(/^\/assets\/index-[\w-]+\.css$/);
    for (const asset of [script, stylesheet]) {
      const plain = await get(`${t.url}${asset}`);
      expect(plain.status).toBe(200);
      expect(plain.headers['content-encoding']).toBeUndefined();
      expect(plain.headers.vary).toMatch(/accept-encoding/i);
      for (const [accept, coding] of [
        ['gzip, deflate, br, zstd', 'br'],
        ['gzip, deflate', 'gzip'],
        ['br;q=0, gzip', 'gzip'],
      ] as const) {
        const packed = await get(`${t.url}${asset}`, { 'accept-encoding': accept });
        expect(packed.status, `${asset} with ${accept}`).toBe(200);
        expect(packed.headers['content-encoding'], `${asset} with ${accept}`).toBe(coding);
        expect(packed.headers['content-type']).toMatch(asset.endsWith('.js') ? /^text\/javascript/ : /^text\/css/);
        expect(packed.headers.vary).toMatch(/accept-encoding/i);
        expect(packed.bytes.length).toBeLessThan(plain.bytes.length / 2);
        expect(decode(packed).equals(plain.bytes)).toBe(true);
      }
    }
    // The main script is the biggest response of the home page: sent as small as brotli at its
    // best quality makes it (a fixed ratio broke as the script grew: 3.47x one day).
    const js = await get(`${t.url}${script}`, { 'accept-encoding': 'br' });
    const best = zlib.brotliCompressSync(decode(js), { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 11 } });
    expect(js.bytes.length).toBeLessThanOrEqual(best.length * 1.02);
    expect(js.bytes.length * 3).toBeLessThan(decode(js).length);
  });

  it('UI41 hashed assets may be kept for a year unchanged; index.html (the SPA fallback too) is revalidated on every load', async () => {
    for (const accept of ['br', 'identity']) {
      const asset = await get(`${t.url}${script}`, { 'accept-encoding': accept });
      expect(asset.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    }
    for (const page of ['/', '/tournaments/1/draft', '/index.html']) {
      const html = await get(`${t.url}${page}`, { 'accept-encoding': 'br' });
      expect(html.status, page).toBe(200);
      expect(html.headers['content-type']).toMatch(/^text\/html/);
      expect(html.headers['cache-control'], page).toBe('no-cache');
      expect(html.headers['cache-control']).not.toMatch(/immutable|max-age=[1-9]/);
    }
    // An asset that is not there is a 404, not the SPA's HTML (which a browser would run as a script).
    const missing = await get(`${t.url}/assets/index-gone.js`, { 'accept-encoding': 'br' });
    expect(missing.status).toBe(404);
    expect(missing.headers['content-type']).toMatch(/^text\/plain/);
    expect(missing.headers['cache-control'] ?? '').not.toMatch(/immutable/);
  });

  it('UI42 the build splits the client by page: the home page loads only the shell, other pages load their own chunk', async () => {
    const assets = fs.readdirSync('dist/client/assets');
    const chunk = (name: string) => assets.find((f) => f.startsWith(`${name}-`) && f.endsWith('.js'));
    for (const page of ['DraftPage', 'HeroDraftPage', 'BracketPage', 'ManagePage']) {
      expect(chunk(page), page).toBeDefined();
      expect(fs.existsSync(`dist/client/assets/${chunk(page)}.br`)).toBe(true);
    }
    const html = (await get(`${t.url}/`)).bytes.toString();
    expect(html).not.toMatch(/DraftPage|BracketPage|ManagePage/);
  });

  it('UI43 large API answers are compressed, those from the read cache too, and still answer 304 to their ETag', async () => {
    for (let i = 0; i < 15; i++) await t.login(`compressed_user_${i}`);
    const url = `${t.url}/api/users?limit=50`;
    const plain = await get(url);
    expect(plain.bytes.length).toBeGreaterThan(1024);
    expect(plain.headers['content-encoding']).toBeUndefined();
    for (let round = 0; round < 2; round++) {
      // The second read is a hit of the read cache: its prebuilt bytes are compressed just the same.
      const packed = await get(url, { 'accept-encoding': 'gzip, deflate, br' });
      expect(packed.status).toBe(200);
      expect(packed.headers['content-encoding']).toBe('br');
      expect(packed.headers.vary).toMatch(/accept-encoding/i);
      expect(packed.bytes.length).toBeLessThan(plain.bytes.length);
      expect(JSON.parse(decode(packed).toString())).toEqual(JSON.parse(plain.bytes.toString()));
      const again = await get(url, { 'accept-encoding': 'br', 'if-none-match': String(packed.headers.etag) });
      expect(again.status).toBe(304);
    }
    // Small answers are not worth it.
    const me = await get(`${t.url}/api/me`, { 'accept-encoding': 'br' });
    expect(me.bytes.length).toBeLessThan(1024);
    expect(me.headers['content-encoding']).toBeUndefined();
  });
});
