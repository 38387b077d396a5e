import { applyDraftEvent } from '../../shared/live/draft';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Ack } from '../../shared/errors';
import type { JoinResult } from '../../shared/realtime';
import type { DraftView } from '../../shared/schemas/draft';
import { DATABASES } from '../support/databases';
import { startHub, type TestHub } from '../support/hub';
import { connectSocket, socketJar, type TestSocket, unwrap } from '../support/socket';
import { captainOnTurn, type Client, draftEvents, type DraftSetup, position, setupDraft } from './fixtures';

const ROUNDS = 4;

/** Exactly one success, and the other a conflict. */
function oneWinner(results: { ok: boolean; code?: string }[]) {
  expect(results.filter((r) => r.ok)).toHaveLength(1);
  expect(results.filter((r) => !r.ok).map((r) => r.code)).toEqual(['conflict']);
}
const fromAck = (a: Ack<unknown>) => ({ ok: a.ok, code: a.ok ? undefined : a.error.code });
const fromRest = (r: { status: number; body: any }) => ({ ok: r.status < 300, code: r.status < 300 ? undefined : r.body.error.code });
const snapshotOf = (ack: Ack<JoinResult>) => {
  const joined = unwrap(ack);
  if (!('snapshot' in joined)) throw new Error('expected a snapshot');
  return { seq: joined.seq, draft: joined.snapshot as DraftView };
};
/** The draft state a socket holds: the snapshot, then each later event applied by the shared reducer. */
const latest = (s: TestSocket, room: string, snapshot: DraftView) =>
  s
    .eventsOf(room)
    .filter((e) => e.seq > snapshot.seq)
    .reduce(applyDraftEvent, snapshot);

