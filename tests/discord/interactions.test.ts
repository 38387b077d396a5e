import { execFile } from 'node:child_process';
import crypto from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHub, type TestHub } from '../support/hub';
import { DATABASES } from '../support/databases';
import type { HttpClient } from '../support/http';
import type { DraftView } from '../../shared/schemas/draft';
import { setupDraft } from '../draft/fixtures';

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

describe.each(DATABASES)('Discord slash commands [%s]', (db) => {
  let hub: TestHub;
  let staff: HttpClient & { userId: number };
  let n = 0;
  beforeAll(async () => {
    hub = await startHub({ db, env: { DISCORD_PUBLIC_KEY: PUBLIC_KEY_HEX } });
    staff = await hub.login('dcstaff', 'staff');
  });
  afterAll(async () => {
    await hub?.close();
  });
  const knex = () => hub.hub.services.db;

  /** Runs a slash command as this Discord user, signed as Discord does; answers the interaction response. */
  async function slash(name: string, discordId: string) {
    const body = JSON.stringify({
      id: '900000000000000010',
      type: 2,
      guild_id: '323456789012345678',
      data: { id: '1', name, type: 1 },
      member: { user: { id: discordId } },
    });
    const res = await post(hub, body, signed(body));
    expect(res.status, res.text).toBe(200);
    expect(res.body.type).toBe(4);
    return res.body.data as { content: string; flags?: number };
  }
  /** A member with a hub account, their profile filled (MMR, positions, a linked Steam account); answers their Discord id. */
  async function member(profile = true) {
    const client = await hub.login(`dcmember${++n}`);
    // A development login has no Discord snowflake: give this member one, as a Discord login would.
    const discordId = String(310000000000000000n + BigInt(n));
    await knex()('users').where({ id: client.userId }).update({ discordId });
    if (profile) {
      await knex()('users')
        .where({ id: client.userId })
        .update({
          mmr: 3100,
          positions: JSON.stringify({ '1': 5, '2': 3, '3': 0, '4': 0, '5': 0 }),
          steamId: String(76561198000000000n + BigInt(700_000 + n)),
        });
    }
    return { client, discordId };
  }
  async function registration(settings: Record<string, unknown> = {}) {
    // One tournament in registration at a time: the slash commands act on it alone.
    await knex()('tournaments').where({ state: 'registration' }).update({ state: 'finished' });
    const res = await staff.post('/api/tournaments', { name: 'Discord *Cup*', startsAt: '2027-01-20T18:00:00Z' });
    expect(res.status).toBe(201);
    const base = `/api/tournaments/${res.body.id}`;
    expect((await staff.patch(base, { state: 'registration' })).status).toBe(200);
    if (Object.keys(settings).length > 0) expect((await staff.put(`${base}/signup-settings`, settings)).status).toBe(200);
    return { id: res.body.id as number, base };
  }

  it('DC25 /signup signs the caller up through the hub (ephemeral, with the sign-up page)', async () => {
    const { id, base } = await registration({ approval: 'automatic' });
    const { client, discordId } = await member();
    const answer = await slash('signup', discordId);
    expect(answer.flags).toBe(64);
    expect(answer.content).toContain('You are signed up for Discord \\*Cup\\*');
    expect(answer.content).toContain(`<${hub.url}/tournaments/${id}/signup>`);
    const list = (await hub.client().get(`${base}/signups`)).body.items as { user: { id: number }; declaredMmr: number; state: string }[];
    expect(list.find((s) => s.user.id === client.userId)).toMatchObject({ declaredMmr: 3100, state: 'approved' });
    expect(answer.content).toContain('(approved)');
  });

  it('DC25 /signup without a hub account, or without MMR and positions on the profile, answers why and changes nothing', async () => {
    const { id } = await registration();
    const stranger = await slash('signup', '399999999999999999');
    expect(stranger.flags).toBe(64);
    expect(stranger.content).toContain(`no DTX Hub account yet: log in once on ${hub.url} with Discord`);
    const { discordId } = await member(false);
    const empty = await slash('signup', discordId);
    expect(empty.flags).toBe(64);
    expect(empty.content).toMatch(/no MMR or positions/);
    expect(empty.content).toContain(`/tournaments/${id}/signup`);
    expect(await knex()('signups').where({ tournamentId: id })).toHaveLength(0);
  });

  it('DC26 /checkin checks the caller in while check-in is open, and says why not before it opens', async () => {
    const { id, base } = await registration({ approval: 'automatic' });
    const { client, discordId } = await member();
    await slash('signup', discordId);
    const early = await slash('checkin', discordId);
    expect(early.flags).toBe(64);
    expect(early.content).toMatch(/^Check-in refused: /);
    expect((await staff.post(`${base}/checkin/open`, { closesAt: new Date(Date.now() + 3_600_000).toISOString() })).status).toBe(200);
    const answer = await slash('checkin', discordId);
    expect(answer.flags).toBe(64);
    expect(answer.content).toContain(`You are checked in for Discord \\*Cup\\*. <${hub.url}/tournaments/${id}/signup>`);
    const list = (await hub.client().get(`${base}/signups`)).body.items as { user: { id: number }; checkedIn: boolean }[];
    expect(list.find((s) => s.user.id === client.userId)?.checkedIn).toBe(true);
  });

  it('DC25 with no tournament in registration, /signup and /checkin say so', async () => {
    await knex()('tournaments').where({ state: 'registration' }).update({ state: 'finished' });
    const { discordId } = await member();
    for (const name of ['signup', 'checkin']) {
      const answer = await slash(name, discordId);
      expect(answer.flags).toBe(64);
      expect(answer.content).toBe('No tournament is taking sign-ups right now.');
    }
  });

  it('DC28 /draft says whose turn it is in the running player draft with its page (only the caller sees it), or that none runs', async () => {
    const none = await slash('draft', '300000000000000001');
    expect(none).toMatchObject({ content: 'No player draft is running right now.', flags: 64 });
    const s = await setupDraft(hub, staff, { teams: 2, players: 2, teamSize: 2 });
    const view = (await staff.post(`${s.base}/start`, {})).body as DraftView;
    const team = view.teams.find((t) => t.id === view.turn!.teamId)!;
    const answer = await slash('draft', '300000000000000001');
    expect(answer.flags).toBe(64);
    expect(answer.content).toContain(`pick ${view.turn!.pickNumber}: `);
    expect(answer.content).toContain(`(captain ${team.captain.displayName.replace(/([\\*_~`|>#[\]()-])/g, '\\$1')}) is picking`);
    expect(answer.content).toContain(`<${hub.url}/tournaments/${s.id}/draft>`);
  });

  it("DC29 /bracket gives the caller's team its next series (opponent, best of, ready) with the bracket's page, only to the caller", async () => {
    const { discordId: stranger } = await member();
    expect(await slash('bracket', stranger)).toMatchObject({ content: 'You are not on a team of a tournament in progress.', flags: 64 });
    const created = await staff.post('/api/tournaments', { name: 'Bracket Night', startsAt: '2030-05-01T18:00:00Z' });
    const id = created.body.id as number;
    const captains = [await member(), await member()];
    for (const [i, c] of captains.entries()) {
      expect((await staff.post(`/api/tournaments/${id}/players`, { userId: c.client.userId, mmr: 3000 + i })).status).toBe(201);
      expect((await staff.post(`/api/tournaments/${id}/teams`, { captainUserId: c.client.userId, name: `Team ${i + 1}` })).status).toBe(201);
    }
    const before = await slash('bracket', captains[0]!.discordId);
    expect(before.content).toBe(`- Bracket Night, Team 1: no series to play right now. <${hub.url}/tournaments/${id}/bracket>`);
    expect((await staff.post(`/api/tournaments/${id}/stages`, { format: 'single_elimination', bestOf: 3 })).status).toBe(201);
    const answer = await slash('bracket', captains[0]!.discordId);
    expect(answer.flags).toBe(64);
    expect(answer.content).toMatch(
      new RegExp(
        `^- Bracket Night, Team 1: next series vs Team 2, best of 3 \\(.+\\), ready to play\\. <${hub.url.replace(/[.]/g, '\\.')}/tournaments/${id}/bracket>$`,
      ),
    );
  });

  it('DC27 /live lists the games being played with their pages (visible to the channel), or says there are none', async () => {
    await knex()('live_games').delete();
    const none = await slash('live', '300000000000000001');
    expect(none.content).toBe('No DTX game is being played right now.');
    const state = {
      radiantName: 'Team_A',
      direName: 'Team B',
      gameTimeSeconds: 754,
      radiantScore: 12,
      direScore: 9,
      goldLead: 1500,
      towers: { radiant: 11, dire: 9 },
      barracks: { radiant: 6, dire: 6 },
      players: [],
    };
    const now = new Date().toISOString();
    await knex()('live_games').insert([
      {
        matchId: '8000000001',
        leagueId: null,
        lobbyId: null,
        status: 'live',
        state: JSON.stringify(state),
        goldGraph: '[]',
        fingerprint: 'a',
        radiantWin: null,
        updatedAt: now,
        finishedAt: null,
      },
      {
        matchId: '8000000002',
        leagueId: null,
        lobbyId: null,
        status: 'finished',
        state: JSON.stringify(state),
        goldGraph: '[]',
        fingerprint: 'b',
        radiantWin: true,
        updatedAt: now,
        finishedAt: now,
      },
    ]);
    const live = await slash('live', '300000000000000001');
    expect(live.flags).toBeUndefined();
    expect(live.content).toBe(`Live now:\n- Team\\_A 12–9 Team B (12:34) <${hub.url}/match/8000000001>`);
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
