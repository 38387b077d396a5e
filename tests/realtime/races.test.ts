import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Ack } from '../../shared/errors';
import { DATABASES } from '../support/databases';
import { startHub, type TestHub } from '../support/hub';
import { connectSocket, type TestSocket, unwrap } from '../support/socket';
import { type Client, loggedEvents, tournamentWithPool } from './fixtures';

const ROUNDS = 5;

/** Exactly one success, and the other a conflict. */
function oneWinner(results: { ok: boolean; code?: string }[]) {
  expect(results.filter((r) => r.ok)).toHaveLength(1);
  expect(results.filter((r) => !r.ok).map((r) => r.code)).toEqual(['conflict']);
}
const fromAck = (a: Ack<unknown>) => ({ ok: a.ok, code: a.ok ? undefined : a.error.code });
const fromRest = (r: { status: number; body: any }) => ({ ok: r.status < 300, code: r.status < 300 ? undefined : r.body.error.code });

describe.each(DATABASES)('RT4 races [%s]', (db) => {
  let t: TestHub;
  let staff: Client;
  let second: Client;
  const sockets: TestSocket[] = [];

  beforeAll(async () => {
    t = await startHub({ db });
    staff = (await t.login('racestaff', 'staff')) as Client;
    second = (await t.login('racestaff2', 'staff')) as Client;
  });
  afterEach(() => {
    for (const s of sockets.splice(0)) s.close();
  });
  afterAll(() => t?.close());

  const pair = async () => {
    const a = await connectSocket(t.url, { cookie: staff.cookieHeader() });
    const b = await connectSocket(t.url, { cookie: second.cookieHeader() });
    sockets.push(a, b);
    return [a, b] as const;
  };

  it('RT1 RT5 a command that fails after appending its event leaves no event, no used seq and no broadcast', async () => {
    const { room } = await tournamentWithPool(t, staff, 1);
    const bus = t.hub.services.commands;
    const seqOf = async () => Number((await t.hub.services.db('rooms').where({ name: room }).first())?.seq ?? 0);
    const before = { events: await loggedEvents(t, room), seq: await seqOf() };
    const broadcast: unknown[] = [];
    const unsubscribe = bus.subscribe((e) => broadcast.push(e));
    try {
      const failing = bus.run(null, async (tx) => {
        await tx.emit(room, 'test.discarded', {});
        throw new Error('the rule failed after the event');
      });
      await expect(failing).rejects.toThrow('the rule failed after the event');
      // The next command continues from the committed seq, as if nothing had happened.
      const seq = await bus.run(null, (tx) => tx.emit(room, 'test.kept', {}));
      expect(seq).toBe(before.seq + 1);
    } finally {
      unsubscribe();
    }
    expect(await loggedEvents(t, room)).toEqual([...before.events, { seq: before.seq + 1, type: 'test.kept' }]);
    expect(broadcast).toMatchObject([{ room, seq: before.seq + 1, type: 'test.kept' }]);
  });

  it('RT1 the bus tells its subscribers when more events are about to follow (the fan-out coalesces then)', async () => {
    const { room } = await tournamentWithPool(t, staff, 1);
    const bus = t.hub.services.commands;
    const seen: { type: string; moreToFollow: boolean }[] = [];
    const unsubscribe = bus.subscribe((e, { moreToFollow }) => {
      if (e.room === room) seen.push({ type: e.type, moreToFollow });
    });
    try {
      await bus.run(null, (tx) => tx.emit(room, 'test.alone', {}));
      // Started together: the room lock takes them one after the other; the first to commit sees the other running.
      await Promise.all([bus.run(null, (tx) => tx.emit(room, 'test.first', {})), bus.run(null, (tx) => tx.emit(room, 'test.second', {}))]);
      await bus.run(null, async (tx) => {
        await tx.emit(room, 'test.one-of-two', {});
        await tx.emit(room, 'test.two-of-two', {});
      });
    } finally {
      unsubscribe();
    }
    // Of the two started together, whichever took the lock first (PostgreSQL does not promise
    // the order they were called in) saw the other still running; the last saw nothing after it.
    const [firstDone, secondDone] = [seen[1]?.type, seen[2]?.type];
    expect([firstDone, secondDone].sort()).toEqual(['test.first', 'test.second']);
    expect(seen).toEqual([
      { type: 'test.alone', moreToFollow: false },
      { type: firstDone, moreToFollow: true },
      { type: secondDone, moreToFollow: false },
      { type: 'test.one-of-two', moreToFollow: true },
      { type: 'test.two-of-two', moreToFollow: true },
    ]);
  });

  it('RT4 two team.create for the same captain over two sockets: one team, one conflict', async () => {
    const [a, b] = await pair();
    for (let round = 0; round < ROUNDS; round++) {
      const { id, room, users } = await tournamentWithPool(t, staff, 1);
      const before = (await loggedEvents(t, room)).length;
      const payload = { tournamentId: id, captainUserId: users[0]!.userId };
      const results = await Promise.all([a.command('team.create', payload), b.command('team.create', payload)]);
      oneWinner(results.map(fromAck));
      expect((await t.client().get(`/api/tournaments/${id}/teams`)).body.items).toHaveLength(1);
      expect((await loggedEvents(t, room)).length).toBe(before + 1);
    }
  });

  it('RT4 REST and socket racing to create the same captain’s team: one team, one conflict', async () => {
    const [a] = await pair();
    for (let round = 0; round < ROUNDS; round++) {
      const { id, users } = await tournamentWithPool(t, staff, 1);
      await second.token(); // fetch the CSRF token first, so both requests leave at once
      const [viaSocket, viaRest] = await Promise.all([
        a.command('team.create', { tournamentId: id, captainUserId: users[0]!.userId }),
        second.post(`/api/tournaments/${id}/teams`, { captainUserId: users[0]!.userId }),
      ]);
      oneWinner([fromAck(viaSocket), fromRest(viaRest)]);
      expect((await t.client().get(`/api/tournaments/${id}/teams`)).body.items).toHaveLength(1);
    }
  });

  it('RT4 renaming two teams to the same name at once: one rename, one conflict', async () => {
    const [a, b] = await pair();
    for (let round = 0; round < ROUNDS; round++) {
      const { id, users } = await tournamentWithPool(t, staff, 2);
      const one = unwrap(await a.command('team.create', { tournamentId: id, captainUserId: users[0]!.userId }));
      const two = unwrap(await a.command('team.create', { tournamentId: id, captainUserId: users[1]!.userId }));
      const name = `Same ${round}`;
      const results = await Promise.all([
        a.command('team.rename', { tournamentId: id, teamId: one.id, name }),
        b.command('team.rename', { tournamentId: id, teamId: two.id, name }),
      ]);
      oneWinner(results.map(fromAck));
      const names = (await t.client().get(`/api/tournaments/${id}/teams`)).body.items.map((x: { name: string }) => x.name);
      expect(names.filter((n: string) => n === name)).toHaveLength(1);
    }
  });

  it('RT4 a REST rename and a socket rename to the same name: one rename, one conflict', async () => {
    const [a] = await pair();
    const { id, users } = await tournamentWithPool(t, staff, 2);
    const one = unwrap(await a.command('team.create', { tournamentId: id, captainUserId: users[0]!.userId }));
    const two = unwrap(await a.command('team.create', { tournamentId: id, captainUserId: users[1]!.userId }));
    await second.token();
    const [viaSocket, viaRest] = await Promise.all([
      a.command('team.rename', { tournamentId: id, teamId: one.id, name: 'Contested' }),
      second.patch(`/api/tournaments/${id}/teams/${two.id}`, { name: 'Contested' }),
    ]);
    oneWinner([fromAck(viaSocket), fromRest(viaRest)]);
  });
});

