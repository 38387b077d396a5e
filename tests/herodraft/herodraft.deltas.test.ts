import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { RealtimeClient } from '../../client/src/lib/realtime';
import { applyHeroDraftEvent, heroDraftScalars } from '../../shared/live';
import type { HeroDraftView } from '../../shared/schemas/herodraft';
import type { ManualClock } from '../../server/deadlines/clock';
import type { HttpClient } from '../support/http';
import type { TestHub } from '../support/hub';
import { socketJar, unwrap } from '../support/socket';
import { until } from '../realtime/fixtures';
import { heldView, heroIdsSorted, roomEvents, setupHeroDraft, startDrafting, startHeroDraftHub } from './fixtures';

describe('hero-draft events as deltas (protocol 2)', () => {
  let t: TestHub;
  let staff: HttpClient;
  let clock: ManualClock;
  const sockets = socketJar();
  const clients: RealtimeClient[] = [];
  const heroes = heroIdsSorted();

  beforeAll(async () => {
    ({ t, staff, clock } = await startHeroDraftHub('sqlite', 'hddeltastaff'));
  });
  afterEach(() => {
    sockets.closeAll();
    for (const c of clients.splice(0)) c.close();
  });
  afterAll(() => t?.close());

  const read = async (base: string) => {
    const { serverTime: _time, ...view } = (await t.client().get(base)).body as HeroDraftView & { serverTime: string };
    return view as HeroDraftView;
  };

  it('RT18 CM3 a hero step is one event well under 1 KB: the step done and the fields the rules changed, not the draft', async () => {
    const s = await setupHeroDraft(t, staff);
    const spectator = await sockets.open(t.url);
    const joined = unwrap(await spectator.join(s.room));
    if (!('snapshot' in joined)) throw new Error('a first join answers with a snapshot');
    // The room's presence with the spectator in it is taken in before the draft starts: read
    // once drafting, the captains' absence would start a grace (an event of its own).
    await spectator.untilPresence(s.room, (p) => p.spectators === 1);
    expect(await t.hub.services.commands.idle(5000)).toBe(true);
    const started = await startDrafting(s);
    clock.advance(12_000);
    const res = await s.captains[0].post(`${s.base}/steps`, { stepIndex: 0, heroId: heroes[3]! });
    expect(res.status, res.text).toBe(201);
    const after = res.body as HeroDraftView;
    const event = await spectator.until(() => spectator.eventsOf(s.room).find((e) => e.type === 'herodraft.step'), 'the step event');
    expect(event).toMatchObject({ room: s.room, seq: after.seq, type: 'herodraft.step', actorUserId: s.captains[0].userId });
    const bytes = Buffer.byteLength(JSON.stringify(event));
    // 706 B here; the whole view it replaces is 1.9 KB at the first step, and grows with every step done.
    expect(bytes).toBeLessThanOrEqual(1024);
    expect(bytes).toBeLessThan(Buffer.byteLength(JSON.stringify(after)) / 2);
    const payload = event.payload as Record<string, unknown>;
    expect(payload).not.toHaveProperty('heroDraft');
    expect(payload).toEqual({
      stepIndex: 0,
      team: 0,
      action: 'ban',
      heroId: heroes[3],
      method: 'captain',
      set: {
        status: 'drafting',
        stepIndex: 1,
        turn: after.turn,
        paused: null,
        toss: started.toss,
        graceDueAt: null,
        completedAt: null,
        teams: [
          { ready: true, reserveMs: after.teams[0]!.reserveMs, side: 'dire', firstPick: true },
          { ready: true, reserveMs: after.teams[1]!.reserveMs, side: 'radiant', firstPick: false },
        ],
      },
    });
    // Of the 12 s used, the step's own time came first: the reserve is untouched.
    expect(after.teams[0]!.reserveMs).toBe(started.teams[0]!.reserveMs);
    expect(heldView(spectator, s.room, joined.snapshot as HeroDraftView)).toEqual(await read(s.base));
  });

  it('RT18 creating a draft, new timings and a reset carry the whole draft; every other event its fields only', async () => {
    const s = await setupHeroDraft(t, staff);
    expect((await staff.patch(s.base, { reserveSeconds: 70 })).status).toBe(200);
    await startDrafting(s);
    expect((await staff.post(`${s.base}/reset`, {})).status).toBe(200);
    const events = await roomEvents(t, s.room);
    expect(events.map((e) => e.type)).toEqual([
      'herodraft.created',
      'herodraft.configured',
      'herodraft.ready',
      'herodraft.tossed',
      'herodraft.chosen',
      'herodraft.started',
      'herodraft.reset',
    ]);
    for (const e of events) {
      const whole = ['herodraft.created', 'herodraft.configured', 'herodraft.reset'].includes(e.type);
      expect('heroDraft' in e.payload, e.type).toBe(whole);
      if (whole) expect(e.payload.set, e.type).toEqual(heroDraftScalars(e.payload.heroDraft as HeroDraftView));
    }
    expect((events[1]!.payload.heroDraft as HeroDraftView).reserveSeconds).toBe(70);
  });

  it('RT20 a client without a protocol version gets snapshots in a hero-draft room and a room:head for each event', async () => {
    const s = await setupHeroDraft(t, staff);
    const old = await sockets.open(t.url, { protocol: null });
    const first = unwrap(await old.join(s.room));
    expect(first).toMatchObject({ room: s.room, snapshot: { status: 'waiting', seq: first.seq } });
    expect((await s.captains[0].post(`${s.base}/ready`, { ready: true })).status).toBe(200);
    const head = await old.until(() => old.heads.find((h) => h.room === s.room), 'the hero-draft room head');
    expect(head).toEqual({ room: s.room, seq: first.seq + 1 });
    expect(old.eventsOf(s.room)).toEqual([]);
    const again = unwrap(await old.join(s.room, first.seq));
    expect(again).toMatchObject({ seq: first.seq + 1, snapshot: { status: 'waiting', seq: first.seq + 1 } });
  });

  it('RT21 the client library applies hero-draft deltas with the shared reducer and stays equal to the REST read', async () => {
    const s = await setupHeroDraft(t, staff);
    const client = new RealtimeClient({ url: t.url, socket: { transports: ['websocket'] } });
    clients.push(client);
    const store = client.room<HeroDraftView>(s.room, { reduce: applyHeroDraftEvent });
    await until(store, (v) => v.status === 'live', 'joined');
    let v = await startDrafting(s);
    for (let i = 0; i < 3; i++) {
      clock.advance(1000);
      v = (await s.captains[v.turn!.team as 0 | 1].post(`${s.base}/steps`, { stepIndex: i, heroId: heroes[i]! })).body as HeroDraftView;
    }
    expect((await staff.post(`${s.base}/penalty`, { teamId: s.teamIds[1], seconds: 5 })).status).toBe(200);
    expect((await staff.post(`${s.base}/pause`, {})).status).toBe(200);
    // The client's own presence may have started (and the pause ended) a grace meanwhile: all events.
    expect(await t.hub.services.commands.idle(5000)).toBe(true);
    const now = await read(s.base);
    const final = await until(store, (x) => x.status === 'live' && x.seq === now.seq, 'caught up');
    expect(final.state).toEqual(now);
    expect(now.status).toBe('paused');
  });
});