describe.each(DATABASES)('player draft over sockets [%s]', (db) => {
  let t: TestHub;
  let staff: Client;
  const sockets = socketJar();
  const open = (client?: Client) => sockets.open(t.url, client ? { cookie: client.cookieHeader() } : {});

  beforeAll(async () => {
    t = await startHub({ db });
    staff = (await t.login('rtdraftstaff', 'staff')) as Client;
  });
  afterEach(() => sockets.closeAll());
  afterAll(() => t?.close());

  it('RT6 RT7 a spectator without login gets the full state and history; late joiners and reconnects catch up exactly', async () => {
    const s = await setupDraft(t, staff, { teams: 2, players: 4, teamSize: 3 });
    const spectator = await open();
    const first = snapshotOf(await spectator.join(s.room));
    expect(first.draft).toMatchObject({ status: 'open', tournamentId: s.id, seq: first.seq });
    expect(first.seq).toBe((await draftEvents(t, s.room)).length);

    const staffSocket = await open(staff);
    let view = unwrap(await staffSocket.command('draft.start', { tournamentId: s.id }));
    const captainSockets = await Promise.all(s.captains.map((c) => open(c)));
    for (let i = 0; i < 2; i++) {
      const index = s.teamIds.indexOf(view.turn!.teamId!);
      view = unwrap(
        await captainSockets[index]!.command('draft.pick', {
          tournamentId: s.id,
          userId: view.pool.find((p) => p.teamId === null)!.user.id,
          pickNumber: view.turn!.pickNumber,
        }),
      );
    }
    const got = await spectator.untilEvents(s.room, 3);
    expect(got.map((e) => e.type)).toEqual(['draft.started', 'draft.picked', 'draft.picked']);
    expect(got.map((e) => e.seq)).toEqual([first.seq + 1, first.seq + 2, first.seq + 3]);
    expect(position(latest(spectator, s.room, first.draft))).toEqual(position(view));
    expect(got[1]!.actorUserId).toBe(s.captains[s.teamIds.indexOf(view.picks[0]!.teamId)]!.userId);

    // A late joiner gets the same state, with the history of picks.
    const late = await open();
    const lateSnap = snapshotOf(await late.join(s.room));
    expect(lateSnap.seq).toBe(first.seq + 3);
    expect(position(lateSnap.draft)).toEqual(position(view));
    expect(lateSnap.draft.picks).toHaveLength(2);

    // A reconnect with the last seen seq gets exactly what it missed.
    const again = await open();
    const replay = unwrap(await again.join(s.room, first.seq + 1));
    expect('events' in replay && replay.events.map((e) => e.type)).toEqual(['draft.picked', 'draft.picked']);
  });

  it('DR9 the queue goes to the captain’s own room only, never to the draft room', async () => {
    const s = await setupDraft(t, staff, { teams: 2, players: 3, teamSize: 2 });
    const [first, second] = s.captains as [Client, Client];
    const mine = await open(first);
    const theirs = await open(second);
    const spectator = await open();
    unwrap(await mine.join(`user:${first.userId}`));
    unwrap(await spectator.join(s.room));
    const denied = await theirs.join(`user:${first.userId}`);
    expect(!denied.ok && denied.error.code).toBe('forbidden');

    const queue = [s.players[2]!.userId, s.players[0]!.userId];
    expect(unwrap(await mine.command('draft.queue', { tournamentId: s.id, userIds: queue }))).toEqual({ tournamentId: s.id, userIds: queue });
    const notice = await mine.untilEvents(`user:${first.userId}`, 1);
    expect(notice[0]).toMatchObject({ type: 'draft.queue', payload: { tournamentId: s.id, userIds: queue } });
    const staffQueue = await (await open(staff)).command('draft.queue', { tournamentId: s.id, userIds: queue });
    expect(!staffQueue.ok && staffQueue.error.code).toBe('forbidden');
    expect(spectator.eventsOf(s.room)).toEqual([]);
    expect(theirs.events).toEqual([]);
  });

  it('RT2 RT3 bad payloads and strangers’ commands over the socket change nothing', async () => {
    const s = await setupDraft(t, staff, { teams: 2, players: 2, teamSize: 2 });
    const before = (await draftEvents(t, s.room)).length;
    const anonymous = await open();
    const noLogin = await anonymous.command('draft.start', { tournamentId: s.id });
    expect(!noLogin.ok && noLogin.error.code).toBe('unauthenticated');
    const captain = await open(s.captains[0]);
    const notStaff = await captain.command('draft.start', { tournamentId: s.id });
    expect(!notStaff.ok && notStaff.error.code).toBe('forbidden');
    const bad = await captain.raw('draft.pick', { tournamentId: s.id, userId: -1 });
    expect(!bad.ok && bad.error.code).toBe('invalid_payload');
    expect((await draftEvents(t, s.room)).length).toBe(before);
  });

  describe('RT4 DR3 racing picks: exactly one success', () => {
    async function running(): Promise<{ s: DraftSetup; view: DraftView }> {
      const s = await setupDraft(t, staff, { teams: 2, players: 4, teamSize: 3 });
      const view = (await staff.post(`${s.base}/start`, {})).body as DraftView;
      return { s, view };
    }

    it('RT4 DR3 two tabs of the captain on turn pick different players for the same turn', async () => {
      for (let round = 0; round < ROUNDS; round++) {
        const { s, view } = await running();
        const captain = captainOnTurn(s, view);
        const [a, b] = [await open(captain), await open(captain)];
        const [p, q] = view.pool.filter((x) => x.teamId === null);
        const results = await Promise.all([
          a.command('draft.pick', { tournamentId: s.id, userId: p!.user.id, pickNumber: 1 }),
          b.command('draft.pick', { tournamentId: s.id, userId: q!.user.id, pickNumber: 1 }),
        ]);
        oneWinner(results.map(fromAck));
        const after = (await t.client().get(s.base)).body as DraftView;
        expect(after.picks).toHaveLength(1);
        expect((await draftEvents(t, s.room)).filter((e) => e.type === 'draft.picked')).toHaveLength(1);
      }
    });

    it('RT4 DR3 a double click sends the same pick twice', async () => {
      for (let round = 0; round < ROUNDS; round++) {
        const { s, view } = await running();
        const socket = await open(captainOnTurn(s, view));
        const payload = { tournamentId: s.id, userId: view.pool[0]!.user.id, pickNumber: 1 };
        const results = await Promise.all([socket.command('draft.pick', payload), socket.command('draft.pick', payload)]);
        oneWinner(results.map(fromAck));
        expect(((await t.client().get(s.base)).body as DraftView).picks).toHaveLength(1);
      }
    });

    it('RT4 DR3 the captain over the socket and staff over REST pick at once', async () => {
      for (let round = 0; round < ROUNDS; round++) {
        const { s, view } = await running();
        const socket = await open(captainOnTurn(s, view));
        await staff.token();
        const [p, q] = view.pool.filter((x) => x.teamId === null);
        const [viaSocket, viaRest] = await Promise.all([
          socket.command('draft.pick', { tournamentId: s.id, userId: p!.user.id, pickNumber: 1 }),
          staff.post(`${s.base}/picks`, { userId: q!.user.id, pickNumber: 1 }),
        ]);
        oneWinner([fromAck(viaSocket), fromRest(viaRest)]);
        const after = (await t.client().get(s.base)).body as DraftView;
        expect(after.picks).toHaveLength(1);
        expect(after.picks[0]!.method).toBe(viaSocket.ok ? 'captain' : 'staff');
      }
    });

    it('RT4 DR3 two staff tabs pick the same player for the same turn: drafted once', async () => {
      for (let round = 0; round < ROUNDS; round++) {
        const { s, view } = await running();
        const [a, b] = [await open(staff), await open(staff)];
        const target = view.pool[0]!.user.id;
        const results = await Promise.all([
          a.command('draft.pick', { tournamentId: s.id, userId: target, pickNumber: 1 }),
          b.command('draft.pick', { tournamentId: s.id, userId: target, pickNumber: 1 }),
        ]);
        oneWinner(results.map(fromAck));
      }
    });
  });
});

