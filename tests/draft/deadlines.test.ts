import type { DraftScalars } from '../../shared/live/draft';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { DraftView } from '../../shared/schemas/draft';
import { ManualClock } from '../../server/deadlines/clock';
import { TURN_DEADLINE } from '../../server/draft/draft.deadlines';
import { createTestDatabase, DATABASES, type TestDatabase } from '../support/databases';
import { startHub, type TestHub } from '../support/hub';
import { connectSocket, type TestSocket, unwrap } from '../support/socket';
import { captainOnTurn, type Client, draftEvents, setupDraft } from './fixtures';

const PICK_SECONDS = 30;
const TURN_MS = PICK_SECONDS * 1000;

type PickedPayload = { pick: { pickNumber: number; userId: number; method: string; byUserId: number | null }; set: DraftScalars };
const picked = (s: TestSocket, room: string) =>
  s
    .eventsOf(room)
    .filter((e) => e.type === 'draft.picked')
    .map((e) => e.payload as PickedPayload);
const deadlineRows = (t: TestHub, room: string) => t.hub.services.db('deadlines').where({ kind: TURN_DEADLINE, room });

/** Far from the real clock, so only the manual clock can make a deadline due. */
const manualClock = () => new ManualClock(Date.now() + 24 * 3600_000);

