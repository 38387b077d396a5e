import crypto from 'node:crypto';
import { Writable } from 'node:stream';
import express from 'express';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLoggedHub } from '../deploy/log-hub';
import type { HttpClient } from '../support/http';
import { requestLogging } from '../../server/observability/http-log';
import { eventually } from '../support/eventually';

/**
 * What every answer carries whatever the path through the middleware (the cached anonymous
 * read has a shorter one): the security headers, the request id, one access-log line; and the
 * conditional GET of cached answers.
 */
const CSP =
  "default-src 'self';base-uri 'self';font-src 'self' https: data:;form-action 'self';frame-ancestors 'self';" +
  "img-src 'self' data: https://cdn.discordapp.com https://cdn.cloudflare.steamstatic.com https://avatars.steamstatic.com https://cdn.cloudflare.steamstatic.com;" +
  "object-src 'none';script-src 'self';script-src-attr 'none';style-src 'self' https: 'unsafe-inline'";
const SECURITY_HEADERS = {
  'content-security-policy': CSP,
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
  'origin-agent-cluster': '?1',
  'referrer-policy': 'no-referrer',
  'strict-transport-security': 'max-age=31536000; includeSubDomains',
  'x-content-type-options': 'nosniff',
  'x-dns-prefetch-control': 'off',
  'x-download-options': 'noopen',
  'x-frame-options': 'SAMEORIGIN',
  'x-permitted-cross-domain-policies': 'none',
  'x-xss-protection': '0',
};

/** Express's default (weak) ETag of a body. */
const weakEtag = (body: string) => {
  const buf = Buffer.from(body, 'utf8');
  return `W/"${buf.length.toString(16)}-${crypto.createHash('sha1').update(buf).digest('base64').slice(0, 27)}"`;
};

