import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

/** Builds the client when dist is missing or older than its sources (as `npm start` does). */
export function ensureClientBuilt() {
  const index = path.resolve('dist/client/index.html');
  const newest = (dir: string): number =>
    fs.readdirSync(dir, { withFileTypes: true }).reduce((max, entry) => {
      const full = path.join(dir, entry.name);
      return Math.max(max, entry.isDirectory() ? newest(full) : fs.statSync(full).mtimeMs);
    }, 0);
  const built = fs.existsSync(index) ? fs.statSync(index).mtimeMs : 0;
  if (built < Math.max(newest('client'), newest('shared'))) execFileSync('npm', ['run', 'build'], { stdio: 'pipe' });
}

/** A `name=value; name2=value2` header (a test client's session) as browser cookies for the hub. */
export const cookieJar = (header: string, url: string) =>
  header
    .split('; ')
    .filter(Boolean)
    .map((pair) => ({ name: pair.slice(0, pair.indexOf('=')), value: pair.slice(pair.indexOf('=') + 1), url }));

export interface TestBrowser {
  context: BrowserContext;
  page: Page;
  /** Uncaught page errors, in order. */
  errors: string[];
}

const profiles: string[] = [];

/**
 * Debian's chromium on a fresh profile, hermetic (only the hub's host answers: anything else,
 * e.g. avatars from Discord's CDN, fails fast), logged in when given a test client's cookies.
 */
export async function openBrowser(
  hubUrl: string,
  options: {
    cookies?: string;
    viewport?: { width: number; height: number };
    timezoneId?: string;
    locale?: string;
    /** Lets a test add its own script tags (axe-core) despite the hub's Content-Security-Policy. */
    bypassCSP?: boolean;
  } = {},
): Promise<TestBrowser> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dtx-e2e-'));
  profiles.push(dir);
  const context = await chromium.launchPersistentContext(dir, {
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
    viewport: options.viewport ?? { width: 1280, height: 900 },
    ...(options.timezoneId ? { timezoneId: options.timezoneId } : {}),
    ...(options.locale ? { locale: options.locale } : {}),
    ...(options.bypassCSP ? { bypassCSP: true } : {}),
  });
  context.setDefaultTimeout(10_000);
  const local = new URL(hubUrl).hostname;
  await context.route(
    (url) => url.hostname !== local,
    (route) => route.abort(),
  );
  const jar = cookieJar(options.cookies ?? '', hubUrl);
  if (jar.length) await context.addCookies(jar);
  const page = context.pages()[0] ?? (await context.newPage());
  const errors: string[] = [];
  page.on('pageerror', (err) => errors.push(err.message));
  return { context, page, errors };
}

/** Deletes the profiles this file's browsers used (after their contexts are closed). */
export function removeProfiles() {
  for (const dir of profiles.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
}
