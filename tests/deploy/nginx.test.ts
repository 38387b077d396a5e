import { applyDraftEvent } from '../../shared/live/draft';
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RealtimeClient } from '../../client/src/lib/realtime';
import type { DraftView } from '../../shared/schemas/draft';
import type { WireEvent } from '../../shared/realtime';
import { killAll, spawnHub, type HubProcess } from '../foundation/hub-process';
import { createTestDatabase, type TestDatabase } from '../support/databases';
import { HttpClient } from '../support/http';
import type { TestHub } from '../support/hub';
import { redisPrefix, until } from '../realtime/fixtures';
import { captainOnTurn, checkFinalRosters, type Client, position, setupDraft } from '../draft/fixtures';
import { NGINX, startNginx, type Nginx } from './nginx';
import { sample, SESSION_SECRET } from './log-hub';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/**
 * The production topology without Docker: two hub processes on one PostgreSQL database and one
 * Redis, behind nginx from Debian running deploy/nginx/nginx.conf. Every client talks to nginx only.
 */
describe('two hub processes behind nginx (PostgreSQL, Redis)', () => {
  let database: TestDatabase;
  let hubs: HubProcess[] = [];
  let ports: [number, number];
  let nginx: Nginx;
  const clients: RealtimeClient[] = [];

  beforeAll(async () => {
    // Not a skip: CI installs nginx (.ci/run); without it this topology is untested, so fail.
    expect(fs.existsSync(NGINX), `${NGINX} is missing: apt-get install nginx`).toBe(true);
    database = await createTestDatabase('postgres');
    const env = {
      ...database.env,
      REDIS_URL,
      REDIS_PREFIX: redisPrefix(),
      NODE_ENV: 'test',
      HOST: '127.0.0.1',
      PORT: '0',
      LOG_LEVEL: 'info',
      SESSION_SECRET,
      TRUST_PROXY: '1',
      RATE_LIMIT_LOGIN_PER_MINUTE: '10000',
      RATE_LIMIT_MUTATIONS_PER_MINUTE: '100000',
      RT_PRESENCE_THROTTLE_MS: '50',
      RT_PRESENCE_HEARTBEAT_MS: '200',
      // Both start together on an empty database with migrations on: knex's lock lets one
      // migrate, the other waits and retries (main.ts), so neither crashes nor migrates twice.
      MIGRATE_ON_START: 'true',
    };
    hubs = [spawnHub(env), spawnHub(env)];
    ports = (await Promise.all(hubs.map((h) => h.port))) as [number, number];
    nginx = await startNginx(ports);
    // The second waits for the first's migrations, which a busy machine can make long (main.ts gives it 5 minutes).
  }, 180_000);

  afterAll(async () => {
    for (const c of clients.splice(0)) c.close();
    await Promise.all(hubs.map((h) => h.stop(5000)));
    killAll();
    await nginx?.stop();
    await database?.drop();
  });

  const direct = (i: number) => `http://127.0.0.1:${ports[i]}`;
  /** startHub's shape, for the draft fixtures: every login goes through nginx. */
  const viaNginx = () =>
    ({
      async login(username: string, role: 'admin' | 'staff' | 'member' = 'member') {
        const client = new HttpClient(nginx.url) as Client;
        client.userId = (await client.devLogin(username, role)).id;
        return client;
      },
    }) as unknown as TestHub;
  /** Socket.IO connections open on hub i, from its own /metrics. */
  const connectionsOn = async (i: number) => sample(await (await fetch(`${direct(i)}/metrics`)).text(), 'dtx_socket_connections');

  /** A client through nginx, as the browser's (WebSocket first); resolves once connected, with the hub it landed on. */
  async function connect(options: { cookie?: string; polling?: boolean } = {}) {
    const before = await Promise.all([connectionsOn(0), connectionsOn(1)]);
    const client = new RealtimeClient({
      url: nginx.url,
      headers: options.cookie ? { cookie: options.cookie } : undefined,
      socket: { reconnectionDelay: 100, reconnectionDelayMax: 300, ...(options.polling ? { transports: ['polling'] } : {}) },
    });
    clients.push(client);
    await until(client.state, (s) => s === 'connected', 'a connection through nginx');
    const after = await Promise.all([connectionsOn(0), connectionsOn(1)]);
    const on = after[0]! > before[0]! ? 0 : after[1]! > before[1]! ? 1 : -1;
    expect(on, 'the new connection shows on one hub').not.toBe(-1);
    return { client, on };
  }

  it('migrations were applied once although both processes started together on an empty database', async () => {
    const admin = (await import('knex')).default({ client: 'pg', connection: database.env.DATABASE_URL, pool: { min: 0, max: 1 } });
    try {
      const rows = await admin('knex_migrations').select('name');
      const names = rows.map((r) => r.name as string);
      expect(names.length).toBeGreaterThan(0);
      expect(new Set(names).size).toBe(names.length);
      expect((await admin('knex_migrations_lock').first('is_locked')).is_locked).toBe(0);
    } finally {
      await admin.destroy();
    }
    for (const h of hubs) expect(h.stderr()).not.toMatch(/failed to start/);
  });

  it('logins and sessions work on both processes; /metrics is not served through nginx', async () => {
    const staff = new HttpClient(nginx.url);
    const me = await staff.devLogin('nginxstaff', 'staff');
    // The session lives in Redis: each process knows it.
    for (const i of [0, 1]) {
      const res = await fetch(`${direct(i)}/api/me`, { headers: { cookie: staff.cookieHeader() } });
      expect(((await res.json()) as { user?: { id: number } }).user?.id, `hub ${i} knows the session`).toBe(me.id);
    }
    // Mutations through nginx land on either process (least_conn): the CSRF token holds on both.
    for (let i = 0; i < 6; i++) {
      const res = await staff.post('/api/tournaments', { name: `Nginx Cup ${process.pid}-${i}`, startsAt: '2030-05-01T18:00:00Z' });
      expect(res.status, res.text).toBe(201);
      expect(res.headers.get('x-request-id')).toBeTruthy();
    }
    const served = await Promise.all(
      [0, 1].map(async (i) =>
        sample(await (await fetch(`${direct(i)}/metrics`)).text(), 'dtx_commands_total', { command: 'POST /api/tournaments', outcome: 'ok' }),
      ),
    );
    expect(served[0]! + served[1]!).toBe(6);
    expect(
      served.every((n) => n > 0),
      `both processes served tournament creations (${served})`,
    ).toBe(true);
    expect((await fetch(`${nginx.url}/metrics`)).status).toBe(404);
    expect((await fetch(`${nginx.url}/readyz`)).status).toBe(200);
  });

  it('a draft by captains on different processes; a process stops mid-draft: its clients resync on the other, nothing missed or twice', async () => {
    const staff = (await viaNginx().login('nginxdraftstaff', 'staff')) as Client;
    const s = await setupDraft(viaNginx(), staff, { teams: 4, players: 8, teamSize: 3 });

    // Captains through nginx, WebSocket first like the browser: least_conn spreads them.
    const captains: { client: RealtimeClient; on: number }[] = [];
    for (const c of s.captains) captains.push(await connect({ cookie: c.cookieHeader() }));
    expect(new Set(captains.map((c) => c.on)), 'captains on both processes').toEqual(new Set([0, 1]));

    // Spectators: anonymous WebSocket ones until one sits on each process, and a long-polling one
    // (sticky in nginx: its requests must all reach the process that holds its Engine.IO session).
    const spectators: { client: RealtimeClient; on: number; polling?: boolean }[] = [];
    while (new Set(spectators.map((x) => x.on)).size < 2) {
      expect(spectators.length, 'spectators spread over both processes').toBeLessThan(6);
      spectators.push(await connect());
    }
    spectators.push({ ...(await connect({ polling: true })), polling: true });
    expect(spectators.at(-1)!.client.socket.io.engine.transport.name).toBe('polling');
    expect(captains[0]!.client.socket.io.engine.transport.name, 'the upgrade passes nginx').toBe('websocket');
    const start = (await staff.get(`${s.base}`)).body.seq as number;
    const watched = spectators.map(({ client }) => {
      const store = client.room<DraftView>(s.room, { reduce: applyDraftEvent });
      const applied: WireEvent[] = [];
      store.onEvent((e) => applied.push(e));
      return { store, applied };
    });
    for (const w of watched) await until(w.store, (v) => v.status === 'live' && v.seq === start, 'a spectator joined');

    const read = async () => (await staff.get(s.base)).body as DraftView;
    const pick = async () => {
      const view = await read();
      const captain = captains[s.captains.indexOf(captainOnTurn(s, view))]!;
      await until(captain.client.state, (st) => st === 'connected', 'the captain connected', 10_000);
      const choice = view.pool.find((p) => p.teamId === null)!;
      const ack = await captain.client.command('draft.pick', { tournamentId: s.id, userId: choice.user.id, pickNumber: view.turn!.pickNumber });
      expect(ack.ok, JSON.stringify(ack)).toBe(true);
    };

    expect((await staff.post(`${s.base}/start`, {})).status).toBe(200);
    for (let i = 0; i < 3; i++) await pick();

    // The process under the first spectator stops (SIGTERM: it tells its clients, then exits).
    const victim = spectators[0]!.on;
    expect(
      captains.some((c) => c.on === victim),
      'a captain on the stopping process',
    ).toBe(true);
    const stopped = await hubs[victim]!.stop(15_000);
    expect(stopped.code).toBe(0);

    // Every pick left; captains of the stopped process reconnect through nginx to the other one.
    for (;;) {
      const view = await read();
      if (view.status !== 'running') break;
      await pick();
    }
    const final = await read();
    checkFinalRosters(final);
    expect(final.picks.every((p) => p.method === 'captain')).toBe(true);

    for (const [i, w] of watched.entries()) {
      const view = await until(w.store, (v) => v.status === 'live' && v.seq === final.seq, `spectator ${i} caught up`, 10_000);
      expect(view.seq).toBe(final.seq);
      // Each event exactly once, in order, from just after the snapshot to the end.
      expect(
        w.applied.map((e) => e.seq),
        `spectator ${i}`,
      ).toEqual(Array.from({ length: final.seq - start }, (_, k) => start + 1 + k));
      const last = w.applied.at(-1)!;
      expect(last.type).toBe('draft.completed');
      expect(position(view.state!)).toEqual(position(final));
    }
    // Everyone who was on the stopped process is now on the other one.
    expect(await connectionsOn(1 - victim)).toBe(captains.length + spectators.length);
  }, 90_000);
});
