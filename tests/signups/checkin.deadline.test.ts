import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RoomEventPayloads, type RoomEventType } from '../../shared/realtime';
import { ManualClock } from '../../server/deadlines/clock';
import { CHECKIN_DEADLINE } from '../../server/signups/signups.service';
import { createTestDatabase, DATABASES, type TestDatabase } from '../support/databases';
import { startHub, type TestHub } from '../support/hub';
import type { HttpClient } from '../support/http';
import { connectSocket, unwrap } from '../support/socket';
import { steamId64 } from '../steam/fixtures';

type Client = HttpClient & { userId: number };

const WINDOW_MS = 30 * 60_000;
const POSITIONS = { '1': 1, '2': 2, '3': 3, '4': 4, '5': 5 };
/** Far from the real clock, so only the manual clock can make the close due. */
const manualClock = () => new ManualClock(Date.now() + 24 * 3600_000);

let accounts = 0;
const body = () => ({ steamId: steamId64(950_000 + ++accounts), declaredMmr: 3000, positions: POSITIONS });

/** A tournament of capacity 1 with automatic approval: `a` holds the place, `b` waits and checks in; check-in opened. */
async function checkInRunning(t: TestHub, tag: string) {
  const staff = (await t.login(`${tag}staff`, 'staff')) as Client;
  const res = await staff.post('/api/tournaments', { name: 'Check-in Cup', startsAt: '2030-01-01T18:00:00Z' });
  const id = res.body.id as number;
  const base = `/api/tournaments/${id}`;
  expect((await staff.patch(base, { state: 'registration' })).status).toBe(200);
  expect((await staff.put(`${base}/signup-settings`, { capacity: 1, approval: 'automatic' })).status).toBe(200);
  const a = (await t.login(`${tag}a`)) as Client;
  const b = (await t.login(`${tag}b`)) as Client;
  expect((await a.post(`${base}/signups`, body())).body.state).toBe('approved');
  expect((await b.post(`${base}/signups`, body())).body.state).toBe('waitlisted');
  const now = t.hub.services.clock.now();
  expect((await staff.post(`${base}/checkin/open`, { closesAt: new Date(now + WINDOW_MS).toISOString() })).status).toBe(200);
  expect((await b.post(`${base}/checkin`)).status).toBe(200);
  return { id, base, a, b };
}

const closedEvents = async (t: TestHub, id: number) =>
  (
    await t.hub.services
      .db('events')
      .where({ room: `tournament:${id}`, type: 'checkin.closed' })
      .select('payload')
  ).map((r) => (typeof r.payload === 'string' ? JSON.parse(r.payload) : r.payload));

async function until<T>(check: () => Promise<T | undefined | false>, what: string, timeoutMs = 15_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe.each(DATABASES)('SU4 the check-in close survives a restart [%s]', (db) => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase(db);
  });
  afterAll(() => database?.drop());

  it('SU4 stop the hub with check-in open; another hub on the same database closes it once', async () => {
    const clock = manualClock();
    const first = await startHub({ database, clock });
    const s = await checkInRunning(first, 'restart');
    clock.advance(WINDOW_MS / 2);
    await first.close();

    const second = await startHub({ database, clock });
    try {
      clock.advance(WINDOW_MS / 2);
      const [closed] = await until(async () => (await closedEvents(second, s.id)).length > 0 && closedEvents(second, s.id), 'checkin.closed');
      expect(closed).toMatchObject({ removed: [s.a.userId], promoted: [s.b.userId] });
      // Fired once: reloading and firing again changes nothing.
      await second.hub.deadlines.refresh();
      clock.advance(WINDOW_MS);
      await second.hub.services.commands.idle(5000);
      expect(await closedEvents(second, s.id)).toHaveLength(1);
      expect(await second.hub.services.db('deadlines').where({ kind: CHECKIN_DEADLINE })).toEqual([]);
      const pool = (await second.client().get(`${s.base}/players`)).body.items as { user: { id: number } }[];
      expect(pool.map((p) => p.user.id)).toEqual([s.b.userId]);
    } finally {
      await second.close();
    }
  });
});

describe.each(DATABASES)('SU4 two hubs on one database and Redis [%s]', (db) => {
  let a: TestHub;
  let b: TestHub;
  const clock = manualClock();

  beforeAll(async () => {
    // Redis carries each process's events to the other's spectators.
    const env = { REDIS_URL: 'redis://127.0.0.1:6379', REDIS_PREFIX: `dtx-test:${process.pid}:${Date.now().toString(36)}:su:${db}:` };
    a = await startHub({ db, env, clock });
    b = await startHub({ database: a.database, env, clock });
  });
  afterAll(async () => {
    await b?.close();
    await a?.close();
  });

  // Two SQLite hubs in one test process share one event loop: the loser waits on the file lock.
  const wait = db === 'sqlite' ? 15_000 : 5000;

  it(
    'SU4 both processes fire the close: one checkin.closed, the place given once; spectators see every event, each fitting its schema',
    { timeout: 60_000 },
    async () => {
      const spectator = await connectSocket(b.url);
      try {
        const s = await checkInRunning(a, 'twohubs');
        unwrap(await spectator.join(`tournament:${s.id}`));
        await Promise.all([a.hub.deadlines.refresh(), b.hub.deadlines.refresh()]);
        clock.advance(WINDOW_MS);
        await until(async () => (await closedEvents(a, s.id)).length > 0, 'checkin.closed', wait);
        await Promise.all([a.hub.services.commands.idle(wait), b.hub.services.commands.idle(wait)]);
        expect(await closedEvents(a, s.id)).toHaveLength(1);
        const live = await spectator.until(
          () => spectator.eventsOf(`tournament:${s.id}`).some((e) => e.type === 'checkin.closed') && spectator.eventsOf(`tournament:${s.id}`),
          'checkin.closed live',
          wait,
        );
        expect(live.map((e) => e.type)).toEqual(['pool.removed', 'signup.declined', 'pool.added', 'signup.approved', 'checkin.closed']);
        for (const e of live) {
          if (e.type in RoomEventPayloads) expect(RoomEventPayloads[e.type as RoomEventType].safeParse(e.payload).success, e.type).toBe(true);
        }
        const rows = await a.hub.services.db('signups').where({ tournamentId: s.id }).orderBy('userId');
        expect(rows.map((r) => r.state)).toEqual(['declined', 'approved']);
      } finally {
        spectator.close();
      }
    },
  );
});