describe.each(DATABASES)('pick timer [%s]', (db) => {
  let t: TestHub;
  let staff: Client;
  let clock: ManualClock;
  const sockets: TestSocket[] = [];

  beforeAll(async () => {
    clock = manualClock();
    t = await startHub({ db, clock });
    staff = (await t.login('timerstaff', 'staff')) as Client;
  });
  afterEach(() => {
    for (const s of sockets.splice(0)) s.close();
  });
  afterAll(() => t?.close());

  it('DR7 on expiry the hub picks the first queued player still available, else the highest MMR left; the next turn gets its own deadline', async () => {
    const s = await setupDraft(t, staff, { teams: 2, players: 5, teamSize: 3, pickSeconds: PICK_SECONDS });
    const spectator = await connectSocket(t.url);
    sockets.push(spectator);
    unwrap(await spectator.join(s.room));
    const view = (await staff.post(`${s.base}/start`, {})).body as DraftView;
    expect(view.deadlineAt).toBe(new Date(clock.now() + TURN_MS).toISOString());
    const read = (await t.client().get(s.base)).body as DraftView & { serverTime: string };
    expect(read.serverTime).toBe(new Date(clock.now()).toISOString());

    // The first captain queues the best player and a low one: the best now, the low one on their next turn.
    const first = captainOnTurn(s, view);
    const [best, , , , lowest] = view.pool; // highest MMR first
    const queue = [best!.user.id, lowest!.user.id];
    expect((await first.put(`${s.base}/queue`, { userIds: queue })).status).toBe(200);
    clock.advance(TURN_MS - 1);
    expect((await deadlineRows(t, s.room)).length).toBe(1);
    clock.advance(1);
    const [auto1] = await spectator.until(() => picked(spectator, s.room).length >= 1 && picked(spectator, s.room), 'the first auto-pick');
    expect(auto1!.pick).toMatchObject({ pickNumber: 1, userId: best!.user.id, method: 'auto', byUserId: null });
    expect(auto1!.set.deadlineAt).toBe(new Date(clock.now() + TURN_MS).toISOString());

    // The second captain has no queue: the highest MMR left.
    clock.advance(TURN_MS);
    const second = await spectator.until(() => picked(spectator, s.room).length >= 2 && picked(spectator, s.room)[1], 'the second auto-pick');
    expect(second.pick).toMatchObject({ pickNumber: 2, userId: view.pool[1]!.user.id, method: 'auto' });

    // Snake: the second captain again; then the first, whose queue's best is gone: the next queued one.
    clock.advance(TURN_MS);
    await spectator.until(() => picked(spectator, s.room).length >= 3, 'the third auto-pick');
    clock.advance(TURN_MS);
    const fourth = await spectator.until(() => picked(spectator, s.room).length >= 4 && picked(spectator, s.room)[3], 'the fourth auto-pick');
    expect(fourth.pick).toMatchObject({ pickNumber: 4, userId: lowest!.user.id, method: 'auto' });
    expect(fourth.set.status).toBe('completed');
    expect(await deadlineRows(t, s.room)).toHaveLength(0);
  });

  it('deleting a drafting tournament drops its pick timer: nothing fires for a tournament that is gone', async () => {
    const s = await setupDraft(t, staff, { teams: 2, players: 4, teamSize: 3, pickSeconds: PICK_SECONDS });
    expect((await staff.post(`${s.base}/start`, {})).status).toBe(200);
    expect(await deadlineRows(t, s.room)).toHaveLength(1);
    expect((await staff.delete(`/api/tournaments/${s.id}`)).status).toBe(204);
    expect(await deadlineRows(t, s.room)).toHaveLength(0);
    clock.advance(TURN_MS);
    expect(await deadlineRows(t, s.room)).toHaveLength(0);
  });

  it('DR7 a pick in time replaces the deadline; pause keeps the time left and stops the clock; resume gives it back', async () => {
    const s = await setupDraft(t, staff, { teams: 2, players: 4, teamSize: 3, pickSeconds: PICK_SECONDS });
    const view = (await staff.post(`${s.base}/start`, {})).body as DraftView;
    clock.advance(TURN_MS - 5000);
    const next = (await captainOnTurn(s, view).post(`${s.base}/picks`, { userId: view.pool[0]!.user.id, pickNumber: 1 })).body as DraftView;
    expect(next.deadlineAt).toBe(new Date(clock.now() + TURN_MS).toISOString());
    clock.advance(10_000); // the first turn's deadline has passed: nothing fires for it
    await t.hub.services.commands.idle(5000);
    expect(((await t.client().get(s.base)).body as DraftView).picks).toHaveLength(1);

    const paused = (await staff.post(`${s.base}/pause`, {})).body as DraftView;
    expect(paused).toMatchObject({ status: 'paused', deadlineAt: null, pausedRemainingMs: TURN_MS - 10_000 });
    clock.advance(10 * TURN_MS);
    await t.hub.services.commands.idle(5000);
    expect(((await t.client().get(s.base)).body as DraftView).picks).toHaveLength(1);
    const resumed = (await staff.post(`${s.base}/resume`, {})).body as DraftView;
    expect(resumed.deadlineAt).toBe(new Date(clock.now() + TURN_MS - 10_000).toISOString());
    const row = (await deadlineRows(t, s.room))[0]!;
    expect(Number(row.expectedSeq)).toBe(resumed.seq);
  });
  it('RT11 a deadline whose room moved on is dropped without running; a handled one runs once', async () => {
    const room = 'user:987654';
    const ran: number[] = [];
    t.hub.deadlines.register('test.once', async (_tx, d) => {
      ran.push((d.payload as { n: number }).n);
    });
    const setAt = (n: number) =>
      t.hub.services.commands.run(null, async (tx) => {
        const seq = await tx.lock(room);
        await t.hub.deadlines.set(tx, { kind: 'test.once', room, dueAt: clock.now() + 1000, expectedSeq: seq, payload: { n } });
      });
    await setAt(1);
    // The room moves past the seq the deadline was set at: its expiry is void.
    await t.hub.services.commands.run(null, async (tx) => {
      await tx.emit(room, 'test.moved', {});
    });
    clock.advance(1000);
    await t.hub.services.commands.idle(5000);
    expect(ran).toEqual([]);
    expect(await t.hub.services.db('deadlines').where({ room })).toHaveLength(0);

    await setAt(2);
    clock.advance(1000);
    await t.hub.services.commands.idle(5000);
    // Armed again from the database and due: it is gone, so nothing runs twice.
    await t.hub.deadlines.refresh();
    clock.advance(1000);
    await t.hub.services.commands.idle(5000);
    expect(ran).toEqual([2]);
  });

  it('a tournament deleted with its pick timer running leaves no deadline behind', async () => {
    const s = await setupDraft(t, staff, { teams: 2, players: 2, teamSize: 2, pickSeconds: PICK_SECONDS });
    expect((await staff.post(`${s.base}/start`, {})).status).toBe(200);
    const deleted = await staff.delete(`/api/tournaments/${s.id}`);
    expect(deleted.status, deleted.text).toBe(204);
    clock.advance(TURN_MS);
    await t.hub.services.commands.idle(5000);
    expect(await deadlineRows(t, s.room)).toHaveLength(0);
  });
});

