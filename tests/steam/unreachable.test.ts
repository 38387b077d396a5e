import net from 'node:net';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeSteam, startFakeSteam } from '../support/fake-steam';
import { startHub, type TestHub } from '../support/hub';
import { steamId64 } from './fixtures';

/**
 * Steam and OpenDota unreachable: a server that takes connections and never answers (a
 * black-holed route looks the same to the hub until its timeout).
 */
async function startSilentServer() {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

interface LogLine {
  level: number;
  msg: string;
  req?: { path: string };
  res?: { statusCode: number };
}

const BOUND_MS = 1000;
/** Event-loop and database time around the bound. */
const SLACK_MS = 700;

describe('ST7 Steam and OpenDota unreachable', () => {
  let silent: Awaited<ReturnType<typeof startSilentServer>>;
  let keyed: TestHub;
  let keyless: TestHub;
  const lines: LogLine[] = [];
  const logger = pino({ level: 'info' }, { write: (line: string) => void lines.push(JSON.parse(line) as LogLine) });
  beforeAll(async () => {
    silent = await startSilentServer();
    const env = {
      STEAM_API_BASE: silent.url,
      OPENDOTA_API_BASE: silent.url,
      STEAM_REQUEST_TIMEOUT_MS: String(BOUND_MS),
      STEAM_RATE_MS: '10',
      OPENDOTA_RATE_MS: '10',
      STEAM_LIVE_POLL_MS: '3600000',
    };
    keyed = await startHub({ env: { ...env, STEAM_API_KEY: '0123456789ABCDEF0123456789ABCDEF' }, logger });
    keyless = await startHub({ env, logger });
  });
  afterAll(async () => {
    await Promise.all([keyed?.close(), keyless?.close()]);
    await silent?.close();
  });

  async function timed(hub: TestHub, path: string) {
    const user = await hub.login(`waiter${Math.random().toString(36).slice(2, 8)}`);
    const started = performance.now();
    const res = await user.get(path);
    return { res, ms: performance.now() - started };
  }

  it('ST7 a Steam lookup answers 503 with the reason within STEAM_REQUEST_TIMEOUT_MS, by name, by SteamID64 and through OpenDota without a key', async () => {
    for (const [hub, path, service] of [
      [keyed, '/api/steam/lookup?q=somename', 'Steam'],
      [keyed, `/api/steam/lookup?q=${steamId64(555300)}`, 'Steam'],
      [keyless, `/api/steam/lookup?q=${steamId64(555301)}`, 'OpenDota'],
    ] as const) {
      const { res, ms } = await timed(hub, path);
      expect(res.status, `${path}: ${res.text}`).toBe(503);
      expect(res.body.error.code).toBe('unavailable');
      expect(res.body.error.message).toMatch(new RegExp(`^${service} .*no answer within ${BOUND_MS} ms; try again later$`));
      expect(ms, path).toBeGreaterThanOrEqual(BOUND_MS - 50);
      expect(ms, path).toBeLessThan(BOUND_MS + SLACK_MS);
    }
  });

  it('ST7 linking by name shares one bound over all its calls', async () => {
    const user = await keyed.login('linkwaiter');
    const started = performance.now();
    const res = await user.post('/api/me/steam', { q: 'somebody' });
    expect(res.status).toBe(503);
    expect(performance.now() - started).toBeLessThan(BOUND_MS + SLACK_MS);
  });

  it('ST7 each call of a match import is bounded too: the import answers with the failure instead of hanging', async () => {
    const staff = await keyed.login('importwaiter', 'staff');
    const tour = await staff.post('/api/tournaments', { name: 'Unreachable cup', startsAt: '2026-01-01T18:00:00Z' });
    const started = performance.now();
    const res = await staff.post(`/api/tournaments/${tour.body.id}/steam/import`, { matchIds: ['8200000099'] });
    expect(res.status, res.text).toBe(200);
    expect(res.body.failed).toEqual([{ matchId: '8200000099', reason: `OpenDota /matches/8200000099: no answer within ${BOUND_MS} ms` }]);
    expect(performance.now() - started).toBeLessThan(BOUND_MS + SLACK_MS);
  });

  it('ST7 the documented 503 is a warning in the log, not an error line per request', async () => {
    lines.length = 0;
    const { res } = await timed(keyed, `/api/steam/lookup?q=${steamId64(555302)}`);
    expect(res.status).toBe(503);
    const line = lines.find((l) => l.req?.path === '/api/steam/lookup');
    expect(line).toMatchObject({ level: 40, res: { statusCode: 503 } });
    expect(lines.filter((l) => l.level >= 50)).toEqual([]);
  });
});

describe('ST3 Steam backing off while a person waits', () => {
  let steam: FakeSteam;
  let t: TestHub;
  beforeAll(async () => {
    steam = await startFakeSteam();
    t = await startHub({ env: { ...steam.env(), STEAM_REQUEST_TIMEOUT_MS: String(BOUND_MS), STEAM_RATE_MS: '10', STEAM_LIVE_POLL_MS: '3600000' } });
  });
  afterAll(async () => {
    await t?.close();
    await steam?.close();
  });

  it('ST3 a lookup during a back-off longer than the bound is a 503 at once, with Retry-After, and sends Steam nothing', async () => {
    steam.setVanity('patient', steamId64(555400));
    steam.setRetryAfter(30);
    steam.failNext('ResolveVanityURL', 429);
    const user = await t.login('backoffwaiter');
    const first = await user.get('/api/steam/lookup?q=patient');
    expect(first.status).toBe(503);
    expect(first.body.error.message).toMatch(/^Steam .*rate limited \(429\), backing off 30 s; try again later$/);
    const sent = steam.requests.length;
    const started = performance.now();
    const again = await user.get('/api/steam/lookup?q=patient');
    expect(performance.now() - started).toBeLessThan(300);
    expect(again.status).toBe(503);
    expect(again.body.error.message).toMatch(/^Steam .*backing off, no call for (29|30) s; try again later$/);
    expect(Number(again.headers.get('retry-after'))).toBeGreaterThanOrEqual(29);
    expect(steam.requests.length).toBe(sent);
  });
});
