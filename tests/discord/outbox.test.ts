import { Writable } from 'node:stream';
import pino from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createHub, type Hub } from '../../server/app';
import { loadConfig } from '../../server/config';
import { queueDiscord, type Notice } from '../../server/discord/outbox';
import { createTestDatabase, type TestDatabase } from '../support/databases';
import { eventually } from '../support/eventually';
import { FakeDiscordBot } from '../support/fake-discord-bot';

const TOKEN = 'MTIzNDU2Nzg5MDEyMzQ1Njc4.Gfake1.fake-bot-token-for-tests-0123456789';
const ANNOUNCE = '423456789012345678';
const STAFF = '523456789012345678';
const PUBLIC_URL = 'https://hub.example.org';

let discord: FakeDiscordBot;
const lines: string[] = [];
const hubs: Hub[] = [];
const databases: TestDatabase[] = [];

beforeAll(async () => {
  discord = await new FakeDiscordBot(TOKEN).start();
});
afterAll(async () => {
  await discord.stop();
});
afterEach(async () => {
  for (const hub of hubs.splice(0)) await hub.close();
  for (const db of databases.splice(0)) await db.drop();
  discord.calls.length = 0;
  discord.messages.length = 0;
  discord.blocking.clear();
  lines.length = 0;
});

async function hubOn(database: TestDatabase, env: Record<string, string> = {}, timing = { tickMs: 25, leaseMs: 400, backoffMs: 40 }) {
  const config = loadConfig({
    NODE_ENV: 'test',
    HOST: '127.0.0.1',
    PORT: '0',
    LOG_LEVEL: 'silent',
    PUBLIC_URL,
    DISCORD_BOT_TOKEN: TOKEN,
    DISCORD_ANNOUNCE_CHANNEL_ID: ANNOUNCE,
    DISCORD_STAFF_CHANNEL_ID: STAFF,
    DISCORD_API_BASE: discord.base,
    ...database.env,
    ...env,
  });
  const sink = new Writable({
    write(chunk, _enc, done) {
      lines.push(String(chunk));
      done();
    },
  });
  const hub = await createHub(config, { logger: pino({ level: 'info' }, sink), discordOutbox: timing });
  hubs.push(hub);
  return hub;
}

async function freshHub(env: Record<string, string> = {}) {
  const database = await createTestDatabase('sqlite');
  databases.push(database);
  return hubOn(database, env);
}

async function member(hub: Hub, discordId: string) {
  const [row] = await hub.services
    .db('users')
    .insert({ discord_id: discordId, username: `m${discordId.slice(-4)}`, guild_role_ids: '[]', positions: '[]' })
    .returning('id');
  return typeof row === 'object' ? (row as { id: number }).id : (row as number);
}

const queue = (hub: Hub, notice: Notice) => hub.services.commands.run(null, (tx) => queueDiscord(tx, hub.services.config, notice));
const rows = (hub: Hub) => hub.services.db('discord_outbox').orderBy('id');

