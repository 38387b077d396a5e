import { Writable } from 'node:stream';
import pino from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DATABASES } from '../support/databases';
import { eventually } from '../support/eventually';
import { FakeDiscordBot } from '../support/fake-discord-bot';
import type { HttpClient } from '../support/http';
import { startHub, type TestHub } from '../support/hub';

const TOKEN = 'MTIzNDU2Nzg5MDEyMzQ1Njc4.Gfake2.fake-bot-token-for-events-0123456789';
const HOUR = 3_600_000;
const fast = { tickMs: 25, leaseMs: 400, backoffMs: 60 };

/** A start this many hours from now, on the minute (ISO). */
const hoursAhead = (h: number) => new Date(Math.floor((Date.now() + h * HOUR) / 60_000) * 60_000).toISOString();

describe.each(DATABASES)('Discord scheduled events of tournaments [%s]', (db) => {
  let discord: FakeDiscordBot;
  let t: TestHub;
  let staff: HttpClient;
  /** The hub's PUBLIC_URL (its own address in tests). */
  let PUBLIC_URL = '';
  const lines: string[] = [];

  beforeAll(async () => {
    discord = await new FakeDiscordBot(TOKEN).start();
    const sink = new Writable({
      write(chunk, _enc, done) {
        lines.push(String(chunk));
        done();
      },
    });
    t = await startHub({
      db,
      env: { DISCORD_BOT_TOKEN: TOKEN, DISCORD_GUILD_ID: discord.guildId, DISCORD_API_BASE: discord.base },
      logger: pino({ level: 'info' }, sink),
      discordOutbox: fast,
    });
    staff = await t.login('eventstaff', 'staff');
    PUBLIC_URL = t.hub.services.config.publicUrl;
  });
  afterEach(() => {
    discord.calls.length = 0;
    lines.length = 0;
  });
  afterAll(async () => {
    await t?.close();
    await discord?.stop();
  });

  const outbox = (tournamentId: number) => t.hub.services.db('discord_outbox').where({ tournamentId }).orderBy('id');
  const settled = async (tournamentId: number) => (await outbox(tournamentId)).every((r) => r.state !== 'pending');
  const stored = async (tournamentId: number) => (await t.hub.services.db('discord_scheduled_events').where({ tournamentId }).first())?.eventId ?? null;

  async function create(name: string, startsAt: string, description = '') {
    const res = await staff.post('/api/tournaments', { name, startsAt, description });
    expect(res.status, res.text).toBe(201);
    return res.body.id as number;
  }

  it('DC40 DC41 the lifecycle: create, reschedule, rename and delete a tournament create, update and delete its event', async () => {
    const start = hoursAhead(48);
    const id = await create('Winter Cup', start, 'Captains draft, Bo3 playoffs');
    await eventually(() => settled(id), 'the create delivered');
    const eventId = await stored(id);
    expect(eventId).toMatch(/^\d{17,19}$/);
    const link = `${PUBLIC_URL}/tournaments/${id}`;
    expect(discord.events.get(eventId!)).toMatchObject({
      name: 'Winter Cup',
      privacy_level: 2,
      entity_type: 3,
      entity_metadata: { location: link },
      scheduled_start_time: start,
      scheduled_end_time: new Date(Date.parse(start) + 4 * HOUR).toISOString(),
      description: `Captains draft, Bo3 playoffs\n\n${link}`,
      status: 1,
    });
    const [post] = discord.eventCalls();
    expect(post).toMatchObject({ method: 'POST', path: `/guilds/${discord.guildId}/scheduled-events`, authorization: `Bot ${TOKEN}` });

    // Rescheduled: the same event moves, its end with it.
    const later = hoursAhead(72);
    expect((await staff.patch(`/api/tournaments/${id}`, { startsAt: later })).status).toBe(200);
    await eventually(() => settled(id), 'the reschedule delivered');
    expect(discord.events.get(eventId!)).toMatchObject({
      scheduled_start_time: later,
      scheduled_end_time: new Date(Date.parse(later) + 4 * HOUR).toISOString(),
    });

    // Renamed: the same event, the new name.
    expect((await staff.patch(`/api/tournaments/${id}`, { name: 'Winter Cup 2027' })).status).toBe(200);
    await eventually(() => settled(id), 'the rename delivered');
    expect(discord.events.get(eventId!)!.name).toBe('Winter Cup 2027');
    expect(discord.eventCalls().map((c) => `${c.method} ${c.path}`)).toEqual([
      `POST /guilds/${discord.guildId}/scheduled-events`,
      `PATCH /guilds/${discord.guildId}/scheduled-events/${eventId}`,
      `PATCH /guilds/${discord.guildId}/scheduled-events/${eventId}`,
    ]);

    // A change the event does not show (the state) calls nobody.
    expect((await staff.patch(`/api/tournaments/${id}`, { state: 'registration' })).status).toBe(200);
    expect(await outbox(id)).toHaveLength(3);

    // Deleted (cancelled): the event goes, and so does the stored id.
    expect((await staff.delete(`/api/tournaments/${id}`)).status).toBe(204);
    await eventually(() => settled(id), 'the delete delivered');
    expect(discord.events.has(eventId!)).toBe(false);
    expect(discord.eventCalls().at(-1)).toMatchObject({ method: 'DELETE', path: `/guilds/${discord.guildId}/scheduled-events/${eventId}` });
    expect(await t.hub.services.db('discord_scheduled_events').where({ tournamentId: id })).toEqual([]);
    expect((await outbox(id)).map((r) => [r.kind, r.state])).toEqual([
      ['event.create', 'sent'],
      ['event.update', 'sent'],
      ['event.update', 'sent'],
      ['event.delete', 'sent'],
    ]);
  });

  it('DC40 a start already past makes no event; moving it ahead later makes one', async () => {
    const id = await create('Yesterday Cup', new Date(Date.now() - 24 * HOUR).toISOString());
    expect(await outbox(id)).toEqual([]);
    const ahead = hoursAhead(24);
    expect((await staff.patch(`/api/tournaments/${id}`, { startsAt: ahead })).status).toBe(200);
    await eventually(() => settled(id), 'the create delivered');
    expect((await outbox(id)).map((r) => r.kind)).toEqual(['event.create']);
    expect(discord.events.get((await stored(id))!)).toMatchObject({ name: 'Yesterday Cup', scheduled_start_time: ahead });
  });

  it('DC42 a create answered 5xx with an update queued behind it: both land, in order, one event', async () => {
    await t.hub.outbox.stop();
    discord.eventTrouble({ kind: '5xx', status: 503 }, { kind: '5xx', status: 502 });
    const id = await create('Storm Cup', hoursAhead(30));
    const later = hoursAhead(40);
    expect((await staff.patch(`/api/tournaments/${id}`, { name: 'Storm Cup II', startsAt: later })).status).toBe(200);
    t.hub.outbox.start();
    await eventually(() => settled(id), 'both delivered', { timeoutMs: 10_000 });
    const calls = discord.eventCalls().map((c) => c.method);
    // Two refused creates, the create, then the update: never the update before the create.
    expect(calls).toEqual(['POST', 'POST', 'POST', 'PATCH']);
    const eventId = (await stored(id))!;
    expect([...discord.events.values()].filter((e) => e.entity_metadata?.location === `${PUBLIC_URL}/tournaments/${id}`)).toHaveLength(1);
    expect(discord.events.get(eventId)).toMatchObject({ name: 'Storm Cup II', scheduled_start_time: later });
    const rows = await outbox(id);
    expect(rows.map((r) => [r.kind, r.state])).toEqual([
      ['event.create', 'sent'],
      ['event.update', 'sent'],
    ]);
    expect(rows[0]!.attempts).toBeGreaterThanOrEqual(2);
  });

  it('DC42 a create whose answer was lost (the process stopped) is not made twice: the next attempt finds it', async () => {
    await t.hub.outbox.stop();
    discord.eventTrouble({ kind: 'hold' });
    const id = await create('Held Cup', hoursAhead(50));
    t.hub.outbox.start();
    await eventually(() => discord.eventCalls().length === 1, 'the create reaching Discord');
    // Stopped with the answer outstanding: the row is still pending, the event exists in Discord.
    await t.hub.outbox.stop();
    expect((await outbox(id))[0]!.state).toBe('pending');
    t.hub.outbox.start();
    await eventually(() => settled(id), 'the create settled');
    const mine = [...discord.events.values()].filter((e) => e.entity_metadata?.location === `${PUBLIC_URL}/tournaments/${id}`);
    expect(mine).toHaveLength(1);
    expect(await stored(id)).toBe(mine[0]!.id);
    expect(discord.eventCalls().map((c) => c.method)).toEqual(['POST']);
  });

  it('DC43 an event deleted in Discord: an update makes it again, a delete is skipped with a log line', async () => {
    const id = await create('Gone Cup', hoursAhead(20));
    await eventually(() => settled(id), 'the create delivered');
    const first = (await stored(id))!;
    discord.events.delete(first); // someone deleted it in Discord
    expect((await staff.patch(`/api/tournaments/${id}`, { name: 'Gone Cup Again' })).status).toBe(200);
    await eventually(() => settled(id), 'the update delivered');
    const second = (await stored(id))!;
    expect(second).not.toBe(first);
    expect(discord.events.get(second)).toMatchObject({ name: 'Gone Cup Again' });
    expect(lines.some((l) => l.includes('discord event gone'))).toBe(true);

    discord.events.delete(second);
    expect((await staff.delete(`/api/tournaments/${id}`)).status).toBe(204);
    await eventually(() => settled(id), 'the delete handled');
    expect((await outbox(id)).at(-1)).toMatchObject({ kind: 'event.delete', state: 'skipped', lastError: expect.stringContaining('10070') });
    expect(lines.some((l) => l.includes('discord notice skipped') && l.includes('already deleted'))).toBe(true);
    expect(await t.hub.services.db('discord_scheduled_events').where({ tournamentId: id })).toEqual([]);
  });

  it('DC43 an event call Discord refuses (400) is skipped with a log line, never retried; the next tournament’s goes on', async () => {
    await t.hub.outbox.stop();
    const id = await create('Refused Cup', hoursAhead(10));
    // Queued with a start ahead, delivered once it has passed: Discord refuses to schedule in the past.
    const past = new Date(Date.now() - HOUR).toISOString();
    await t.hub.services
      .db('discord_outbox')
      .where({ tournamentId: id })
      .update({ body: JSON.stringify({ ...JSON.parse((await outbox(id))[0]!.body), scheduled_start_time: past }) });
    const next = await create('Next Cup', hoursAhead(12));
    t.hub.outbox.start();
    await eventually(async () => (await settled(id)) && (await settled(next)), 'both handled');
    expect((await outbox(id))[0]).toMatchObject({ state: 'skipped', attempts: 1, lastError: expect.stringContaining('50035') });
    expect((await outbox(next))[0]!.state).toBe('sent');
    expect(lines.some((l) => l.includes('discord notice skipped') && l.includes('"tournamentId":' + id))).toBe(true);
  });
});