describe.each(DATABASES)('RT4 racing picks on two hubs sharing one database [%s]', (db) => {
  let a: TestHub;
  let b: TestHub;
  const sockets: TestSocket[] = [];

  beforeAll(async () => {
    a = await startHub({ db });
    b = await startHub({ database: a.database });
  });
  afterEach(() => {
    for (const s of sockets.splice(0)) s.close();
  });
  afterAll(async () => {
    await b?.close();
    await a?.close();
  });

  it('RT4 DR3 the captain on one process and staff on another pick at once: one pick', async () => {
    const staffA = (await a.login('twohubdraftstaff', 'staff')) as Client;
    const staffB = (await b.login('twohubdraftstaff', 'staff')) as Client;
    for (let round = 0; round < ROUNDS; round++) {
      const s = await setupDraft(a, staffA, { teams: 2, players: 4, teamSize: 3 });
      const view = (await staffA.post(`${s.base}/start`, {})).body as DraftView;
      const captain = captainOnTurn(s, view);
      const onA = await connectSocket(a.url, { cookie: captain.cookieHeader() });
      const onB = await connectSocket(b.url, { cookie: staffB.cookieHeader() });
      sockets.push(onA, onB);
      const [p, q] = view.pool.filter((x) => x.teamId === null);
      const results = await Promise.all([
        onA.command('draft.pick', { tournamentId: s.id, userId: p!.user.id, pickNumber: 1 }),
        onB.command('draft.pick', { tournamentId: s.id, userId: q!.user.id, pickNumber: 1 }),
      ]);
      oneWinner(results.map(fromAck));
      expect(((await b.client().get(s.base)).body as DraftView).picks).toHaveLength(1);
    }
  });
});