describe('the Discord outbox', () => {
  it('DC2 without DISCORD_BOT_TOKEN nothing is queued, and nothing is sent', async () => {
    const hub = await freshHub({ DISCORD_BOT_TOKEN: '' });
    expect(await queue(hub, { kind: 'draft.started', to: { channel: 'announce' }, content: 'The draft starts', path: '/drafts/1' })).toBe(false);
    expect(await rows(hub)).toEqual([]);
    await new Promise((r) => setTimeout(r, 100));
    expect(discord.calls).toEqual([]);
  });

  it('DC2 a notice is written in its command: a command that fails leaves none', async () => {
    const hub = await freshHub();
    await hub.outbox.stop();
    await expect(
      hub.services.commands.run(null, async (tx) => {
        await queueDiscord(tx, hub.services.config, { kind: 'series.result', to: { channel: 'announce' }, content: 'A beat B' });
        throw new Error('the command fails after queueing');
      }),
    ).rejects.toThrow('the command fails');
    expect(await rows(hub)).toEqual([]);
    await queue(hub, { kind: 'series.result', to: { channel: 'announce' }, content: 'A beat B', path: '/brackets/2' });
    expect(await rows(hub)).toMatchObject([
      { state: 'pending', channelId: ANNOUNCE, content: `A beat B\n${PUBLIC_URL}/brackets/2`, link: `${PUBLIC_URL}/brackets/2` },
    ]);
  });

  it('DC3 DC8 a DM goes to the member through their DM channel, with its link, a nonce and enforce_nonce, once', async () => {
    const hub = await freshHub();
    const userId = await member(hub, '623456789012345678');
    const devUser = await member(hub, 'dev-someone');
    await queue(hub, { kind: 'draft.turn', to: { dm: userId }, content: 'Your pick in the player draft', path: '/drafts/7' });
    // A development-login member has no Discord account: nothing is queued for them.
    expect(await queue(hub, { kind: 'draft.turn', to: { dm: devUser }, content: 'x' })).toBe(false);
    await eventually(async () => (await rows(hub))[0]?.state === 'sent', 'the DM sent');
    const open = discord.calls.filter((c) => c.path === '/users/@me/channels');
    expect(open).toMatchObject([{ body: { recipient_id: '623456789012345678' }, authorization: `Bot ${TOKEN}` }]);
    const [post] = discord.messagePosts();
    expect(post!.path).toBe(`/channels/${discord.dmChannelOf('623456789012345678')}/messages`);
    expect(post!.body).toMatchObject({
      content: `Your pick in the player draft\n${PUBLIC_URL}/drafts/7`,
      enforce_nonce: true,
      allowed_mentions: { parse: [] },
    });
    expect(post!.body.nonce).toBe((await rows(hub))[0]!.nonce);
    expect(discord.messages).toHaveLength(1);
    expect((await rows(hub))[0]!.messageId).toBe(discord.messages[0]!.id);
    expect(lines.join('')).not.toContain(TOKEN);
  });

  it('DC4 a 429 with retry_after is waited out, then the notice is delivered once', async () => {
    const hub = await freshHub();
    await hub.outbox.stop();
    discord.trouble({ kind: '429', retryAfter: 0.6 });
    await queue(hub, { kind: 'draft.started', to: { channel: 'announce' }, content: 'The player draft starts' });
    hub.outbox.start();
    await eventually(async () => (await rows(hub))[0]?.state === 'sent', 'the announcement sent', { timeoutMs: 8000 });
    const posts = discord.messagePosts();
    expect(posts).toHaveLength(2);
    expect(posts[1]!.at - posts[0]!.at).toBeGreaterThanOrEqual(550);
    expect(discord.messages).toMatchObject([{ channel_id: ANNOUNCE, content: 'The player draft starts' }]);
  });

  it('DC5 a burst of 5xx answers delays the notice, which is then delivered once', async () => {
    const hub = await freshHub();
    await hub.outbox.stop();
    discord.trouble({ kind: '5xx', status: 503 }, { kind: '5xx', status: 502 }, { kind: '5xx', status: 500 }, { kind: '5xx', status: 503 });
    await queue(hub, { kind: 'report.disputed', to: { channel: 'staff' }, content: 'A disputed report' });
    hub.outbox.start();
    await eventually(async () => (await rows(hub))[0]?.state === 'sent', 'the staff notice sent', { timeoutMs: 8000 });
    expect(discord.messagePosts()).toHaveLength(5);
    expect(discord.messages).toMatchObject([{ channel_id: STAFF, content: 'A disputed report' }]);
    expect((await rows(hub))[0]!.attempts).toBeGreaterThanOrEqual(2);
  });

  it('DC6 a process stopping mid-delivery: a second hub on the database takes the lease over; nothing lost, nothing twice', async () => {
    const database = await createTestDatabase('sqlite');
    databases.push(database);
    const first = await hubOn(database);
    await first.outbox.stop();
    discord.trouble({ kind: 'hold' });
    await queue(first, { kind: 'series.result', to: { channel: 'announce' }, content: 'Radiant Rascals 2-1 Dire Dogs' });
    await queue(first, { kind: 'draft.started', to: { channel: 'announce' }, content: 'Next draft' });
    first.outbox.start();
    await eventually(() => discord.messagePosts().length === 1, 'the first post reaching Discord');
    // The process dies with the answer outstanding: it neither marks the row nor frees the lease.
    await first.outbox.stop({ release: false });
    expect((await rows(first)).map((r) => r.state)).toEqual(['pending', 'pending']);
    const second = await hubOn(database);
    await eventually(async () => (await rows(second)).every((r) => r.state === 'sent'), 'both sent by the second hub', { timeoutMs: 5000 });
    // Resent with the same nonce: Discord answered the first message instead of posting again.
    expect(discord.messagePosts().length).toBe(3);
    expect(discord.messages.map((m) => m.content)).toEqual(['Radiant Rascals 2-1 Dire Dogs', 'Next draft']);
    expect((await rows(second))[0]!.messageId).toBe(discord.messages[0]!.id);
  });

  it('DC7 a member who blocks DMs is skipped with a log line, never retried', async () => {
    const hub = await freshHub();
    const userId = await member(hub, '723456789012345678');
    discord.blocking.add('723456789012345678');
    await queue(hub, { kind: 'herodraft.turn', to: { dm: userId }, content: 'Your ban', path: '/herodrafts/3' });
    await queue(hub, { kind: 'draft.started', to: { channel: 'announce' }, content: 'After the blocked one' });
    await eventually(async () => (await rows(hub)).every((r) => r.state !== 'pending'), 'both handled');
    const [skipped, sent] = await rows(hub);
    expect(skipped).toMatchObject({ state: 'skipped', attempts: 1, lastError: expect.stringContaining('50007') });
    expect(sent!.state).toBe('sent');
    await new Promise((r) => setTimeout(r, 200));
    expect(discord.messagePosts().filter((c) => c.path.includes(discord.dmChannelOf('723456789012345678')))).toHaveLength(1);
    expect(lines.some((l) => l.includes('discord notice skipped') && l.includes('50007'))).toBe(true);
  });
});