describe('HTTP front: security headers, request ids, access log, conditional GET', () => {
  let h: Awaited<ReturnType<typeof startLoggedHub>>;
  let staff: HttpClient;
  let tournamentId: number;

  beforeAll(async () => {
    h = await startLoggedHub();
    staff = await h.t.login('frontstaff', 'staff');
    const res = await staff.post('/api/tournaments', { name: 'Front Cup', startsAt: '2030-05-01T18:00:00Z' });
    expect(res.status, res.text).toBe(201);
    tournamentId = res.body.id;
  });
  afterAll(() => h?.t.close());

  it('every kind of answer carries the same security headers and no X-Powered-By', async () => {
    const answers = [
      await fetch(`${h.t.url}/api/tournaments/${tournamentId}`), // cached anonymous read
      await fetch(`${h.t.url}/api/tournaments/${tournamentId}`, { headers: { cookie: staff.cookieHeader() } }), // with a session
      await fetch(`${h.t.url}/api/nope`), // API 404
      await fetch(`${h.t.url}/api/tournaments`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' }), // CSRF refusal
      await fetch(`${h.t.url}/some/page`), // the client's pages
    ];
    for (const res of answers) {
      const headers = Object.fromEntries(Object.keys(SECURITY_HEADERS).map((name) => [name, res.headers.get(name)]));
      expect(headers, `${res.url} ${res.status}`).toEqual(SECURITY_HEADERS);
      expect(res.headers.get('x-powered-by')).toBeNull();
      expect(res.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
      await res.arrayBuffer();
    }
  });

  it('/api/me gets a session however it is spelt (the router matches any case and a trailing slash)', async () => {
    for (const path of ['/api/me', '/api/me/', '/API/Me', '/Auth/dev']) {
      const res = await fetch(`${h.t.url}${path}`);
      expect(res.status, path).toBe(200);
      expect(res.headers.get('set-cookie') ?? '', path).toContain('dtx.sid=');
      await res.arrayBuffer();
    }
  });

  it('an HTTPS public URL adds upgrade-insecure-requests to the CSP', async () => {
    const other = await startLoggedHub('sqlite', { PUBLIC_URL: 'https://hub.example.org' });
    try {
      const res = await fetch(`${other.t.url}/api/tournaments`);
      expect(res.headers.get('content-security-policy')).toBe(`${CSP};upgrade-insecure-requests`);
    } finally {
      await other.t.close();
    }
  });

  it('an anonymous read is logged once, with its id, path without the query, status and time', async () => {
    const res = await fetch(`${h.t.url}/api/tournaments/${tournamentId}?secret=oauth-ish`, { headers: { 'x-request-id': 'front-read-1' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-request-id')).toBe('front-read-1');
    await res.arrayBuffer();
    // The line is written once the answer is out.
    const lines = await eventually(() => {
      const found = h.entries().filter((e) => e.msg === 'request completed' && e.req?.id === 'front-read-1');
      return found.length > 0 && found;
    }, 'the access line');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      level: 30,
      reqId: 'front-read-1',
      req: { id: 'front-read-1', method: 'GET', path: `/api/tournaments/${tournamentId}` },
      res: { statusCode: 200 },
    });
    expect(typeof lines[0]!.responseTime).toBe('number');
    expect(h.lines.join('\n')).not.toContain('oauth-ish');

    // Probes are not logged.
    await (await fetch(`${h.t.url}/healthz`, { headers: { 'x-request-id': 'front-probe-1' } })).arrayBuffer();
    // A logged request after it: once its line is there, the probe's would have been too.
    await (await fetch(`${h.t.url}/api/tournaments/${tournamentId}`, { headers: { 'x-request-id': 'front-after-probe' } })).arrayBuffer();
    await eventually(() => h.entries().some((e) => e.req?.id === 'front-after-probe'), 'the line of the request after the probe');
    expect(h.entries().filter((e) => e.req?.id === 'front-probe-1')).toHaveLength(0);
  });

  it('a cached answer has the ETag Express gives its body, answers 304 to it, and a new one after a change', async () => {
    const path = `${h.t.url}/api/tournaments/${tournamentId}`;
    const first = await fetch(path);
    const body = await first.text();
    expect(first.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(first.headers.get('etag')).toBe(weakEtag(body));
    const second = await fetch(path); // from the cache
    expect(await second.text()).toBe(body);
    expect(second.headers.get('etag')).toBe(first.headers.get('etag'));
    expect(second.headers.get('content-length')).toBe(String(Buffer.byteLength(body)));

    const head = await fetch(path, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.headers.get('etag')).toBe(first.headers.get('etag'));
    expect(await head.text()).toBe('');

    // fetch() adds `cache-control: no-cache` to a conditional request unless told otherwise.
    const conditional = (etag: string) => ({ headers: { 'if-none-match': etag, 'cache-control': 'max-age=0' } });
    const notModified = await fetch(path, conditional(first.headers.get('etag')!));
    expect(notModified.status).toBe(304);
    expect(await notModified.text()).toBe('');

    const changed = await staff.patch(`/api/tournaments/${tournamentId}`, { name: 'Front Cup renamed' });
    expect(changed.status, changed.text).toBe(200);
    const after = await fetch(path, conditional(first.headers.get('etag')!));
    expect(after.status).toBe(200);
    const afterBody = await after.text();
    expect(JSON.parse(afterBody).name).toBe('Front Cup renamed');
    expect(after.headers.get('etag')).toBe(weakEtag(afterBody));
  });

  it('RT16 a 500 is logged at error level, a 503 (unavailable, documented) as a warning; nothing when the level is silent', async () => {
    for (const level of ['info', 'silent']) {
      const lines: string[] = [];
      const log = pino({ level }, new Writable({ write: (chunk, _enc, done) => (lines.push(String(chunk)), done()) }));
      const app = express();
      app.use(requestLogging(log));
      app.get('/broken', (_req, res) => {
        res.status(500).json({ error: 'bug' });
      });
      app.get('/unavailable', (_req, res) => {
        res.status(503).json({ error: 'down' });
      });
      const server = app.listen(0, '127.0.0.1');
      await new Promise((resolve) => server.once('listening', resolve));
      try {
        const { port } = server.address() as { port: number };
        for (const [path, status] of [
          ['/broken', 500],
          ['/unavailable', 503],
        ] as const) {
          const res = await fetch(`http://127.0.0.1:${port}${path}`, { headers: { 'x-request-id': `front-${status}` } });
          expect(res.status).toBe(status);
          expect(res.headers.get('x-request-id')).toBe(`front-${status}`);
          await res.arrayBuffer();
        }
        if (level !== 'silent') await eventually(() => lines.length >= 2, 'two access lines');
      } finally {
        // Closing waits for the connections, so every 'close' (and its line) has come by then.
        server.closeAllConnections();
        await new Promise((resolve) => server.close(resolve));
      }
      const entries = lines.map((l) => JSON.parse(l) as Record<string, any>);
      if (level === 'silent') expect(entries).toEqual([]);
      else
        expect(entries).toMatchObject([
          { level: 50, reqId: 'front-500', req: { id: 'front-500', method: 'GET', path: '/broken' }, res: { statusCode: 500 } },
          { level: 40, reqId: 'front-503', req: { id: 'front-503', method: 'GET', path: '/unavailable' }, res: { statusCode: 503 } },
        ]);
    }
  });
});
