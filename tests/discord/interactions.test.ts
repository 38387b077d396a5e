import { execFile } from 'node:child_process';
import crypto from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHub, type TestHub } from '../support/hub';

/** The application's key pair, as the Developer Portal would hold it: the hub gets the raw public key in hex. */
const keys = crypto.generateKeyPairSync('ed25519');
const PUBLIC_KEY_HEX = Buffer.from(keys.publicKey.export({ format: 'jwk' }).x!, 'base64url').toString('hex');
const PATH = '/api/discord/interactions';

/** Signs as Discord does: Ed25519 over the timestamp followed by the exact body bytes. */
function signed(body: string, options: { at?: number; key?: crypto.KeyObject } = {}) {
  const timestamp = String(Math.floor((options.at ?? Date.now()) / 1000));
  const signature = crypto.sign(null, Buffer.from(timestamp + body), options.key ?? keys.privateKey).toString('hex');
  return { 'x-signature-ed25519': signature, 'x-signature-timestamp': timestamp };
}

async function post(hub: TestHub, body: string, headers: Record<string, string>) {
  const res = await fetch(hub.url + PATH, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
  const text = await res.text();
  return { status: res.status, text, body: text ? (JSON.parse(text) as any) : undefined };
}

const PING = JSON.stringify({ id: '900000000000000001', type: 1, application_id: '900000000000000002', version: 1 });

describe('Discord interactions endpoint', () => {
  let hub: TestHub;
  beforeAll(async () => {
    hub = await startHub({ env: { DISCORD_PUBLIC_KEY: PUBLIC_KEY_HEX } });
  });
  afterAll(async () => {
    await hub?.close();
  });

  it('DC20 a PING signed with the application key is answered with PONG (type 1), with no session or CSRF token', async () => {
    const res = await post(hub, PING, signed(PING));
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ type: 1 });
  });

  it('DC20 the signature is checked over the exact bytes sent (spacing and key order kept, no re-serialisation)', async () => {
    const body = '{ "type" : 1,\n  "id":"900000000000000003" }';
    expect((await post(hub, body, signed(body))).body).toEqual({ type: 1 });
  });

  it('DC21 a missing, malformed or wrong signature is refused with 401', async () => {
    const other = crypto.generateKeyPairSync('ed25519').privateKey;
    const good = signed(PING);
    const cases: Record<string, Record<string, string>> = {
      'no headers': {},
      'no timestamp': { 'x-signature-ed25519': good['x-signature-ed25519'] },
      'no signature': { 'x-signature-timestamp': good['x-signature-timestamp'] },
      'not hex': { ...good, 'x-signature-ed25519': 'zz' },
      'another key': signed(PING, { key: other }),
      'another timestamp': { ...good, 'x-signature-timestamp': String(Number(good['x-signature-timestamp']) + 1) },
    };
    for (const [name, headers] of Object.entries(cases)) {
      const res = await post(hub, PING, headers);
      expect(res.status, name).toBe(401);
      expect(res.text, name).not.toContain('"type":1');
    }
    // A body changed after signing (one space) no longer matches.
    expect((await post(hub, PING + ' ', good)).status).toBe(401);
  });

  it('DC21 a correctly signed request older than 5 minutes (a replay) is refused with 401; 4 minutes is accepted', async () => {
    const stale = await post(hub, PING, signed(PING, { at: Date.now() - 6 * 60_000 }));
    expect(stale.status).toBe(401);
    expect(stale.body.error.message).toMatch(/expired/);
    expect((await post(hub, PING, signed(PING, { at: Date.now() - 4 * 60_000 }))).status).toBe(200);
  });

  it('DC22 the CSRF exemption is this endpoint alone: other mutations still need the token, Discord signature headers or not', async () => {
    const anonymous = hub.client();
    const logout = await anonymous.request('POST', '/auth/logout', { csrf: false, headers: signed('{}'), raw: '{}' });
    expect(logout.status).toBe(403);
    const member = await hub.login('dc22member');
    const league = await member.request('POST', '/api/leagues', { csrf: false, headers: signed('{"name":"x"}'), raw: '{"name":"x"}' });
    expect(league.status).toBe(403);
    expect(league.text).toMatch(/CSRF/);
    // With the member's cookie and no token, the endpoint still answers Discord's signed call.
    const withCookie = await member.request('POST', PATH, { csrf: false, headers: signed(PING), raw: PING });
    expect(withCookie.body).toEqual({ type: 1 });
  });

  it('DC23 a slash command the hub does not know gets an ephemeral "unknown command" answer', async () => {
    const body = JSON.stringify({ type: 2, data: { name: 'dance' }, member: { user: { id: '300000000000000009' } } });
    const res = await post(hub, body, signed(body));
    expect(res.status).toBe(200);
    expect(res.body.type).toBe(4);
    expect(res.body.data.flags).toBe(64);
    expect(res.body.data.content).toMatch(/unknown command \/dance/i);
  });
});

