import net from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../server/deadlines/clock';
import { eventually } from '../support/eventually';
import { startHub, type TestHub } from '../support/hub';
import type { HttpClient } from '../support/http';
import { connectSocket, type TestSocket, unwrap } from '../support/socket';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy';
import { replayHeroDraft } from '../../shared/live/herodraft';
import { HeroDraftGraceEvent } from '../../shared/schemas/herodraft';
import { roomEvents, setupHeroDraft, startDrafting, teamAWinsTheToss, unique, view } from './fixtures';

const REDIS = new URL(process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379');
const REDIS_PORT = Number(REDIS.port || 6379);
// A process whose heartbeat is 3 beats old (1.5 s) counts as dead. Long enough that a busy machine's
// event-loop delays (hundreds of ms) do not make a live process look dead.
const HEARTBEAT_MS = 500;
const GRACE_MS = 1000;

/** A port nothing listens on: the proxy sends Redis's clients there while Redis is "down". */
async function deadPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Polls /readyz (nothing announces Redis's state) until its redis check says `state`. */
const redisCheck = (http: HttpClient, state: 'ok' | 'down') =>
  eventually(async () => (await http.get('/readyz')).body?.checks?.redis === state, `readyz to say redis ${state}`, { timeoutMs: 10_000, intervalMs: 50 });

/**
 * Seen once: a Redis outage of a few seconds paused a hero draft with "a captain disconnected"
 * while both captains stayed connected, each to another process. Redis is cut here through a
 * TCP proxy per process (everything it had is still there when it comes back), as a network
 * would; it can come back for one process before the other.
 */
describe('CM6 RT13 a Redis outage does not make connected captains look gone (two processes, PostgreSQL)', () => {
  let proxies: TcpProxy[] = [];
  let a: TestHub;
  let b: TestHub;
  let staff: HttpClient;
  const clocks = [new ManualClock(Date.parse('2030-10-01T18:00:00Z')), new ManualClock(Date.parse('2030-10-01T18:00:00Z'))];
  const sockets: TestSocket[] = [];

  beforeAll(async () => {
    proxies = [await startTcpProxy(REDIS_PORT), await startTcpProxy(REDIS_PORT)];
    const env = {
      REDIS_PREFIX: `${unique('dtx-test:hd-outage:')}:`,
      RT_PRESENCE_THROTTLE_MS: '50',
      RT_PRESENCE_HEARTBEAT_MS: String(HEARTBEAT_MS),
      HERODRAFT_GRACE_MS: String(GRACE_MS),
    };
    const redisVia = (proxy: TcpProxy) => ({ ...env, REDIS_URL: `redis://127.0.0.1:${proxy.port}` });
    a = await startHub({ db: 'postgres', env: redisVia(proxies[0]!), clock: clocks[0], random: teamAWinsTheToss() });
    b = await startHub({ database: a.database, env: redisVia(proxies[1]!), clock: clocks[1], random: teamAWinsTheToss() });
    staff = await a.login('hdoutagestaff', 'staff');
  });
  afterEach(async () => {
    for (const s of sockets.splice(0)) s.close();
    // A test that failed during its outage must not leave Redis away for the next one.
    if (cut.size) await restoreRedis();
  });
  afterAll(async () => {
    await b?.close();
    await a?.close(); // last: it owns the database
    for (const proxy of proxies) await proxy.close();
  });

  const open = async (hub: TestHub, client?: HttpClient) => {
    const s = await connectSocket(hub.url, client ? { cookie: client.cookieHeader() } : {});
    sockets.push(s);
    return s;
  };
  const advance = (ms: number) => clocks.forEach((c) => c.advance(ms));
  const idle = async () => {
    for (const h of [a, b]) expect(await h.hub.services.commands.idle(5000)).toBe(true);
  };
  const graceRow = (room: string) => a.hub.services.db('deadlines').where({ room, kind: 'herodraft.grace' }).first();

  const proxyOf = (hub: TestHub) => proxies[hub === a ? 0 : 1]!;
  const cut = new Set<TestHub>();
  /** Redis goes away for both processes (connections cut, new ones refused) until `restore`. */
  async function cutRedis() {
    const dead = await deadPort();
    for (const h of [a, b]) {
      cut.add(h);
      proxyOf(h).retarget(dead);
      proxyOf(h).dropAll();
    }
    for (const h of [a, b]) await redisCheck(h.client(), 'down');
    return Date.now();
  }
  /** Redis is reachable again for these processes; resolves once each has it back. */
  async function restoreRedis(hubs = [...cut]) {
    const at = Date.now();
    for (const h of hubs) proxyOf(h).retarget(REDIS_PORT);
    for (const h of hubs) {
      await redisCheck(h.client(), 'ok');
      cut.delete(h);
    }
    return at;
  }
  const settled = (hubs = [a, b]) =>
    eventually(() => hubs.every((h) => h.hub.services.presence.settled()), 'presence to settle on both processes', { timeoutMs: 10_000, intervalMs: 50 });
  /** An outage (or the time after it) that lasts `beats` heartbeats: a duration of the scenario. */
  const lasting = (since: number, beats: number) =>
    eventually(() => Date.now() - since > HEARTBEAT_MS * beats, `${beats} heartbeats`, { timeoutMs: 10_000, intervalMs: 50 });

  /** A drafting draft; captain A on process a, captain B on b, a spectator on each; no grace pending. */
  async function draftAcrossProcesses() {
    const s = await setupHeroDraft(a, staff, { firstBanSeconds: 600 });
    await startDrafting(s);
    const captainA = await open(a, s.captains[0]);
    const captainB = await open(b, s.captains[1]);
    const spectators = [await open(a), await open(b)];
    for (const socket of [captainA, captainB, ...spectators]) unwrap(await socket.join(s.room));
    for (const w of spectators) await w.untilPresence(s.room, (p) => p.participants.length === 2 && p.participants.every((x) => x.connected));
    // Their absence before they joined began a grace period, perhaps in a command still running
    // (on a reading from before both were there): once it is done, the reading that sees both
    // calls it off.
    await idle();
    await eventually(async () => (await graceRow(s.room)) === undefined, 'the grace from before the captains joined to be cleared');
    await idle();
    return { s, captainA, captainB, spectators };
  }

  it('CM6 RT13 captains joining on two processes: once both are seen, no grace is left pending (whichever process’s reading reaches the draft last)', async () => {
    const { s } = await draftAcrossProcesses();
    advance(GRACE_MS * 2);
    await idle();
    expect((await view(a, s.id)).status).toBe('drafting');
  });

  it('CM6 RT13 RT10 Redis away longer than the heartbeat and the grace period, both captains connected throughout: the draft is never paused', async () => {
    const { s, spectators } = await draftAcrossProcesses();
    const before = (await roomEvents(a, s.room)).length;

    // Redis goes away, for longer than 3 heartbeats (when a silent process counts as dead).
    const cutAt = await cutRedis();
    // The captains stay connected; time passes beyond the grace period on both processes.
    advance(GRACE_MS * 2);
    await lasting(cutAt, 6);
    advance(GRACE_MS * 2);
    await idle();

    // Redis is back: both processes write their share again, each sees both captains again.
    const backAt = await restoreRedis();
    for (const w of spectators) {
      await w.until(
        () => w.presences.some((p) => p.room === s.room && p.version / 1000 > backAt && p.participants.every((x) => x.connected)),
        'both captains seen after the outage',
      );
    }
    // 3 heartbeats on: every process has beaten since Redis came back (or would count as dead).
    await lasting(backAt, 4);
    await idle();
    advance(GRACE_MS * 2);
    await idle();

    const events = (await roomEvents(a, s.room)).slice(before);
    expect(
      events.filter((e) => e.type === 'herodraft.paused'),
      'no pause',
    ).toEqual([]);
    const now = await view(a, s.id);
    expect(now.status).toBe('drafting');
    expect(now.graceDueAt).toBeNull();
    expect(await graceRow(s.room)).toBeUndefined();
    for (const w of spectators) expect(w.eventsOf(s.room).some((e) => e.type === 'herodraft.paused')).toBe(false);
  });

  it('CM6 RT10 a grace running when Redis goes away, the captain back on another process meanwhile: the pause is put off (and said so), then called off once presence is known', async () => {
    const { s, captainA } = await draftAcrossProcesses();
    const before = (await roomEvents(a, s.room)).length;
    // Captain A leaves process a: the grace starts.
    captainA.close();
    await eventually(async () => (await view(a, s.id)).graceDueAt !== null, 'the grace');
    await idle();
    // Redis goes; captain A comes back, to process b, where nobody else can see them.
    const cutAt = await cutRedis();
    unwrap(await (await open(b, s.captains[0])).join(s.room));
    await lasting(cutAt, 4);
    // The grace runs out where captain A cannot be seen: on process a (armed there now, whichever
    // process set it). b's clock waits: b sees A on its own sockets and would rightly call the
    // grace off instead.
    await a.hub.deadlines.refresh();
    clocks[0]!.advance(GRACE_MS);
    await idle();
    const during = (await roomEvents(a, s.room)).slice(before);
    expect(during.map((e) => e.type)).not.toContain('herodraft.paused');
    const putOff = during.filter((e) => e.type === 'herodraft.grace').map((e) => HeroDraftGraceEvent.parse(e.payload));
    expect(putOff.at(-1)!.graceDueAt, 'put off by another grace period, from when it ran out').toBe(new Date(clocks[0]!.now() + GRACE_MS).toISOString());
    expect((await view(a, s.id)).status).toBe('drafting');
    clocks[1]!.advance(clocks[0]!.now() - clocks[1]!.now()); // b catches up: the grace put off is not due there either

    // Redis is back; once presence has settled both captains are seen: the grace is off.
    const backAt = await restoreRedis();
    await eventually(async () => (await view(a, s.id)).graceDueAt === null, 'the grace called off after the outage', { timeoutMs: 10_000, intervalMs: 50 });
    await lasting(backAt, 4);
    await idle();
    advance(GRACE_MS * 2);
    await idle();
    const events = (await roomEvents(a, s.room)).slice(before);
    expect(events.map((e) => e.type)).not.toContain('herodraft.paused');
    expect(HeroDraftGraceEvent.parse(events.filter((e) => e.type === 'herodraft.grace').at(-1)!.payload)).toMatchObject({ graceDueAt: null, away: [] });
    expect((await view(a, s.id)).status).toBe('drafting');
  });

  it('CM6 RT13 RT10 Redis back for one process before the other: the one still away is waited for, its captain does not look gone', async () => {
    const { s, spectators } = await draftAcrossProcesses();
    const before = (await roomEvents(a, s.room)).length;
    const cutAt = await cutRedis();
    await lasting(cutAt, 4);
    // Back for a only (each process's client reconnects on its own schedule): a has had it for
    // longer than a heartbeat TTL, and b, where captain B is, has not beaten since.
    await restoreRedis([a]);
    const aBack = Date.now(); // a got Redis back before this
    await lasting(aBack, 3);
    expect(a.hub.services.presence.settled(), 'a waits for b').toBe(false);
    expect((await a.hub.services.presence.check(s.room)).trusted, 'a reading without b is not believed').toBe(false);
    await idle();
    expect(await graceRow(s.room)).toBeUndefined();

    // b is back: once presence has settled on both, both captains are seen and no grace is
    // left (had b come back later than a waits, B would have looked gone meanwhile, rightly).
    const bBack = await restoreRedis([b]);
    await settled();
    for (const w of spectators) {
      await w.until(
        () => w.presences.some((p) => p.room === s.room && p.version / 1000 > bBack && p.participants.every((x) => x.connected)),
        'both captains seen with b back',
      );
    }
    await idle();
    await eventually(async () => (await graceRow(s.room)) === undefined, 'no grace left once b is back');
    advance(GRACE_MS * 2);
    await idle();
    expect((await roomEvents(a, s.room)).slice(before).map((e) => e.type)).not.toContain('herodraft.paused');
    expect((await view(a, s.id)).status).toBe('drafting');
  });

  it('CM6 RT10 a captain who really leaves during the outage: once Redis is back and presence has settled, the grace starts and the draft pauses', async () => {
    const { s, captainB, spectators } = await draftAcrossProcesses();
    const before = (await roomEvents(a, s.room)).length;
    const cutAt = await cutRedis();
    captainB.close();
    await lasting(cutAt, 4);
    advance(GRACE_MS * 2);
    await idle();
    expect((await view(a, s.id)).status, 'no pause while nobody can tell').toBe('drafting');
    const seen = spectators[0]!.eventsOf(s.room).length;
    const logged = (await roomEvents(a, s.room)).length;
    await restoreRedis();
    // Judged on a reading that can be believed: B is away. Read from the room's log: the first
    // process to settle may announce it before the other's fan-out is back (its clients would
    // resync from the log; these test sockets do not).
    const grace = await eventually(
      async () =>
        (await roomEvents(a, s.room))
          .slice(logged)
          .map((e) => (e.type === 'herodraft.grace' ? HeroDraftGraceEvent.parse(e.payload) : undefined))
          .find((g) => g?.graceDueAt),
      'the grace after the outage',
      { timeoutMs: 10_000, intervalMs: 50 },
    );
    expect(grace.away).toEqual([1]);
    await idle();
    // Whichever process judges the expiry believes its reading only once presence has settled
    // there too (Redis may have come back for it later): until then it would put the pause off.
    await settled();
    advance(GRACE_MS + 2000); // past the deadline refresh (2 s) too: both processes have it armed
    const paused = await spectators[0]!.until(
      () =>
        spectators[0]!
          .eventsOf(s.room)
          .slice(seen)
          .find((e) => e.type === 'herodraft.paused'),
      'the pause',
    );
    // The draft at the pause: the room's log up to it, replayed by the shared reducer.
    const atPause = replayHeroDraft((await roomEvents(a, s.room)).filter((e) => e.seq <= paused.seq));
    expect(atPause?.paused?.reason).toBe('a captain disconnected');
    // From the log: a grace announced while a fan-out was still away reached only its own process's sockets.
    const graces = (await roomEvents(a, s.room)).filter((e) => e.type === 'herodraft.grace').map((e) => HeroDraftGraceEvent.parse(e.payload));
    expect(graces.at(-1)!.away, 'the grace that ran out named captain B only').toEqual([1]);
    await idle();
    expect((await roomEvents(a, s.room)).slice(before).filter((e) => e.type === 'herodraft.paused')).toHaveLength(1);
  });
});
