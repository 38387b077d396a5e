import crypto from 'node:crypto';
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
