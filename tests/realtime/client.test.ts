import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { RealtimeClient, type ConnectionState } from '../../client/src/lib/realtime';
import type { WireEvent } from '../../shared/realtime';
import type { Team, TournamentDetail } from '../../shared/schemas/tournaments';
import { Value } from '../../client/src/lib/realtime/store';
import { eventually } from '../support/eventually';
import { startHub, type TestHub } from '../support/hub';
import { connectSocket, unwrap } from '../support/socket';
import { type Client, tournamentWithPool, until } from './fixtures';

/**
 * Network faults between the server and the client library: the library's own `event`
 * handler is put behind a relay that the test tells to drop, hold back or repeat messages.
 */
function faultyLink(client: RealtimeClient) {
  const [deliver] = client.socket.listeners('event') as ((e: WireEvent) => void)[];
  client.socket.off('event', deliver!);
  const link = {
    drop: new Set<number>(),
    hold: new Set<number>(),
    held: [] as WireEvent[],
    repeat: new Set<number>(),
    /** Every seq that reached the relay. */
    seen: new Value<number[]>([]),
    release() {
      for (const e of link.held.splice(0)) deliver!(e);
    },
  };
  client.socket.on('event', (e) => {
    link.seen.set([...link.seen.get(), e.seq]);
    if (link.drop.has(e.seq)) return;
    if (link.hold.has(e.seq)) return void link.held.push(e);
    deliver!(e);
    if (link.repeat.has(e.seq)) deliver!(e);
  });
  return link;
}

