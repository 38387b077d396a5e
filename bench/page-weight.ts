/**
 * Bytes a browser transfers to show the home page, as Chromium counts them (bodies as sent,
 * so compressed when the server compresses, plus headers), on a fresh profile: nothing cached.
 * Run: `node --import tsx bench/page-weight.ts` (builds the client first when it is stale).
 */
import { chromium } from 'playwright-core';
import { startHub } from '../tests/support/hub';
import { ensureClientBuilt } from '../tests/e2e/browser';

ensureClientBuilt();
const t = await startHub({ db: 'sqlite' });
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu'] });
try {
  const page = await browser.newPage();
  const rows: { path: string; encoding: string; body: number; headers: number }[] = [];
  const sizes: Promise<void>[] = [];
  page.on('requestfinished', (request) => {
    sizes.push(
      (async () => {
        const [s, response] = await Promise.all([request.sizes(), request.response()]);
        const encoding = (await response?.allHeaders())?.['content-encoding'] ?? 'identity';
        rows.push({ path: new URL(request.url()).pathname, encoding, body: s.responseBodySize, headers: s.responseHeadersSize });
      })(),
    );
  });
  await page.goto(`${t.url}/`, { waitUntil: 'networkidle' });
  await Promise.all(sizes);
  const total = rows.reduce((sum, r) => sum + r.body + r.headers, 0);
  for (const r of rows) console.log(`${r.path.padEnd(48)} ${r.encoding.padEnd(9)} ${String(r.body).padStart(8)} B body + ${r.headers} B headers`);
  console.log(`home page: ${rows.length} responses, ${total} B transferred (${(total / 1024).toFixed(1)} KiB)`);
} finally {
  await browser.close();
  await t.close();
}