describe.each(DATABASES)('RT4 races between two hubs on one database [%s]', (db) => {
  let a: TestHub;
  let b: TestHub;
  let staff: Client;
  const sockets: TestSocket[] = [];

  beforeAll(async () => {
    a = await startHub({ db });
    b = await startHub({ database: a.database });
    staff = (await a.login('twohubstaff', 'staff')) as Client;
  });
  afterEach(() => {
    for (const s of sockets.splice(0)) s.close();
  });
  afterAll(async () => {
    await b?.close();
    await a?.close();
  });

  it('RT4 the same captain’s team created on two processes at once: one team, one conflict', async () => {
    // Sessions live in each hub's database store: log in on each hub.
    const onB = (await b.login('twohubstaff', 'staff')) as Client;
    const sa = await connectSocket(a.url, { cookie: staff.cookieHeader() });
    const sb = await connectSocket(b.url, { cookie: onB.cookieHeader() });
    sockets.push(sa, sb);
    for (let round = 0; round < ROUNDS; round++) {
      const { id, users } = await tournamentWithPool(a, staff, 1);
      const payload = { tournamentId: id, captainUserId: users[0]!.userId };
      const results = await Promise.all([sa.command('team.create', payload), sb.command('team.create', payload)]);
      oneWinner(results.map(fromAck));
    }
  });
});
