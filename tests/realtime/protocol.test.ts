import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { JoinResult } from '../../shared/realtime';
import type { TournamentDetail } from '../../shared/schemas/tournaments';
import { DATABASES } from '../support/databases';
import { startHub, type TestHub } from '../support/hub';
import { socketJar, type TestSocket, unwrap } from '../support/socket';
import { type Client, loggedEvents, tournamentWithPool } from './fixtures';

describe.each(DATABASES)('realtime protocol [%s]', (db) => {
  let t: TestHub;
  let staff: Client;
  const sockets = socketJar();
  const open = (cookie?: string) => sockets.open(t.url, { cookie });

  beforeAll(async () => {
    t = await startHub({ db, env: { RT_REPLAY_LIMIT: '5' } });
    staff = (await t.login('rtstaff', 'staff')) as Client;
  });
  afterEach(() => sockets.closeAll());
  afterAll(() => t?.close());

  it('RT6 a spectator gets a snapshot with its seq, then every later event exactly once, in order', async () => {
    const { id, room, users } = await tournamentWithPool(t, staff, 4);
    const spectator = await open(); // anonymous visitors may watch
    const joined = unwrap(await spectator.join(room)) as Extract<JoinResult, { snapshot: unknown }>;
    const snapshot = joined.snapshot as TournamentDetail;
    expect(joined.seq).toBe((await loggedEvents(t, room)).length);
    expect(snapshot.id).toBe(id);
    expect(snapshot.seq).toBe(joined.seq);
    expect(snapshot.players).toHaveLength(4);

    const captain = await open(staff.cookieHeader());
    const team = unwrap(await captain.command('team.create', { tournamentId: id, captainUserId: users[0]!.userId }));
    expect((await staff.patch(`/api/tournaments/${id}/teams/${team.id}`, { name: 'Renamed' })).status).toBe(200);
    unwrap(await captain.command('team.create', { tournamentId: id, captainUserId: users[1]!.userId, name: 'Second' }));
    unwrap(await captain.command('team.rename', { tournamentId: id, teamId: team.id, name: 'Renamed again' }));

    const got = await spectator.untilEvents(room, 4);
    expect(got.map((e) => e.seq)).toEqual([joined.seq + 1, joined.seq + 2, joined.seq + 3, joined.seq + 4]);
    expect(got.map((e) => e.type)).toEqual(['team.created', 'team.renamed', 'team.created', 'team.renamed']);
    expect(got[0]!.actorUserId).toBe(staff.userId);
    // The log holds exactly what was broadcast.
    expect((await loggedEvents(t, room)).slice(joined.seq)).toEqual(got.map((e) => ({ seq: e.seq, type: e.type })));
  });

  it('RT6 spectators joining while commands stream in miss nothing after their snapshot', async () => {
    const { id, room, users } = await tournamentWithPool(t, staff, 10);
    const captain = await open(staff.cookieHeader());
    const joins: Promise<{ s: TestSocket; seq: number }>[] = [];
    for (const [i, u] of users.entries()) {
      const done = captain.command('team.create', { tournamentId: id, captainUserId: u.userId });
      if (i % 2 === 0) joins.push(open().then(async (s) => ({ s, seq: unwrap(await s.join(room)).seq })));
      unwrap(await done);
    }
    const head = (await loggedEvents(t, room)).length;
    for (const { s, seq } of await Promise.all(joins)) {
      // What a client applies: the events after its snapshot's seq (earlier ones it drops).
      if (seq < head) await s.until(() => s.eventsOf(room).some((e) => e.seq === head), `event ${head}`);
      const after = s
        .eventsOf(room)
        .filter((e) => e.seq > seq)
        .map((e) => e.seq);
      expect(after).toEqual(Array.from({ length: head - seq }, (_, k) => seq + 1 + k));
    }
  });

  it('RT5 concurrent commands on one room get consecutive seq numbers, none skipped or repeated', async () => {
    const { id, room, users } = await tournamentWithPool(t, staff, 6);
    const spectator = await open();
    const start = unwrap(await spectator.join(room)).seq;
    const sockets = await Promise.all([open(staff.cookieHeader()), open(staff.cookieHeader())]);
    const results = await Promise.all(users.map((u, i) => sockets[i % 2]!.command('team.create', { tournamentId: id, captainUserId: u.userId })));
    expect(results.every((r) => r.ok)).toBe(true);
    const log = await loggedEvents(t, room);
    expect(log.map((e) => e.seq)).toEqual(Array.from({ length: log.length }, (_, i) => i + 1));
    const got = await spectator.untilEvents(room, 6);
    expect(got.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5, 6].map((n) => start + n));
  });

  it('RT7 rejoining with the last seq replays exactly the missed events; too old or ahead gets a snapshot', async () => {
    const { id, room, users } = await tournamentWithPool(t, staff, 8);
    const first = await open();
    const seen = unwrap(await first.join(room)).seq;
    first.close();
    for (const u of users.slice(0, 3)) expect((await staff.post(`/api/tournaments/${id}/teams`, { captainUserId: u.userId })).status).toBe(201);

    const again = await open();
    const replay = unwrap(await again.join(room, seen));
    expect('events' in replay && replay.events.map((e) => [e.seq, e.type])).toEqual([
      [seen + 1, 'team.created'],
      [seen + 2, 'team.created'],
      [seen + 3, 'team.created'],
    ]);
    expect(replay.seq).toBe(seen + 3);
    // Up to date: nothing to replay.
    const none = unwrap(await (await open()).join(room, seen + 3));
    expect(none).toEqual({ room, seq: seen + 3, events: [] });

    // More than RT_REPLAY_LIMIT (5) behind: a fresh snapshot instead.
    for (const u of users.slice(3, 8)) expect((await staff.post(`/api/tournaments/${id}/teams`, { captainUserId: u.userId })).status).toBe(201);
    const old = unwrap(await (await open()).join(room, seen));
    expect('snapshot' in old).toBe(true);
    expect(old.seq).toBe(seen + 8);
    expect((old as { snapshot: TournamentDetail }).snapshot.teams).toHaveLength(8);
    // A client ahead of the server (its database was reset): a snapshot.
    const ahead = unwrap(await (await open()).join(room, seen + 100));
    expect('snapshot' in ahead && ahead.seq).toBe(seen + 8);
  });

  it('RT2 payloads that fail their schema get invalid_payload with the issues, and change nothing', async () => {
    const { id, room, users } = await tournamentWithPool(t, staff, 1);
    const s = await open(staff.cookieHeader());
    const before = await loggedEvents(t, room);
    const bad: [string, unknown][] = [
      ['team.create', { tournamentId: String(id), captainUserId: users[0]!.userId }],
      ['team.create', { tournamentId: id, captainUserId: users[0]!.userId, admin: true }],
      ['team.create', { tournamentId: id }],
      ['team.create', 'not an object'],
      ['team.rename', { tournamentId: id, teamId: 1, name: '' }],
      ['pool.add', { tournamentId: id, userId: -4 }],
    ];
    for (const [name, payload] of bad) {
      const ack = await s.raw(name, payload);
      expect(ack.ok, `${name} ${JSON.stringify(payload)}`).toBe(false);
      if (!ack.ok) {
        expect(ack.error.code).toBe('invalid_payload');
        expect(ack.error.issues?.length).toBeGreaterThan(0);
      }
    }
    const join = await s.raw('room:join', { room: 'tournament:abc' });
    expect(!join.ok && join.error.code).toBe('invalid_payload');
    expect(!join.ok && join.error.issues![0]!.path).toEqual(['room']);
    expect(await loggedEvents(t, room)).toEqual(before);
    expect((await t.client().get(`/api/tournaments/${id}/teams`)).body.items).toEqual([]);
  });

  it('RT3 unauthorised commands get unauthenticated or forbidden, and change nothing', async () => {
    const { id, room, users } = await tournamentWithPool(t, staff, 1);
    const before = await loggedEvents(t, room);
    const anonymous = await open();
    const anon = await anonymous.command('team.create', { tournamentId: id, captainUserId: users[0]!.userId });
    expect(!anon.ok && anon.error.code).toBe('unauthenticated');
    const member = await open(users[0]!.cookieHeader());
    const denied = await member.command('team.create', { tournamentId: id, captainUserId: users[0]!.userId });
    expect(!denied.ok && denied.error.code).toBe('forbidden');
    const pool = await member.command('pool.add', { tournamentId: id, userId: users[0]!.userId, mmr: 10 });
    expect(!pool.ok && pool.error.code).toBe('forbidden');
    expect(await loggedEvents(t, room)).toEqual(before);
  });

  it('RT3 a role taken away applies at once to an open socket', async () => {
    const { id, room, users } = await tournamentWithPool(t, staff, 2);
    const admin = await t.login('rtadmin', 'admin');
    const helper = await t.login(`helper${id}`, 'staff');
    const s = await open(helper.cookieHeader());
    unwrap(await s.command('team.create', { tournamentId: id, captainUserId: users[0]!.userId }));
    expect((await admin.patch(`/api/users/${helper.userId}/role`, { role: 'member' })).status).toBe(200);
    const before = await loggedEvents(t, room);
    const denied = await s.command('team.create', { tournamentId: id, captainUserId: users[1]!.userId });
    expect(!denied.ok && denied.error.code).toBe('forbidden');
    expect(await loggedEvents(t, room)).toEqual(before);
  });

  it('RT12 joins are rate limited per connection', async () => {
    const s = await open();
    // Sent at once, so that the bucket (a burst of 50, then 5 a second) barely refills meanwhile
    // even on a slow machine.
    const answers = await Promise.all(Array.from({ length: 60 }, (_, i) => s.join(`user:${i + 1}`).then((a) => (a.ok ? 'ok' : a.error.code))));
    // Anonymous: each private room is refused, but the joins still count against the join rate.
    expect(answers.slice(0, 50).every((c) => c === 'unauthenticated')).toBe(true);
    expect(answers.slice(50).filter((c) => c === 'rate_limited').length).toBeGreaterThanOrEqual(8);
  });

  it('a user room is private to its user; unknown rooms are not found', async () => {
    const { users } = await tournamentWithPool(t, staff, 2);
    const [me, other] = users;
    const mine = await open(me!.cookieHeader());
    const ok = unwrap(await mine.join(`user:${me!.userId}`));
    expect(ok).toMatchObject({ room: `user:${me!.userId}`, seq: (await loggedEvents(t, `user:${me!.userId}`)).length });
    const theirs = await mine.join(`user:${other!.userId}`);
    expect(!theirs.ok && theirs.error.code).toBe('forbidden');
    const anon = await (await open()).join(`user:${me!.userId}`);
    expect(!anon.ok && anon.error.code).toBe('unauthenticated');
    const missing = await mine.join('tournament:999999');
    expect(!missing.ok && missing.error.code).toBe('not_found');
  });

  it('RT1 a socket command runs the same service as REST: REST reads see it, the event is in the log', async () => {
    const { id, room, users } = await tournamentWithPool(t, staff, 3);
    const s = await open(staff.cookieHeader());
    const added = unwrap(await s.command('pool.add', { tournamentId: id, userId: staff.userId, mmr: 4200 }));
    expect(added).toMatchObject({ mmr: 4200, user: { id: staff.userId } });
    const team = unwrap(await s.command('team.create', { tournamentId: id, captainUserId: users[2]!.userId, name: 'Over the socket' }));
    const teams = (await t.client().get(`/api/tournaments/${id}/teams`)).body.items;
    expect(teams.map((x: { id: number; name: string }) => [x.id, x.name])).toEqual([[team.id, 'Over the socket']]);
    expect((await loggedEvents(t, room)).slice(-2).map((e) => e.type)).toEqual(['pool.added', 'team.created']);
  });
});