describe('Discord interactions endpoint without DISCORD_PUBLIC_KEY', () => {
  it('DC20 answers 503 saying the key is not configured, signed or not', async () => {
    const hub = await startHub();
    try {
      const res = await post(hub, PING, signed(PING));
      expect(res.status).toBe(503);
      expect(res.body.error.message).toMatch(/DISCORD_PUBLIC_KEY/);
    } finally {
      await hub.close();
    }
  });
});

/** Runs `npm run discord:commands` (its script, as npm does) with this environment. */
function registerScript(env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = execFile(
      process.execPath,
      ['--import', 'tsx', 'server/scripts/discord-commands.ts'],
      { env: { PATH: process.env.PATH ?? '', ...env }, timeout: 30_000 },
      (err, stdout, stderr) => resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr }),
    );
    child.stdin?.end();
  });
}

describe('npm run discord:commands', () => {
  const calls: { method: string; path: string; authorization?: string; body: string }[] = [];
  let fake: http.Server;
  let base = '';
  const BOT = {
    DISCORD_BOT_TOKEN: 'MTIzNDU2Nzg5MDEyMzQ1Njc4.Gabcde.abcdefghijklmnopqrstuvwxyz0123456789',
    DISCORD_APPLICATION_ID: '123456789012345678',
    DISCORD_GUILD_ID: '323456789012345678',
  };
  beforeAll(async () => {
    // Discord's bulk overwrite: it answers with the commands it now holds, each with its snowflake id.
    fake = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        calls.push({ method: req.method!, path: req.url!, authorization: req.headers.authorization, body });
        if (req.method !== 'PUT' || !/^\/api\/v10\/applications\/\d+\/guilds\/\d+\/commands$/.test(req.url!)) {
          res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ message: '404: Not Found', code: 0 }));
          return;
        }
        const commands = (JSON.parse(body) as { name: string }[]).map((c, i) => ({
          id: String(1100000000000000000n + BigInt(i)),
          application_id: BOT.DISCORD_APPLICATION_ID,
          version: '1',
          ...c,
        }));
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(commands));
      });
    });
    await new Promise<void>((resolve) => fake.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(fake.address() as AddressInfo).port}/api/v10`;
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => fake.close(() => resolve()));
  });

  it("DC24 registers the five slash commands for the guild: one PUT to the application's guild commands with the bot token", async () => {
    calls.length = 0;
    const run = await registerScript({ ...BOT, DISCORD_API_BASE: base });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/registered 5 slash commands for guild 323456789012345678: \/draft \/bracket \/live \/signup \/checkin/);
    expect(calls).toHaveLength(1);
    expect(calls[0]!.method).toBe('PUT');
    expect(calls[0]!.path).toBe('/api/v10/applications/123456789012345678/guilds/323456789012345678/commands');
    expect(calls[0]!.authorization).toBe(`Bot ${BOT.DISCORD_BOT_TOKEN}`);
    const sent = JSON.parse(calls[0]!.body) as { name: string; type: number; description: string }[];
    expect(sent.map((c) => c.name)).toEqual(['draft', 'bracket', 'live', 'signup', 'checkin']);
    for (const c of sent) {
      expect(c.type).toBe(1);
      expect(c.description.length).toBeGreaterThan(0);
      expect(c.description.length).toBeLessThanOrEqual(100);
    }
  });

  it('DC24 refuses with one line naming what is missing, and calls nobody; a Discord refusal is reported without the token', async () => {
    calls.length = 0;
    for (const [missing, env] of [
      ['DISCORD_BOT_TOKEN', { DISCORD_APPLICATION_ID: BOT.DISCORD_APPLICATION_ID, DISCORD_GUILD_ID: BOT.DISCORD_GUILD_ID }],
      ['DISCORD_APPLICATION_ID', { DISCORD_BOT_TOKEN: BOT.DISCORD_BOT_TOKEN, DISCORD_GUILD_ID: BOT.DISCORD_GUILD_ID }],
      ['DISCORD_GUILD_ID', { DISCORD_BOT_TOKEN: BOT.DISCORD_BOT_TOKEN, DISCORD_APPLICATION_ID: BOT.DISCORD_APPLICATION_ID }],
    ] as const) {
      const run = await registerScript({ ...env, DISCORD_API_BASE: base });
      expect(run.code, missing).toBe(1);
      expect(run.stderr.trim().split('\n'), missing).toHaveLength(1);
      expect(run.stderr, missing).toMatch(new RegExp(`^Configuration error: ${missing}: required`));
    }
    expect(calls).toHaveLength(0);
    const refused = await registerScript({ ...BOT, DISCORD_API_BASE: `${base}/nowhere` });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/^Registration failed: Discord answered 404/);
    expect(refused.stderr).not.toContain(BOT.DISCORD_BOT_TOKEN);
  });
});
