import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { RealtimeClient } from '../../client/src/lib/realtime';
import { applyDraftEvent, CannotApply } from '../../shared/live';
import type { DraftView } from '../../shared/schemas/draft';
import type { WireEvent } from '../../shared/realtime';
import { startHub, type TestHub } from '../support/hub';
import { socketJar, unwrap } from '../support/socket';
import { until } from '../realtime/fixtures';
import { type Client, position, setupDraft } from './fixtures';

describe('player-draft events as deltas (protocol 2)', () => {
  let t: TestHub;
  let staff: Client;
  const sockets = socketJar();
  const clients: RealtimeClient[] = [];

  beforeAll(async () => {
    t = await startHub();
    staff = (await t.login('deltastaff', 'staff')) as Client;
  });
  afterEach(() => {
    sockets.closeAll();
    for (const c of clients.splice(0)) c.close();
  });
  afterAll(() => t?.close());

  /** A view without the hub's clock (answers and reads carry it). */
  const timeless = (body: unknown) => {
    const { serverTime: _time, ...view } = body as DraftView & { serverTime?: string };
    return view as DraftView;
  };
  const read = async (base: string) => timeless((await t.client().get(base)).body);

  it('RT18 a pick in a draft with a pool of 40 is one event under 1 KB: the pick, the next turn and its deadline, not the draft', async () => {
    const s = await setupDraft(t, staff, { teams: 8, players: 40, teamSize: 5, pickSeconds: 60 });
    const spectator = await sockets.open(t.url);
    const joined = unwrap(await spectator.join(s.room));
    const started = (await staff.post(`${s.base}/start`, {})).body as DraftView;
    const player = started.pool[3]!.user.id;
    const picked = await staff.post(`${s.base}/picks`, { userId: player, pickNumber: 1 });
    expect(picked.status, picked.text).toBe(201);
    const after = picked.body as DraftView;
    const [, pick] = await spectator.untilEvents(s.room, 2);
    const event = pick as WireEvent;
    expect(Buffer.byteLength(JSON.stringify(event))).toBeLessThanOrEqual(1024);
    expect(event).toMatchObject({ room: s.room, seq: joined.seq + 2, type: 'draft.picked', actorUserId: staff.userId });
    const payload = event.payload as Record<string, unknown>;
    expect(payload).not.toHaveProperty('draft');
    expect(payload.pick).toEqual({
      pickNumber: 1,
      teamId: started.turn!.teamId,
      userId: player,
      method: 'staff',
      byUserId: staff.userId,
      at: after.picks[0]!.at,
    });
    expect(payload.rolls).toEqual([]);
    expect(payload.set).toEqual({
      tournamentName: after.tournamentName,
      status: 'running',
      style: 'snake',
      teamSize: 5,
      pickSeconds: 60,
      turn: { pickNumber: 2, teamId: s.teamIds[1], tied: [] },
      deadlineAt: after.deadlineAt,
      pausedRemainingMs: null,
      startedAt: started.startedAt,
      completedAt: null,
    });
    // The first answer with a snapshot, then the two events, give what the server reads.
    if (!('snapshot' in joined)) throw new Error('a first join answers with a snapshot');
    const copy = spectator.eventsOf(s.room).reduce(applyDraftEvent, joined.snapshot as DraftView);
    expect(copy).toEqual(await read(s.base));
  });

  it('RT20 a client without a protocol version gets snapshots in a draft room and a room:head for each event; events of other rooms as before', async () => {
    const s = await setupDraft(t, staff, { teams: 2, players: 4, teamSize: 3 });
    const current = await sockets.open(t.url);
    const old = await sockets.open(t.url, { protocol: null });
    const first = unwrap(await old.join(s.room));
    expect(first).toMatchObject({ room: s.room, snapshot: { status: 'open', seq: first.seq } });
    unwrap(await current.join(s.room));
    unwrap(await old.join(`tournament:${s.id}`));

    expect((await staff.post(`${s.base}/start`, {})).status).toBe(200);
    await current.untilEvents(s.room, 1);
    const head = await old.until(() => old.heads.find((h) => h.room === s.room), 'the draft room head');
    expect(head).toEqual({ room: s.room, seq: first.seq + 1 });
    expect(old.eventsOf(s.room)).toEqual([]);
    // Its catch-up join (with the seq it had) answers with a snapshot, never with deltas.
    const again = unwrap(await old.join(s.room, first.seq));
    expect(again).toMatchObject({ seq: first.seq + 1, snapshot: { status: 'running', seq: first.seq + 1 } });
    // The tournament room's events keep their shape: they still reach the old client.
    expect((await staff.patch(`/api/tournaments/${s.id}`, { description: 'tonight' })).status).toBe(200);
    const [updated] = await old.untilEvents(`tournament:${s.id}`, 1);
    expect(updated!.type).toBe('tournament.updated');
    // A client of this build in the same room got the delta.
    expect(current.eventsOf(s.room)[0]).toMatchObject({ type: 'draft.started', payload: { set: { status: 'running' } } });
  });

  it(
    'RT19 the REST read is a cached base brought to the head with the reducer: right after 70 events, and after a change outside the room',
    { timeout: 60_000 },
    async () => {
      const s = await setupDraft(t, staff, { teams: 2, players: 4, teamSize: 3 });
      let view = timeless((await staff.post(`${s.base}/start`, {})).body);
      const player = view.pool[0]!.user.id;
      expect(await read(s.base)).toEqual(view);
      // Past a base's stretch of 64 events: picks and undos, each answer built from the rows.
      for (let i = 0; i < 35; i++) {
        const picked = await staff.post(`${s.base}/picks`, { userId: player, pickNumber: 1 });
        expect(picked.status, picked.text).toBe(201);
        expect(await read(s.base)).toEqual(timeless(picked.body));
        view = timeless((await staff.post(`${s.base}/undo`, {})).body);
      }
      expect(view.seq).toBeGreaterThan(64);
      expect(await read(s.base)).toEqual(view);
      // A player's profile is in the draft's view but changes through no draft event: the read has it at once.
      const who = s.players.find((p) => p.userId === player)!;
      expect((await who.patch('/api/me', { mmr: 4242 })).status).toBe(200);
      const after = await read(s.base);
      expect(after.pool.find((p) => p.user.id === player)!.user.mmr).toBe(4242);
      expect(after.seq).toBe(view.seq);
    },
  );

  it('RT21 the client library applies deltas with the shared reducer, and reads a fresh snapshot when an event does not apply', async () => {
    const s = await setupDraft(t, staff, { teams: 2, players: 6, teamSize: 4 });
    const client = new RealtimeClient({ url: t.url, socket: { transports: ['websocket'] } });
    clients.push(client);
    let refuse: number | null = null;
    const refused: number[] = [];
    const store = client.room<DraftView>(s.room, {
      reduce: (view, event) => {
        if (event.seq === refuse) {
          refused.push(event.seq);
          throw new CannotApply(event, 'a shape this build cannot read');
        }
        return applyDraftEvent(view, event);
      },
    });
    const joined = await until(store, (v) => v.status === 'live', 'joined');
    let view = (await staff.post(`${s.base}/start`, {})).body as DraftView;
    refuse = view.seq + 2; // the second pick
    for (let n = 1; n <= 3; n++) {
      view = (await staff.post(`${s.base}/picks`, { userId: view.pool.find((p) => p.teamId === null)!.user.id, pickNumber: n })).body as DraftView;
    }
    const final = await until(store, (v) => v.status === 'live' && v.seq === view.seq, 'caught up');
    expect(refused).toEqual([joined.seq! + 3]);
    expect(position(final.state!)).toEqual(position(await read(s.base)));
    expect(final.state).toEqual(await read(s.base));
  });
});