describe.each(DATABASES)('RT11 a pending deadline survives a restart [%s]', (db) => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase(db);
  });
  afterAll(() => database?.drop());

  it('RT11 DR7 stop the hub with a turn running; another hub on the same database fires it once', async () => {
    const clock = manualClock();
    const first = await startHub({ database, clock });
    const staff = (await first.login('restartstaff', 'staff')) as Client;
    const s = await setupDraft(first, staff, { teams: 2, players: 4, teamSize: 3, pickSeconds: PICK_SECONDS });
    const view = (await staff.post(`${s.base}/start`, {})).body as DraftView;
    clock.advance(TURN_MS / 2);
    await first.close();

    const second = await startHub({ database, clock });
    try {
      // Rebuilt from the database at start-up: the pending turn is armed on the new process.
      const spectator = await connectSocket(second.url);
      const snap = unwrap(await spectator.join(s.room));
      expect('snapshot' in snap && (snap.snapshot as DraftView).deadlineAt).toBe(view.deadlineAt);
      clock.advance(TURN_MS / 2);
      const [auto] = await spectator.until(() => picked(spectator, s.room).length >= 1 && picked(spectator, s.room), 'the auto-pick after restart');
      expect(auto!.pick).toMatchObject({ pickNumber: 1, userId: view.pool[0]!.user.id, method: 'auto' });
      // Fired once: reloading and firing again changes nothing.
      await second.hub.deadlines.refresh();
      await second.hub.services.commands.idle(5000);
      const events = await draftEvents(second, s.room);
      expect(events.filter((e) => e.type === 'draft.picked')).toHaveLength(1);
      const rows = await deadlineRows(second, s.room);
      expect(rows).toHaveLength(1);
      expect(Number(rows[0]!.expectedSeq)).toBe(events.at(-1)!.seq);
      spectator.close();
    } finally {
      await second.close();
    }
  });
});

describe.each(DATABASES)('RT11 two hubs on one database and Redis [%s]', (db) => {
  let a: TestHub;
  let b: TestHub;
  const clock = manualClock();
  const sockets: TestSocket[] = [];

  beforeAll(async () => {
    const env = { REDIS_URL: 'redis://127.0.0.1:6379', REDIS_PREFIX: `dtx-test:${process.pid}:${Date.now().toString(36)}:${db}:` };
    a = await startHub({ db, env, clock });
    b = await startHub({ database: a.database, env, clock });
  });
  afterEach(() => {
    for (const s of sockets.splice(0)) s.close();
  });
  afterAll(async () => {
    await b?.close();
    await a?.close();
  });

  // Two SQLite hubs in one test process share one event loop: the loser's busy wait on the
  // file lock stalls both for up to busy_timeout (5 s) before it gives up. Separate processes
  // do not stall each other; the outcome (one pick) is the same.
  const wait = db === 'sqlite' ? 15_000 : 5000;

  it('RT11 DR7 both processes fire the same deadline: one auto-pick, one event, seen on both', { timeout: 60_000 }, async () => {
    const staff = (await a.login('twotimerstaff', 'staff')) as Client;
    const s = await setupDraft(a, staff, { teams: 2, players: 4, teamSize: 3, pickSeconds: PICK_SECONDS });
    const onA = await connectSocket(a.url);
    const onB = await connectSocket(b.url);
    sockets.push(onA, onB);
    unwrap(await onA.join(s.room));
    unwrap(await onB.join(s.room));
    for (let round = 1; round <= (db === 'sqlite' ? 2 : 3); round++) {
      // Started (or picked) on A: B learns the deadline from the database.
      if (round === 1) await staff.post(`${s.base}/start`, {});
      await b.hub.deadlines.refresh();
      await a.hub.deadlines.refresh();
      clock.advance(TURN_MS);
      await onA.until(() => picked(onA, s.room).length >= round, `auto-pick ${round} on A`, wait);
      await onB.until(() => picked(onB, s.room).length >= round, `auto-pick ${round} on B`, wait);
      // Both expiries have run to the end before counting.
      await Promise.all([a.hub.services.commands.idle(wait), b.hub.services.commands.idle(wait)]);
      const events = await draftEvents(a, s.room);
      expect(events.filter((e) => e.type === 'draft.picked').map((e) => (e.payload as unknown as PickedPayload).pick.pickNumber)).toEqual(
        Array.from({ length: round }, (_, i) => i + 1),
      );
      expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
      // RT8: a read on either process after the event reflects it.
      for (const hub of [a, b]) expect(((await hub.client().get(s.base)).body as DraftView).picks).toHaveLength(round);
    }
  });
});
