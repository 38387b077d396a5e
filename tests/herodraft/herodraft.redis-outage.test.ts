import net from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../server/deadlines/clock';
import { eventually } from '../support/eventually';
import { startHub, type TestHub } from '../support/hub';
import type { HttpClient } from '../support/http';
import { connectSocket, type TestSocket, unwrap } from '../support/socket';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy';
import { HeroDraftGraceEvent } from '../../shared/schemas/herodraft';
import { roomEvents, setupHeroDraft, startDrafting, teamAWinsTheToss, unique, view } from './fixtures';

const REDIS = new URL(process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379');
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
 * TCP proxy (everything it had is still there when it comes back), as a network would.
 */
describe('CM6 RT13 a Redis outage does not make connected captains look gone (two processes, PostgreSQL)', () => {
  let proxy: TcpProxy;
  let a: TestHub;
  let b: TestHub;
  let staff: HttpClient;
  const clocks = [new ManualClock(Date.parse('2030-10-01T18:00:00Z')), new ManualClock(Date.parse('2030-10-01T18:00:00Z'))];
  const sockets: TestSocket[] = [];

  beforeAll(async () => {
    proxy = await startTcpProxy(Number(REDIS.port || 6379));
    const env = {
      REDIS_URL: `redis://127.0.0.1:${proxy.port}`,
      REDIS_PREFIX: `${unique('dtx-test:hd-outage:')}:`,
      RT_PRESENCE_THROTTLE_MS: '50',
      RT_PRESENCE_HEARTBEAT_MS: String(HEARTBEAT_MS),
      HERODRAFT_GRACE_MS: String(GRACE_MS),
    };
    a = await startHub({ db: 'postgres', env, clock: clocks[0], random: teamAWinsTheToss() });
    b = await startHub({ database: a.database, env, clock: clocks[1], random: teamAWinsTheToss() });
    staff = await a.login('hdoutagestaff', 'staff');
  });
  afterEach(() => {
    for (const s of sockets.splice(0)) s.close();
  });
  afterAll(async () => {
    await b?.close();
    await a?.close(); // last: it owns the database
    await proxy?.close();
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

  /** Redis goes away (connections cut, new ones refused) until `restore`. */
  async function cutRedis() {
    proxy.retarget(await deadPort());
    proxy.dropAll();
    for (const h of [a, b]) await redisCheck(h.client(), 'down');
    return Date.now();
  }
  async function restoreRedis() {
    const at = Date.now();
    proxy.retarget(Number(REDIS.port || 6379));
    for (const h of [a, b]) await redisCheck(h.client(), 'ok');
    return at;
  }
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
    // Their absence before they joined began a grace period: over once both are seen.
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
    // The grace runs out on both processes' clocks.
    advance(GRACE_MS + 2000); // past the deadline refresh (2 s) too: both processes have it armed
    await idle();
    const during = (await roomEvents(a, s.room)).slice(before);
    expect(during.map((e) => e.type)).not.toContain('herodraft.paused');
    const putOff = during.filter((e) => e.type === 'herodraft.grace').map((e) => HeroDraftGraceEvent.parse(e.payload));
    expect(putOff.at(-1)!.graceDueAt, 'put off by another grace period, from when it ran out').toBe(new Date(clocks[0]!.now() + GRACE_MS).toISOString());
    expect((await view(a, s.id)).status).toBe('drafting');

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
    await restoreRedis();
    // Judged on a reading that can be believed: B is away, and the draft pauses. Whether the
    // grace that leads there starts after Redis is back or was put off during the outage
    // depends on which reading arrives first; time moves on until the pause comes.
    const paused = await eventually(
      async () => {
        advance(GRACE_MS);
        await idle();
        return spectators[0]!
          .eventsOf(s.room)
          .slice(seen)
          .find((e) => e.type === 'herodraft.paused');
      },
      'the pause once presence is known',
      { timeoutMs: 20_000, intervalMs: 250 },
    );
    expect((paused.payload as { heroDraft: { paused: { reason: string } } }).heroDraft.paused.reason).toBe('a captain disconnected');
    // From the log: a grace announced during the outage reached only its own process's sockets.
    const graces = (await roomEvents(a, s.room)).filter((e) => e.type === 'herodraft.grace').map((e) => HeroDraftGraceEvent.parse(e.payload));
    expect(graces.at(-1)!.away, 'the grace that ran out named captain B only').toEqual([1]);
    await idle();
    expect((await roomEvents(a, s.room)).slice(before).filter((e) => e.type === 'herodraft.paused')).toHaveLength(1);
  });
});
