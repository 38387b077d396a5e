import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startHub, type TestHub } from '../support/hub';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy';
import { connectSocket, socketJar, unwrap } from '../support/socket';
import { type Client, loggedEvents, redisPrefix, tournamentWithPool, unique } from './fixtures';

describe('RT12 abuse limits on sockets', () => {
  let t: TestHub;
  let staff: Client;
  const sockets = socketJar();
  const open = (cookie?: string) => sockets.open(t.url, { cookie });

  beforeAll(async () => {
    t = await startHub({
      env: {
        RT_MAX_PAYLOAD_BYTES: '2048',
        // Refill slowly enough that nothing comes back during a test.
        RT_SOCKET_COMMANDS_PER_SECOND: '0.01',
        RT_SOCKET_COMMAND_BURST: '3',
        RT_USER_COMMANDS_PER_SECOND: '0.01',
        RT_USER_COMMAND_BURST: '5',
        RT_ABUSE_STRIKES: '3',
      },
    });
    staff = (await t.login('abusestaff', 'staff')) as Client;
  });
  afterEach(() => sockets.closeAll());
  afterAll(() => t?.close());

  it('RT12 a message over the payload limit cuts the connection and changes nothing', async () => {
    const { id, room, users } = await tournamentWithPool(t, staff, 1);
    const s = await open(staff.cookieHeader());
    const before = await loggedEvents(t, room);
    void s.raw('team.create', { tournamentId: id, captainUserId: users[0]!.userId, name: 'x'.repeat(5000) }).catch(() => undefined);
    await s.untilDisconnected();
    expect(await loggedEvents(t, room)).toEqual(before);
    expect((await t.client().get(`/api/tournaments/${id}/teams`)).body.items).toEqual([]);
  });

  it('RT12 a token bucket per connection answers rate_limited past its burst', async () => {
    const user = await t.login(unique('bucket'), 'staff');
    const s = await open(user.cookieHeader());
    const answers = [];
    // Valid commands for a team that does not exist: they reach the service (not_found).
    for (let i = 0; i < 4; i++) answers.push(await s.command('team.rename', { tournamentId: 999999, teamId: 1, name: 'n' }));
    expect(answers.map((a) => (a.ok ? 'ok' : a.error.code))).toEqual(['not_found', 'not_found', 'not_found', 'rate_limited']);
    expect(s.socket.connected).toBe(true); // one strike is not abuse
  });

  it('RT12 a token bucket per user holds across all of the user’s connections', async () => {
    const user = await t.login(unique('bucket'), 'staff');
    const [a, b] = [await open(user.cookieHeader()), await open(user.cookieHeader())];
    const codes: string[] = [];
    for (const s of [a, b, a, b, a, b]) {
      const answer = await s.command('team.rename', { tournamentId: 999999, teamId: 1, name: 'n' });
      codes.push(answer.ok ? 'ok' : answer.error.code);
    }
    // Burst 5 per user: the sixth is refused although each connection sent only three.
    expect(codes).toEqual(['not_found', 'not_found', 'not_found', 'not_found', 'not_found', 'rate_limited']);
  });

  it('RT12 repeated invalid payloads lead to a disconnect', async () => {
    const s = await open(staff.cookieHeader());
    for (let i = 0; i < 3; i++) {
      const answer = await s.raw('team.create', { nonsense: i });
      expect(!answer.ok && answer.error.code).toBe('invalid_payload');
      expect(s.socket.connected).toBe(true);
    }
    const last = await s.raw('team.create', { nonsense: 4 });
    expect(!last.ok && last.error.code).toBe('invalid_payload');
    await s.untilDisconnected();
  });

  it('RT12 unknown events and events without an ack count as abuse too', async () => {
    const s = await open();
    for (let i = 0; i < 4; i++) (s.socket as unknown as { emit(ev: string, p: unknown): void }).emit('drop.tables', { i });
    await s.untilDisconnected();
  });
});

