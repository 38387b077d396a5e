import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { DATABASES } from '../support/databases';
import { startHub, type TestHub } from '../support/hub';
import type { HttpClient } from '../support/http';
import { connectSocket, type TestSocket, unwrap } from '../support/socket';
import { eventually } from '../support/eventually';
import { ManualClock } from '../../server/deadlines/clock';
import { onCaptainPresence } from '../../server/herodraft/herodraft.presence';
import type { JoinResult } from '../../shared/realtime';
import { HeroDraftGraceEvent, type HeroDraftView } from '../../shared/schemas/herodraft';
import { type HeroDraftSetup, heldView, heroIdsSorted, roomEvents, setupHeroDraft, startDrafting, teamAWinsTheToss, view } from './fixtures';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
let counter = 0;
const redisPrefix = () => `dtx-test:hd:${process.pid}:${Date.now().toString(36)}:${++counter}:`;
const GRACE_MS = 4000;
/** The hero draft in a first join's answer. */
const snapshotOf = (joined: JoinResult) => {
  if (!('snapshot' in joined)) throw new Error('a first join answers with a snapshot');
  return joined.snapshot as HeroDraftView;
};

describe.each(DATABASES)('hero draft over sockets (%s)', (db) => {
  let t: TestHub;
  let staff: HttpClient;
  let clock: ManualClock;
  const sockets: TestSocket[] = [];
  const heroes = heroIdsSorted();

  beforeAll(async () => {
    clock = new ManualClock(Date.parse('2030-06-01T18:00:00Z'));
    t = await startHub({ db, env: { RT_PRESENCE_THROTTLE_MS: '20', HERODRAFT_GRACE_MS: String(GRACE_MS) }, clock, random: teamAWinsTheToss() });
    staff = await t.login('hdsockstaff', 'staff');
  });
  afterAll(async () => {
    for (const s of sockets) s.close();
    await t?.close();
  });

  const connect = async (client?: HttpClient) => {
    const s = await connectSocket(t.url, client ? { cookie: client.cookieHeader() } : {});
    sockets.push(s);
    return s;
  };
  const graceRow = async (room: string) => t.hub.services.db('deadlines').where({ room, kind: 'herodraft.grace' }).first();

  /**
   * Waits until the spectator sees both captains and the draft has caught up with that. They
   * joined after the draft started: a reading from before (nobody there, or one of them) may
   * have begun a grace period, in a command still running when the spectator gets the newer
   * reading; the newer one then calls it off. Returns the draft's seq by then: the test's own
   * events come after it (the setup's may still be on their way to the sockets).
   */
  async function untilCaptainsSeen(s: HeroDraftSetup, spectator: TestSocket): Promise<number> {
    await spectator.untilPresence(s.room, (p) => p.participants.every((x) => x.connected));
    expect(await t.hub.services.commands.idle(5000)).toBe(true);
    await eventually(async () => (await graceRow(s.room)) === undefined, 'the grace from before the captains joined to be called off');
    expect(await t.hub.services.commands.idle(5000)).toBe(true);
    const settled = await view(t, s.id);
    expect(settled.graceDueAt).toBeNull();
    return settled.seq;
  }

  it('RT6 CM3 captains act over the socket; a spectator gets the snapshot then every event; errors come back in the ack', async () => {
    const s = await setupHeroDraft(t, staff);
    const spectator = await connect();
    const joined = unwrap(await spectator.join(s.room)) as Extract<JoinResult, { snapshot: unknown }>;
    expect((joined.snapshot as HeroDraftView).status).toBe('waiting');
    const [a, b] = [await connect(s.captains[0]), await connect(s.captains[1])];
    unwrap(await a.command('herodraft.ready', { heroDraftId: s.id, ready: true }));
    unwrap(await b.command('herodraft.ready', { heroDraftId: s.id, ready: true }));
    unwrap(await a.command('herodraft.choose', { heroDraftId: s.id, choice: { kind: 'order', value: 'first' } }));
    const started = unwrap(await b.command('herodraft.choose', { heroDraftId: s.id, choice: { kind: 'side', value: 'dire' } }));
    expect(started.status).toBe('drafting');
    const bad = await a.raw('herodraft.act', { heroDraftId: s.id, stepIndex: 0, heroId: -1 });
    expect(!bad.ok && bad.error.code).toBe('invalid_payload');
    const wrong = await b.command('herodraft.act', { heroDraftId: s.id, stepIndex: 0, heroId: heroes[0]! });
    expect(!wrong.ok && wrong.error.code).toBe('forbidden');
    const ok = unwrap(await a.command('herodraft.act', { heroDraftId: s.id, stepIndex: 0, heroId: heroes[0]! }));
    expect(ok.done).toHaveLength(1);
    const twice = await a.command('herodraft.act', { heroDraftId: s.id, stepIndex: 0, heroId: heroes[1]! });
    expect(!twice.ok && twice.error.code).toBe('conflict');
    const used = await a.command('herodraft.act', { heroDraftId: s.id, stepIndex: 1, heroId: heroes[0]! });
    expect(!used.ok && used.error.code).toBe('conflict');
    const events = await spectator.untilEvents(s.room, 5);
    expect(events.map((e) => e.type)).toEqual(['herodraft.ready', 'herodraft.tossed', 'herodraft.chosen', 'herodraft.started', 'herodraft.step']);
    expect(events.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5].map((x) => x + joined.seq));
    expect(events.at(-1)!.type).toBe('herodraft.step');
    // The snapshot with the events applied by the shared reducer is the draft as read.
    const held = heldView(spectator, s.room, joined.snapshot as HeroDraftView);
    expect(held.stepIndex).toBe(1);
    const { serverTime: _time, ...read } = await view(t, s.id);
    expect(held).toEqual(read);
  });

  it('RT4 two tabs of one captain racing over sockets: one success, one conflict', async () => {
    const s = await setupHeroDraft(t, staff);
    await startDrafting(s);
    const [tab1, tab2] = [await connect(s.captains[0]), await connect(s.captains[0])];
    const acks = await Promise.all([
      tab1.command('herodraft.act', { heroDraftId: s.id, stepIndex: 0, heroId: heroes[5]! }),
      tab2.command('herodraft.act', { heroDraftId: s.id, stepIndex: 0, heroId: heroes[6]! }),
    ]);
    expect(acks.map((x) => (x.ok ? 'ok' : x.error.code)).sort()).toEqual(['conflict', 'ok']);
    expect((await view(t, s.id)).done).toHaveLength(1);
  });

  it('CM6 CM7 a captain disconnecting pauses after the grace period on every screen; a second tab or a blip does not', async () => {
    const s = await setupHeroDraft(t, staff);
    await startDrafting(s);
    const spectator = await connect();
    const snapshots = new Map<TestSocket, HeroDraftView>();
    snapshots.set(spectator, snapshotOf(unwrap(await spectator.join(s.room))));
    const b = await connect(s.captains[1]);
    snapshots.set(b, snapshotOf(unwrap(await b.join(s.room))));
    const a1 = await connect(s.captains[0]);
    unwrap(await a1.join(s.room));
    await untilCaptainsSeen(s, spectator);

    // CM7: a second tab comes and goes; the captain is still connected through the first.
    const a2 = await connect(s.captains[0]);
    unwrap(await a2.join(s.room));
    await spectator.untilPresence(s.room, (p) => p.spectators === 4);
    a2.close();
    await spectator.untilPresence(s.room, (p) => p.spectators === 3 && p.participants.every((x) => x.connected));
    expect(await t.hub.services.commands.idle(5000)).toBe(true);
    expect(await graceRow(s.room)).toBeUndefined();

    // A blip: gone, then back within the grace period: no pause.
    a1.close();
    await spectator.untilPresence(s.room, (p) => p.participants.some((x) => !x.connected));
    await vi.waitFor(async () => expect(await graceRow(s.room)).toBeDefined());
    clock.advance(GRACE_MS - 1000);
    const a3 = await connect(s.captains[0]);
    unwrap(await a3.join(s.room));
    await vi.waitFor(async () => expect(await graceRow(s.room)).toBeUndefined());
    clock.advance(GRACE_MS * 2);
    expect((await view(t, s.id)).status).toBe('drafting');

    // Gone for good: after the grace period the draft pauses; everyone sees it.
    const before = clock.now();
    a3.close();
    await vi.waitFor(async () => expect(await graceRow(s.room)).toBeDefined());
    expect(Number((await graceRow(s.room)).dueAtMs)).toBe(before + GRACE_MS);
    clock.advance(GRACE_MS);
    for (const screen of [spectator, b]) {
      const paused = await screen.until(() => screen.eventsOf(s.room).find((e) => e.type === 'herodraft.paused'), 'paused');
      expect(heldView(screen, s.room, snapshots.get(screen)!, paused.seq).paused!.reason).toBe('a captain disconnected');
    }
    // CM6: nothing is charged while paused, however long.
    const paused = await view(t, s.id);
    clock.advance(600_000);
    expect((await view(t, s.id)).paused).toEqual(paused.paused);
    // Resumes when staff say so.
    const resumed = unwrap(await (await connect(staff)).command('herodraft.resume', { heroDraftId: s.id }));
    expect(resumed.status).toBe('drafting');
  });

  it('CM6 a captain away: graceDueAt is stored, read and announced (herodraft.grace) at once, cleared and announced when they are back in time', async () => {
    const s = await setupHeroDraft(t, staff);
    await startDrafting(s);
    const spectator = await connect();
    const snapshot = snapshotOf(unwrap(await spectator.join(s.room)));
    /** The draft on the spectator's screen after event `seq` (its snapshot and the events, reduced). */
    const heldAt = (seq: number) => heldView(spectator, s.room, snapshot, seq);
    const b = await connect(s.captains[1]);
    unwrap(await b.join(s.room));
    let a = await connect(s.captains[0]);
    unwrap(await a.join(s.room));
    const since = await untilCaptainsSeen(s, spectator);
    const graceEvents = () =>
      spectator
        .eventsOf(s.room)
        .filter((e) => e.seq > since && e.type === 'herodraft.grace')
        .map((e) => ({ seq: e.seq, ...HeroDraftGraceEvent.parse(e.payload) }));

    // Team A's captain goes: the pause is due GRACE_MS from now, and everyone is told when.
    const leftAt = clock.now();
    const due = new Date(leftAt + GRACE_MS).toISOString();
    a.close();
    const away = await spectator.until(() => graceEvents()[0], 'the grace event');
    expect(away.graceDueAt).toBe(due);
    expect(away.away).toEqual([0]);
    expect(heldAt(away.seq).graceDueAt).toBe(due);
    expect(heldAt(away.seq).status).toBe('drafting');
    expect((await view(t, s.id)).graceDueAt).toBe(due); // the REST read too (no stale cache)
    expect(Number((await graceRow(s.room)).dueAtMs)).toBe(leftAt + GRACE_MS);
    // The captain still there sees it as well.
    await b.until(
      () => b.eventsOf(s.room).some((e) => e.type === 'herodraft.grace' && HeroDraftGraceEvent.parse(e.payload).graceDueAt === due),
      'the grace event on B',
    );

    // Back within the grace: cleared, and said so.
    clock.advance(GRACE_MS - 1000);
    a = await connect(s.captains[0]);
    unwrap(await a.join(s.room));
    const back = await spectator.until(() => graceEvents()[1], 'the grace cleared');
    expect(back.graceDueAt).toBeNull();
    expect(back.away).toEqual([]);
    expect(heldAt(back.seq).graceDueAt).toBeNull();
    expect((await view(t, s.id)).graceDueAt).toBeNull();
    expect(await graceRow(s.room)).toBeUndefined();
    clock.advance(GRACE_MS * 2);
    expect((await view(t, s.id)).status).toBe('drafting');

    // Gone again, for good: announced, then the pause clears it.
    a.close();
    const again = await spectator.until(() => graceEvents()[2], 'the second grace event');
    expect(again.graceDueAt).toBe(new Date(clock.now() + GRACE_MS).toISOString());
    clock.advance(GRACE_MS);
    const paused = await spectator.until(() => spectator.eventsOf(s.room).find((e) => e.type === 'herodraft.paused'), 'paused');
    expect(heldAt(paused.seq)).toMatchObject({ status: 'paused', graceDueAt: null });
    expect(graceEvents()).toHaveLength(3);
  });

  it('CM6 a reading overtaken by a newer one before the draft takes it in is not acted on: no grace announced and taken back', async () => {
    const s = await setupHeroDraft(t, staff);
    await startDrafting(s);
    const before = (await roomEvents(t, s.room)).length;
    const [captainA, captainB] = s.captains.map((c) => c.userId) as [number, number];
    const reading = (connected: boolean) => [
      { userId: captainA, connected },
      { userId: captainB, connected },
    ];
    // The process's readings as the room hands them over when the captains join while the draft
    // is busy: nobody there, then both there before the first was taken in, then the first again
    // late (broadcasts may finish out of order).
    const version = Date.now() * 1000;
    await Promise.all([
      onCaptainPresence(t.hub.services, s.id, reading(false), version),
      onCaptainPresence(t.hub.services, s.id, reading(true), version + 1),
      onCaptainPresence(t.hub.services, s.id, reading(false), version),
    ]);
    expect(await t.hub.services.commands.idle(5000)).toBe(true);
    expect((await roomEvents(t, s.room)).slice(before).map((e) => e.type)).toEqual([]);
    expect((await view(t, s.id)).graceDueAt).toBeNull();
    expect(await graceRow(s.room)).toBeUndefined();
  });
});

