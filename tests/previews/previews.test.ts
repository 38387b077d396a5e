import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { escapeHtml, previewTarget, withPreview } from '../../server/previews/preview.rules';
import { DATABASES } from '../support/databases';
import type { HttpClient } from '../support/http';
import { startHub, type TestHub } from '../support/hub';
import { setupHeroDraft } from '../herodraft/fixtures';

/** A client build's index.html as Vite writes it (the tests do not need the real one). */
const INDEX = `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <title>DTX Hub</title>
    <script type="module" crossorigin src="/assets/index-abc.js"></script>
  </head>
  <body>
    <div id="app"></div>
  </body>
</html>
`;

/** The content of a meta tag (property= or name=), as a crawler reads it. */
function meta(html: string, key: string): string | undefined {
  const m = new RegExp(`<meta (?:property|name)="${key.replace(':', '\\:')}" content="([^"]*)" />`).exec(html);
  return m?.[1];
}
const unescape = (s: string | undefined) =>
  s
    ?.replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&');

describe('UI111 link previews: which pages have a card of their own', () => {
  it('UI111 tournament pages, hero drafts and players are recognised; other paths get the site card', () => {
    expect(previewTarget('/tournaments/12')).toEqual({ kind: 'tournament', id: 12, page: 'overview' });
    expect(previewTarget('/tournaments/12/bracket')).toEqual({ kind: 'tournament', id: 12, page: 'bracket' });
    expect(previewTarget('/tournaments/12/draft/')).toEqual({ kind: 'tournament', id: 12, page: 'draft' });
    expect(previewTarget('/herodrafts/3')).toEqual({ kind: 'herodraft', id: 3 });
    expect(previewTarget('/users/7')).toEqual({ kind: 'player', id: 7 });
    for (const other of ['/', '/leagues', '/tournaments/0', '/tournaments/12/manage', '/users/x', '/tournaments/99999999999'])
      expect(previewTarget(other), other).toBeNull();
  });

  it('UI112 every value is escaped, and the card goes into the head with the page title', () => {
    const evil = `<script>"&'`;
    expect(escapeHtml(evil)).toBe('&lt;script&gt;&quot;&amp;&#39;');
    const html = withPreview(INDEX, { title: evil, description: `a "quoted" </head> desc` }, 'http://hub.example/x?a=1&b=2');
    const head = html.slice(0, html.indexOf('</head>'));
    expect(head).not.toContain('<script>"');
    expect(head).toContain('<title>&lt;script&gt;&quot;&amp;&#39; · DTX Hub</title>');
    expect(meta(head, 'og:title')).toBe('&lt;script&gt;&quot;&amp;&#39;');
    expect(meta(head, 'og:url')).toBe('http://hub.example/x?a=1&amp;b=2');
    expect(unescape(meta(head, 'og:description'))).toBe('a "quoted" </head> desc');
    // The SPA's own tags and body are untouched.
    expect(html).toContain('<script type="module" crossorigin src="/assets/index-abc.js"></script>');
    expect(html).toContain('<div id="app"></div>');
  });
});

describe.each(DATABASES)('UI113 link previews from the served page [%s]', (db) => {
  let t: TestHub;
  let staff: HttpClient;
  let dir: string;

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dtx-client-'));
    fs.writeFileSync(path.join(dir, 'index.html'), INDEX);
    t = await startHub({ db, env: { CLIENT_DIST: dir } });
    staff = await t.login('previewstaff', 'staff');
  });
  afterAll(async () => {
    await t?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const page = async (p: string) => {
    const res = await t.client().get(p);
    expect(res.status, p).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    return res.text;
  };

  it('UI113 a tournament link shows its name, description and start; its bracket says so; a rename shows at once', async () => {
    const created = await staff.post('/api/tournaments', {
      name: `Winter <Cup> & "Co"`,
      description: 'Eight teams, one night.',
      startsAt: '2030-05-01T18:00:00Z',
    });
    expect(created.status, created.text).toBe(201);
    const id = created.body.id as number;
    const html = await page(`/tournaments/${id}`);
    expect(meta(html, 'og:site_name')).toBe('DTX Hub');
    expect(meta(html, 'og:type')).toBe('website');
    expect(meta(html, 'og:url')).toBe(`${t.url}/tournaments/${id}`);
    expect(unescape(meta(html, 'og:title'))).toBe(`Winter <Cup> & "Co"`);
    expect(meta(html, 'og:title')).toBe('Winter &lt;Cup&gt; &amp; &quot;Co&quot;');
    expect(unescape(meta(html, 'og:description'))).toBe('Eight teams, one night. (draft, starts 2030-05-01 18:00 UTC)');
    expect(meta(html, 'twitter:card')).toBe('summary');
    expect(unescape(meta(html, 'twitter:title'))).toBe(`Winter <Cup> & "Co"`);
    expect(unescape(meta(await page(`/tournaments/${id}/bracket`), 'og:title'))).toBe(`Bracket: Winter <Cup> & "Co"`);

    expect((await staff.patch(`/api/tournaments/${id}`, { name: 'Spring Cup' })).status).toBe(200);
    expect(meta(await page(`/tournaments/${id}`), 'og:title')).toBe('Spring Cup');
  });

  it('UI114 unknown ids and pages without a card of their own get the site card, never an error', async () => {
    for (const p of ['/tournaments/999999', '/users/999999', '/herodrafts/999999', '/leagues', '/']) {
      const html = await page(p);
      expect(meta(html, 'og:title'), p).toBe('DTX Hub');
      expect(meta(html, 'og:description'), p).toMatch(/DTX Dota 2 community/);
      expect(html, p).toContain('<div id="app"></div>');
    }
  });

  it('UI115 a player link shows their name and series record; a hero-draft link its teams and status', async () => {
    const player = await t.login(`preview_${db}`);
    const html = await page(`/users/${player.userId}`);
    expect(meta(html, 'og:title')).toBe(`preview_${db}`);
    expect(meta(html, 'og:description')).toBe('Series 0–0. No team yet.');

    const s = await setupHeroDraft(t, staff);
    const draft = (await t.client().get(s.base)).body as { teams: { name: string }[] };
    const card = await page(`/herodrafts/${s.id}`);
    expect(unescape(meta(card, 'og:title'))).toBe(`Hero draft: ${draft.teams[0]!.name} vs ${draft.teams[1]!.name}`);
    expect(unescape(meta(card, 'og:description'))).toMatch(/^Captains Mode, waiting\. .*: 0 picks, 0 bans; .*: 0 picks, 0 bans\.$/);
  });
});