describe('the client library', () => {
  let t: TestHub;
  let staff: Client;
  const clients: RealtimeClient[] = [];
  const connect = (gapWaitMs = 100) => {
    const c = new RealtimeClient({ url: t.url, gapWaitMs, socket: { transports: ['websocket'] } });
    clients.push(c);
    return c;
  };

  beforeAll(async () => {
    t = await startHub({ env: { RT_PRESENCE_THROTTLE_MS: '50' } });
    staff = (await t.login('libstaff', 'staff')) as Client;
  });
  afterEach(() => {
    for (const c of clients.splice(0)) c.close();
  });
  afterAll(() => t?.close());

  async function setup(players: number, gapWaitMs?: number) {
    const fixture = await tournamentWithPool(t, staff, players);
    const client = connect(gapWaitMs);
    const store = client.room(fixture.room);
    await until(store, (v) => v.status === 'live', 'joined');
    const start = store.current.seq!;
    const applied: number[] = [];
    store.onEvent((e) => applied.push(e.seq));
    const statuses: string[] = [];
    store.subscribe((v) => statuses.push(v.status));
    const team = (i: number) => staff.post(`/api/tournaments/${fixture.id}/teams`, { captainUserId: fixture.users[i]!.userId });
    return { ...fixture, client, store, start, applied, statuses, team };
  }

  it('RT6 applies events in seq order exactly once: early events wait, repeats are dropped', async () => {
    // The late event is released by hand: a long gap wait keeps a slow machine from resyncing first.
    const { client, store, start, applied, statuses, team } = await setup(3, 10_000);
    const link = faultyLink(client);
    link.hold.add(start + 1);
    link.repeat.add(start + 2).add(start + 3);
    await team(0);
    await team(1);
    await team(2);
    // Events 2 and 3 are here (twice each) but 1 is late: nothing applied yet.
    await until(link.seen, (seen) => seen.includes(start + 3), 'event 3 at the client');
    expect(applied).toEqual([]);
    expect(store.current.seq).toBe(start);
    link.release();
    await until(store, (v) => v.seq === start + 3, 'all three');
    expect(applied).toEqual([start + 1, start + 2, start + 3]);
    expect(statuses).not.toContain('resyncing'); // the late event came within the wait
  });

  it('RT7 a lost event is detected from the gap and recovered from the log, once', async () => {
    const { client, store, start, applied, statuses, team } = await setup(3);
    const link = faultyLink(client);
    link.drop.add(start + 1);
    await team(0);
    await team(1);
    await until(store, (v) => v.seq === start + 2, 'recovered after the gap');
    expect(statuses).toContain('resyncing');
    await team(2);
    await until(store, (v) => v.seq === start + 3, 'the next event');
    expect(applied).toEqual([start + 1, start + 2, start + 3]);
  });

  it('RT7 a room head ahead of the client makes it catch up (the lost event was the last one)', async () => {
    const { client, store, start, applied, team, room } = await setup(1);
    const link = faultyLink(client);
    link.drop.add(start + 1);
    await team(0);
    t.hub.realtime.io.to(room).emit('room:head', { room, seq: start + 1 });
    await until(store, (v) => v.seq === start + 1, 'caught up from the head');
    expect(applied).toEqual([start + 1]);
  });

  it('reduces each event into the snapshot, so the state matches a fresh read', async () => {
    const { id, room, users } = await tournamentWithPool(t, staff, 2);
    const client = connect();
    const store = client.room<TournamentDetail>(room, {
      reduce: (state, e) => (e.type === 'team.created' ? { ...state, teams: [...state.teams, (e.payload as { team: Team }).team], seq: e.seq } : state),
    });
    await until(store, (v) => v.status === 'live', 'joined');
    expect(store.current.state!.teams).toEqual([]);
    await staff.post(`/api/tournaments/${id}/teams`, { captainUserId: users[0]!.userId });
    await staff.post(`/api/tournaments/${id}/teams`, { captainUserId: users[1]!.userId });
    const fresh = (await t.client().get(`/api/tournaments/${id}`)).body as TournamentDetail;
    const view = await until(store, (v) => v.seq === fresh.seq, 'both events');
    expect(view.state!.teams).toEqual(fresh.teams);
  });

  it('RT13 presence (memory, one process): spectators, viewers and whether each captain is watching', async () => {
    const { id, room, users } = await tournamentWithPool(t, staff, 2);
    await staff.post(`/api/tournaments/${id}/teams`, { captainUserId: users[0]!.userId });
    await staff.post(`/api/tournaments/${id}/teams`, { captainUserId: users[1]!.userId });
    const anon = connect().room(room);
    await until(anon, (v) => v.presence?.spectators === 1, 'one spectator');
    expect(anon.current.presence!.participants).toEqual([
      { userId: users[0]!.userId, connected: false },
      { userId: users[1]!.userId, connected: false },
    ]);
    const tab1 = new RealtimeClient({ url: t.url, headers: { cookie: users[0]!.cookieHeader() }, socket: { transports: ['websocket'] } });
    const tab2 = new RealtimeClient({ url: t.url, headers: { cookie: users[0]!.cookieHeader() }, socket: { transports: ['websocket'] } });
    clients.push(tab1, tab2);
    tab1.room(room);
    tab2.room(room);
    const p = await until(anon, (v) => v.presence?.spectators === 3, 'three spectators');
    expect(p.presence!.viewers).toEqual([{ id: users[0]!.userId, name: expect.any(String) }]);
    expect(p.presence!.participants.map((x) => x.connected)).toEqual([true, false]);
    tab1.close();
    await until(anon, (v) => v.presence?.spectators === 2 && v.presence.participants[0]!.connected, 'a tab closed, the other remains');
    await tab2.leave(room);
    await until(anon, (v) => v.presence?.spectators === 1 && !v.presence.participants[0]!.connected, 'the captain left');
  });

  it('RT13 a tab that leaves in the middle of its join leaves nothing behind (presence, room members)', async () => {
    const { room, users } = await tournamentWithPool(t, staff, 1);
    const watcher = connect().room(room);
    const cookie = users[0]!.cookieHeader();
    const tab = new RealtimeClient({ url: t.url, headers: { cookie }, socket: { transports: ['websocket'] } });
    clients.push(tab);
    tab.room(room);
    await until(watcher, (v) => v.presence?.viewers.length === 1, 'the user watching');
    const quick = await Promise.all([1, 2, 3].map(() => connectSocket(t.url, { cookie })));
    const io = t.hub.realtime.io.of('/');
    const connected = io.sockets.size;

    // Hold the hub's only SQLite connection, so the joins stop at their first read...
    let release!: () => void;
    let held!: () => void;
    const holding = new Promise<void>((resolve) => (held = resolve));
    const hold = t.hub.services.db.transaction(async (trx) => {
      await trx.raw('select 1');
      held();
      await new Promise<void>((resolve) => (release = resolve));
    });
    await holding;
    for (const s of quick) void s.join(room).catch(() => undefined);
    const pool = (t.hub.services.db.client as { pool: { numPendingAcquires(): number } }).pool;
    await eventually(() => pool.numPendingAcquires() >= 3, 'the three joins waiting for the database', { intervalMs: 5 }); // a pool's queue announces nothing
    // ...then the tabs go away, and the joins go on afterwards.
    for (const s of quick) s.close();
    await eventually(() => io.sockets.size === connected - 3, 'the server to see them go', { intervalMs: 5 });
    release();
    await hold;

    const other = await connectSocket(t.url);
    unwrap(await other.join(room));
    const p = await until(watcher, (v) => v.presence?.spectators === 3, 'watcher, tab and the last one');
    expect(p.presence!.viewers.map((v) => v.id)).toEqual([users[0]!.userId]);
    expect(io.adapter.rooms.get(room)?.size).toBe(3);
    other.close();
  });

  it('a room held by two parts of a page stays joined until both let go', async () => {
    const { id, room, users } = await tournamentWithPool(t, staff, 1);
    const watcher = connect().room(room);
    const client = connect();
    const first = client.room(room);
    const second = client.room(room);
    expect(second).toBe(first);
    await until(watcher, (v) => v.presence?.spectators === 2, 'both connections counted');
    await client.leave(room);
    await staff.post(`/api/tournaments/${id}/teams`, { captainUserId: users[0]!.userId });
    const head = (await t.client().get(`/api/tournaments/${id}`)).body.seq as number;
    await until(first, (v) => v.seq === head, 'still live for the other holder');
    expect(first.current.status).toBe('live');
    await client.leave(room);
    expect(first.current.status).toBe('left');
    await until(watcher, (v) => v.presence?.spectators === 1, 'left for good');
  });

  it('reports its connection state and refuses commands it cannot send', async () => {
    const client = new RealtimeClient({ url: 'http://127.0.0.1:1', socket: { transports: ['websocket'], reconnection: false } });
    clients.push(client);
    expect(client.currentState).toBe('connecting');
    const answer = await client.command('team.rename', { tournamentId: 1, teamId: 1, name: 'x' });
    expect(answer).toEqual({ ok: false, error: { code: 'unavailable', message: 'not connected to the hub' } });

    const live = connect();
    const states: ConnectionState[] = [];
    live.state.subscribe((s) => states.push(s));
    await until(live.state, (s) => s === 'connected', 'connected');
    const refused = await live.command('team.rename', { tournamentId: 1, teamId: 1, name: 'x' }, 2000);
    expect(!refused.ok && refused.error.code).toBe('unauthenticated');
    live.close();
    expect(states[0]).toBe('connecting');
    expect(states.at(-1)).toBe('closed');
  });
});
