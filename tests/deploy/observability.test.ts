import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectSocket, unwrap } from '../support/socket';
import { tournamentWithPool, type Client } from '../realtime/fixtures';
import { sample, SESSION_SECRET, startLoggedHub } from './log-hub';

describe('observability: request ids in logs, /metrics, nothing secret logged', () => {
  let h: Awaited<ReturnType<typeof startLoggedHub>>;
  let staff: Client;

  beforeAll(async () => {
    h = await startLoggedHub();
    staff = (await h.t.login('obsstaff', 'staff')) as Client;
  });
  afterAll(() => h?.t.close());

  it('an HTTP request id (given in X-Request-Id) is on the log lines of the command it runs, and answered back', async () => {
    const token = await staff.token();
    const res = await fetch(`${h.t.url}/api/tournaments`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie: staff.cookieHeader(), 'x-csrf-token': token, 'x-request-id': 'req-obs-0001' },
      body: JSON.stringify({ name: 'Observed Cup', startsAt: '2030-05-01T18:00:00Z' }),
    });
    expect(res.status).toBe(201);
    expect(res.headers.get('x-request-id')).toBe('req-obs-0001');
    const mine = h.entries().filter((e) => e.reqId === 'req-obs-0001' || e.req?.id === 'req-obs-0001');
    expect(mine.find((e) => e.msg === 'command done')).toMatchObject({ command: 'POST /api/tournaments', outcome: 'ok' });
    expect(mine.find((e) => e.msg === 'request completed')).toMatchObject({ req: { method: 'POST', path: '/api/tournaments' }, res: { statusCode: 201 } });

    // Without a usable header the hub makes one up (and refuses to log a header full of junk).
    const other = await fetch(`${h.t.url}/api/tournaments`, { headers: { 'x-request-id': 'bad id with spaces and ~!' } });
    expect(other.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('a socket command gets its own id, carried to its log lines; /metrics counts it with its latency', async () => {
    const { id, room, users } = await tournamentWithPool(h.t, staff, 2);
    const before = await (await fetch(`${h.t.url}/metrics`)).text();
    const socket = await connectSocket(h.t.url, { cookie: staff.cookieHeader() });
    try {
      unwrap(await socket.join(room));
      unwrap(await socket.command('team.create', { tournamentId: id, captainUserId: users[0]!.userId }));
      const done = h.entries().filter((e) => e.msg === 'command done' && e.command === 'team.create');
      expect(done).toHaveLength(1);
      expect(done[0]!.reqId).toMatch(/^[0-9a-f-]{36}$/);
      expect(done[0]!.outcome).toBe('ok');

      const res = await fetch(`${h.t.url}/metrics`);
      expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
      const after = await res.text();
      const ok = { command: 'team.create', outcome: 'ok' };
      expect(sample(after, 'dtx_commands_total', ok) - sample(before, 'dtx_commands_total', ok)).toBe(1);
      expect(sample(after, 'dtx_command_duration_seconds_count', { command: 'team.create' })).toBe(1);
      expect(sample(after, 'dtx_command_duration_seconds_bucket', { command: 'team.create', le: '+Inf' })).toBe(1);
      expect(sample(after, 'dtx_commands_total', { command: 'POST /api/tournaments/:tournamentId/players', outcome: 'ok' })).toBeGreaterThanOrEqual(2);
      expect(sample(after, 'dtx_socket_connections')).toBe(1);
      expect(sample(after, 'dtx_rooms')).toBe(1);
      expect(sample(after, 'dtx_database_up')).toBe(1);
      expect(sample(after, 'dtx_redis_up')).toBe(-1); // no Redis configured here
      expect(sample(after, 'dtx_fanout_up')).toBe(1);
      for (const series of [
        'dtx_cache_hit_ratio',
        'dtx_cache_hits',
        'dtx_cache_misses',
        'dtx_steam_calls_total',
        'dtx_steam_rate_limit_wait_seconds_total',
        'process_resident_memory_bytes',
        'process_cpu_seconds_total',
      ]) {
        expect(after).toContain(`# TYPE ${series} `);
      }
      // The room's snapshot (stale since team.create) is read from the database once, then from the cache.
      for (let i = 0; i < 2; i++) {
        const spectator = await connectSocket(h.t.url);
        unwrap(await spectator.join(room));
        spectator.close();
      }
      const later = await (await fetch(`${h.t.url}/metrics`)).text();
      expect(sample(later, 'dtx_cache_hits')).toBeGreaterThan(0);
      expect(sample(later, 'dtx_cache_hit_ratio')).toBeGreaterThan(0);
    } finally {
      socket.close();
    }
  });

  it('a rejected command is counted as rejected', async () => {
    const { id, users } = await tournamentWithPool(h.t, staff, 1);
    const member = await h.t.login('obsmember');
    const socket = await connectSocket(h.t.url, { cookie: member.cookieHeader() });
    try {
      const ack = await socket.command('team.create', { tournamentId: id, captainUserId: users[0]!.userId });
      expect(ack.ok).toBe(false);
    } finally {
      socket.close();
    }
    const text = await (await fetch(`${h.t.url}/metrics`)).text();
    const counted = sample(text, 'dtx_commands_total', { command: 'team.create', outcome: 'rejected' });
    // Refused before or inside the bus: either way no "ok" was added for it.
    expect(counted + sample(text, 'dtx_commands_total', { command: 'team.create', outcome: 'ok' })).toBeGreaterThanOrEqual(1);
  });

  it('no cookie, session secret, CSRF token or credential reaches the log', async () => {
    const member = await h.t.login('obssecret');
    const token = await member.token();
    await member.patch('/api/me', { mmr: 4321 });
    await fetch(`${h.t.url}/auth/discord/callback?code=oauth-code-secret-123&state=xyz`, { headers: { cookie: member.cookieHeader() } });
    // A careless log call with credentials in it is redacted too.
    h.t.hub.services.log.info(
      { accessToken: 'tok-abc-123', user: { clientSecret: 'cs-abc-123', password: 'pw-abc-123' }, headers: { cookie: 'dtx.sid=s%3Aleak' } },
      'careless',
    );

    const all = h.lines.join('\n');
    const sessionValue = member.cookieHeader().split(';')[0]!.split('=')[1]!;
    expect(sessionValue.length).toBeGreaterThan(10);
    for (const secret of [
      sessionValue,
      decodeURIComponent(sessionValue),
      SESSION_SECRET,
      token,
      'oauth-code-secret-123',
      'tok-abc-123',
      'cs-abc-123',
      'pw-abc-123',
      's%3Aleak',
    ]) {
      expect(all).not.toContain(secret);
    }
    expect(all).not.toMatch(/"cookie":"[^[]/i);
    expect(h.entries().find((e) => e.msg === 'careless')).toMatchObject({
      accessToken: '[redacted]',
      user: { clientSecret: '[redacted]', password: '[redacted]' },
    });
  });
});