describe('hero draft deadlines across processes and restarts (RT11, Redis)', () => {
  const hubs: TestHub[] = [];
  const sockets: TestSocket[] = [];
  afterAll(async () => {
    for (const s of sockets) s.close();
    for (const h of hubs.reverse()) await h.close().catch(() => {});
  });

  it('RT11 the countdown survives a restart: a new hub on the same database keeps the deadline and fires it', async () => {
    const env = { REDIS_URL, REDIS_PREFIX: redisPrefix() };
    const clock = new ManualClock(Date.parse('2030-07-01T18:00:00Z'));
    const first = await startHub({ db: 'postgres', env, clock, random: teamAWinsTheToss() });
    const staff = await first.login('hdrestart', 'staff');
    const s = await setupHeroDraft(first, staff);
    const started = await startDrafting(s);
    clock.advance(7_000); // mid-step
    const deadline = started.turn!.deadlineAt;
    await first.hub.close(); // the database stays

    const clock2 = new ManualClock(clock.now());
    const second = await startHub({ database: first.database, env, clock: clock2 });
    hubs.push(second);
    const after = await view(second, s.id);
    expect(after.turn!.deadlineAt).toBe(deadline);
    expect(after.stepIndex).toBe(0);
    clock2.advance(Date.parse(deadline) - clock2.now());
    const timedOut = await vi.waitFor(async () => {
      const v = await view(second, s.id);
      if (v.stepIndex !== 1) throw new Error('not yet');
      return v;
    });
    expect(timedOut.done[0]).toMatchObject({ heroId: null, method: 'timeout' });
    hubs.splice(hubs.indexOf(second), 1);
    await second.close();
    await first.database.drop();
  });

  it('RT11 two processes on Redis: a timeout fires exactly once and reaches spectators on both', async () => {
    // The captains act over REST here (no socket): a long grace keeps their absence from pausing.
    const env = { REDIS_URL, REDIS_PREFIX: redisPrefix(), HERODRAFT_GRACE_MS: '600000' };
    // PostgreSQL: two hubs in one test process on one SQLite file would block each other's event loop.
    const start = Date.parse('2030-08-01T18:00:00Z');
    const clocks = [new ManualClock(start), new ManualClock(start)];
    const a = await startHub({ db: 'postgres', env, clock: clocks[0], random: teamAWinsTheToss() });
    hubs.push(a);
    const b = await startHub({ database: a.database, env, clock: clocks[1], random: teamAWinsTheToss() });
    hubs.push(b);
    const staff = await a.login('hdtwo', 'staff');
    const s = await setupHeroDraft(a, staff, { firstBanSeconds: 5, reserveSeconds: 0 });
    await startDrafting(s);
    await b.hub.deadlines.refresh(); // b arms it now rather than at its next refresh
    const watchers = [await connectSocket(a.url), await connectSocket(b.url)];
    sockets.push(...watchers);
    for (const w of watchers) unwrap(await w.join(s.room));
    for (const c of clocks) c.advance(5_000);
    for (const w of watchers) await w.until(() => w.eventsOf(s.room).some((e) => e.type === 'herodraft.timeout'), 'timeout');
    expect(await a.hub.services.commands.idle(5000)).toBe(true);
    expect(await b.hub.services.commands.idle(5000)).toBe(true);
    const timeouts = (await roomEvents(a, s.room)).filter((e) => e.type === 'herodraft.timeout');
    expect(timeouts).toHaveLength(1);
    for (const w of watchers) expect(w.eventsOf(s.room).filter((e) => e.type === 'herodraft.timeout')).toHaveLength(1);
    expect((await view(b, s.id)).stepIndex).toBe(1);
  });
});