describe('RT12 origin check on the handshake', () => {
  let t: TestHub;
  beforeAll(async () => {
    t = await startHub({ env: { PUBLIC_URL: 'http://hub.example:8080' } });
  });
  afterAll(() => t?.close());

  it('RT12 accepts the public origin, the same host and clients without an origin; refuses others', async () => {
    for (const origin of ['http://hub.example:8080', t.url, undefined]) {
      const s = await connectSocket(t.url, { origin });
      expect(s.socket.connected).toBe(true);
      s.close();
    }
    for (const transports of [['websocket'], ['polling']] as const) {
      for (const origin of ['https://evil.example', 'http://hub.example:9999', 'null']) {
        await expect(connectSocket(t.url, { origin, transports: [...transports] }), `${origin} over ${transports[0]}`).rejects.toThrow();
      }
    }
  });

  it('RT12 a cross-site page cannot ride on a logged-in visitor’s cookie', async () => {
    const user = await t.login('originvictim', 'staff');
    await expect(connectSocket(t.url, { origin: 'https://evil.example', cookie: user.cookieHeader() })).rejects.toThrow();
    const ok = await connectSocket(t.url, { origin: t.url, cookie: user.cookieHeader() });
    unwrap(await ok.join(`user:${user.userId}`));
    ok.close();
  });
});

describe('RT12 the per-user limit holds across processes (Redis)', () => {
  let a: TestHub;
  let b: TestHub;
  let slowRedis: TcpProxy;
  beforeAll(async () => {
    // Redis answers 40 ms late, as from another machine: a command's answer must still wait for
    // the answer to its charge, or the user's next command would beat the refusal.
    slowRedis = await startTcpProxy(Number(new URL(process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379').port || 6379), { answerDelayMs: 40 });
    const env = {
      REDIS_URL: `redis://127.0.0.1:${slowRedis.port}`,
      REDIS_PREFIX: redisPrefix(),
      RT_SOCKET_COMMANDS_PER_SECOND: '0.01',
      RT_SOCKET_COMMAND_BURST: '10',
      RT_USER_COMMANDS_PER_SECOND: '0.01',
      RT_USER_COMMAND_BURST: '5',
    };
    a = await startHub({ env });
    b = await startHub({ database: a.database, env });
  });
  afterAll(async () => {
    await b?.close();
    await a?.close();
    await slowRedis?.close();
  });

  it('RT12 a user with connections on two processes shares one bucket: each process lets one more through before Redis says it is empty, then both refuse and nothing more is written', async () => {
    // Each process decides at once and charges the shared bucket behind the command; a
    // process hears that the bucket is empty from the answer to its own charge.
    const user = await a.login(unique('spread'), 'staff');
    const { id, room, users } = await tournamentWithPool(a, user, 1);
    const created = await user.post(`/api/tournaments/${id}/teams`, { captainUserId: users[0]!.userId, name: 'Team 0' });
    expect(created.status, created.text).toBe(201);
    const teamId = created.body.id as number;
    const onA = await connectSocket(a.url, { cookie: user.cookieHeader() });
    const onB = await connectSocket(b.url, { cookie: user.cookieHeader() });
    try {
      const before = await loggedEvents(a, room);
      const codes: string[] = [];
      for (const [k, s] of [onA, onB, onA, onB, onA, onB, onA, onB, onA].entries()) {
        const answer = await s.command('team.rename', { tournamentId: id, teamId, name: `Team ${k + 1}` });
        codes.push(answer.ok ? 'ok' : answer.error.code);
      }
      // The burst is 5: the 6th (on B) and the 7th (on A) went through before each process
      // heard; from then on both refuse, each process's own bucket still holding tokens.
      expect(codes).toEqual(['ok', 'ok', 'ok', 'ok', 'ok', 'ok', 'ok', 'rate_limited', 'rate_limited']);
      const team = (await a.client().get(`/api/tournaments/${id}/teams`)).body.items.find((t: { id: number }) => t.id === teamId);
      expect(team.name).toBe('Team 7');
      expect((await loggedEvents(a, room)).length).toBe(before.length + 7);
    } finally {
      onA.close();
      onB.close();
    }
  });
});