describe('DC40 without the bot token and DISCORD_GUILD_ID no event is queued', () => {
  let discord: FakeDiscordBot;
  beforeAll(async () => {
    discord = await new FakeDiscordBot(TOKEN).start();
  });
  afterAll(() => discord.stop());

  for (const [what, env] of [
    ['a bot token but no guild id', { DISCORD_BOT_TOKEN: TOKEN }],
    ['a guild id but no bot token', { DISCORD_GUILD_ID: '823456789012345678' }],
  ] as const) {
    it(`DC40 ${what}: the tournament is made, no event`, async () => {
      const t = await startHub({ env: { DISCORD_API_BASE: discord.base, ...env }, discordOutbox: fast });
      try {
        const staff = await t.login('noevents', 'staff');
        const res = await staff.post('/api/tournaments', { name: 'Quiet Cup', startsAt: hoursAhead(24) });
        expect(res.status).toBe(201);
        expect((await staff.patch(`/api/tournaments/${res.body.id}`, { name: 'Quiet Cup 2' })).status).toBe(200);
        expect((await staff.delete(`/api/tournaments/${res.body.id}`)).status).toBe(204);
        expect(await t.hub.services.db('discord_outbox')).toEqual([]);
        expect(await t.hub.services.db('discord_scheduled_events')).toEqual([]);
        await new Promise((r) => setTimeout(r, 100));
        expect(discord.calls).toEqual([]);
      } finally {
        await t.close();
      }
    });
  }
});
