import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Team } from '../../shared/schemas/tournaments';
import { DATABASES } from '../support/databases';
import type { HttpClient } from '../support/http';
import { startHub, type TestHub } from '../support/hub';

type Client = HttpClient & { userId: number };

describe.each(DATABASES)('teams over REST [%s]', (db) => {
  let t: TestHub;
  let staff: Client;
  let seq = 0;
  beforeAll(async () => {
    t = await startHub({ db });
    staff = await t.login('teamstaff', 'staff');
  });
  afterAll(() => t?.close());

  /** A fresh tournament with `players` logged-in users in its pool (MMR 1000, 2000, ...). */
  async function tournamentWithPool(players: number) {
    const n = ++seq;
    const res = await staff.post('/api/tournaments', { name: `Cup ${n}`, startsAt: '2030-05-01T18:00:00Z' });
    expect(res.status, res.text).toBe(201);
    const id = res.body.id as number;
    const users: Client[] = [];
    for (let i = 0; i < players; i++) {
      const user = await t.login(`p${n}x${i}`);
      const added = await staff.post(`/api/tournaments/${id}/players`, { userId: user.userId, mmr: (i + 1) * 1000 });
      expect(added.status, added.text).toBe(201);
      users.push(user);
    }
    return { id, users, base: `/api/tournaments/${id}/teams` };
  }

  async function createTeam(base: string, captainUserId: number, name?: string) {
    const res = await staff.post(base, name === undefined ? { captainUserId } : { captainUserId, name });
    expect(res.status, res.text).toBe(201);
    return res.body as Team;
  }

  const order = async (base: string) => ((await t.client().get(base)).body.items as Team[]).map((team) => [team.id, team.draftOrder]);
  const events = async (tournamentId: number) =>
    (
      await t.hub.services
        .db('events')
        .where({ room: `tournament:${tournamentId}` })
        .orderBy('seq')
    ).map((e) => ({
      seq: e.seq as number,
      type: e.type as string,
      payload: typeof e.payload === 'string' ? JSON.parse(e.payload) : e.payload,
    }));

  it('creates a team from a pool player: default name, last in draft order, captain as member with no pick', async () => {
    const { id, users, base } = await tournamentWithPool(3);
    const first = await createTeam(base, users[1]!.userId);
    expect(Team.strict().safeParse(first).success).toBe(true);
    expect(first).toMatchObject({ tournamentId: id, name: `Team p${seq}x1`, draftOrder: 1, totalMmr: 2000 });
    expect(first.captain.id).toBe(users[1]!.userId);
    expect(first.members).toEqual([{ user: first.captain, mmr: 2000 }]);
    const second = await createTeam(base, users[0]!.userId, '  Named Five  ');
    expect(second).toMatchObject({ name: 'Named Five', draftOrder: 2, totalMmr: 1000 });

    const rows = await t.hub.services.db('team_members').where({ tournament_id: id }).orderBy('user_id');
    expect(rows.map((r) => [r.teamId ?? r.team_id, r.userId ?? r.user_id, r.pickNumber ?? r.pick_number ?? null])).toEqual([
      [second.id, users[0]!.userId, null],
      [first.id, users[1]!.userId, null],
    ]);
    const list = await t.client().get(base);
    expect(list.status).toBe(200);
    expect(list.body.items.map((x: Team) => x.id)).toEqual([first.id, second.id]);
    const detail = await t.client().get(`/api/tournaments/${id}`);
    expect(detail.body.teams.map((x: Team) => x.name)).toEqual([first.name, 'Named Five']);
  });

  it('the default name uses the display name (guild nick first)', async () => {
    const { users, base } = await tournamentWithPool(1);
    // Straight into the database (through the command bus, so the cache follows): a guild nickname
    // only comes from a Discord login, and these users logged in through the development login.
    await t.hub.services.commands.run(null, async (tx) => {
      await tx.db('users').where({ id: users[0]!.userId }).update({ guild_nickname: 'Nicky' });
      tx.touch(`user:${users[0]!.userId}`, 'users');
    });
    expect((await createTeam(base, users[0]!.userId)).name).toBe('Team Nicky');
  });

  it('RT1 every team change appends the next event of the tournament room', async () => {
    const { id, users, base } = await tournamentWithPool(3);
    const start = (await events(id)).length;
    const a = await createTeam(base, users[0]!.userId);
    const b = await createTeam(base, users[1]!.userId);
    await staff.patch(`${base}/${a.id}`, { name: 'Renamed A' });
    await staff.put(`${base}/order`, { teamIds: [b.id, a.id] });
    await staff.delete(`${base}/${b.id}`);
    const after = (await events(id)).slice(start);
    expect(after.map((e) => e.type)).toEqual(['team.created', 'team.created', 'team.renamed', 'teams.reordered', 'team.deleted']);
    expect(after.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5].map((i) => start + i));
    expect(after[0]!.payload.team).toMatchObject({ id: a.id, draftOrder: 1 });
    expect(after[2]!.payload).toEqual({ teamId: a.id, name: 'Renamed A' });
    expect(after[3]!.payload).toEqual({ teamIds: [b.id, a.id] });
    expect(after[4]!.payload).toEqual({ teamId: b.id, captainUserId: users[1]!.userId });
  });

  it('refuses a captain outside the pool (409), an unknown user (404) and a second team for one captain (409)', async () => {
    const { users, base } = await tournamentWithPool(1);
    const outsider = await t.login(`outsider${seq}`);
    const notInPool = await staff.post(base, { captainUserId: outsider.userId });
    expect(notInPool.status).toBe(409);
    expect(notInPool.body.error.code).toBe('conflict');
    expect(notInPool.body.error.message).toMatch(/not in the pool/);
    const unknown = await staff.post(base, { captainUserId: 999999 });
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.code).toBe('not_found');
    await createTeam(base, users[0]!.userId);
    const again = await staff.post(base, { captainUserId: users[0]!.userId, name: 'Another name' });
    expect(again.status).toBe(409);
    expect(again.body.error.message).toMatch(/already captains/);
    expect((await t.client().get(base)).body.items).toHaveLength(1);
  });

  it('refuses a duplicate team name (any case) on create and rename with 409', async () => {
    const { users, base } = await tournamentWithPool(3);
    const a = await createTeam(base, users[0]!.userId, 'Radiant Five');
    const dup = await staff.post(base, { captainUserId: users[1]!.userId, name: 'radiant five' });
    expect(dup.status).toBe(409);
    expect(dup.body.error.message).toMatch(/already exists/);
    const b = await createTeam(base, users[1]!.userId, 'Dire Five');
    const rename = await staff.patch(`${base}/${b.id}`, { name: 'Radiant Five' });
    expect(rename.status).toBe(409);
    // The same name in another tournament is fine.
    const other = await tournamentWithPool(1);
    await createTeam(other.base, other.users[0]!.userId, 'Radiant Five');
    // Renaming a team to its own name (or a new case of it) is fine.
    expect((await staff.patch(`${base}/${a.id}`, { name: 'Radiant Five' })).status).toBe(200);
    expect((await staff.patch(`${base}/${a.id}`, { name: 'RADIANT five' })).body.name).toBe('RADIANT five');
    expect((await t.client().get(base)).body.items.map((x: Team) => x.name)).toEqual(['RADIANT five', 'Dire Five']);
  });

  it('renames a team; a team of another tournament is 404 here', async () => {
    const { users, base } = await tournamentWithPool(1);
    const team = await createTeam(base, users[0]!.userId);
    const res = await staff.patch(`${base}/${team.id}`, { name: '  The Renamed  ' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: team.id, name: 'The Renamed', draftOrder: 1 });
    expect((await t.client().get(base)).body.items[0].name).toBe('The Renamed');
    const other = await tournamentWithPool(0);
    expect((await staff.patch(`${other.base}/${team.id}`, { name: 'Hijack' })).status).toBe(404);
    expect((await staff.delete(`${other.base}/${team.id}`)).status).toBe(404);
    expect((await staff.patch(`${base}/999999`, { name: 'Ghost' })).status).toBe(404);
    expect((await t.client().get(base)).body.items[0].name).toBe('The Renamed');
  });

  it('sets the draft order when every team is listed once (two-pass renumbering)', async () => {
    const { users, base } = await tournamentWithPool(4);
    const teams = [];
    for (const u of users) teams.push(await createTeam(base, u.userId));
    const ids = teams.map((x) => x.id);
    const reversed = [...ids].reverse();
    const res = await staff.put(`${base}/order`, { teamIds: reversed });
    expect(res.status, res.text).toBe(200);
    expect(res.body.items.map((x: Team) => [x.id, x.draftOrder])).toEqual(reversed.map((id, i) => [id, i + 1]));
    expect(await order(base)).toEqual(reversed.map((id, i) => [id, i + 1]));
    const rotated = [ids[1]!, ids[2]!, ids[3]!, ids[0]!];
    expect((await staff.put(`${base}/order`, { teamIds: rotated })).status).toBe(200);
    expect(await order(base)).toEqual(rotated.map((id, i) => [id, i + 1]));
    // The same order again is accepted.
    expect((await staff.put(`${base}/order`, { teamIds: rotated })).status).toBe(200);
  });

  it('refuses an order that misses, repeats or invents a team (409 naming the problem), changing nothing', async () => {
    const { users, base } = await tournamentWithPool(3);
    const ids = [];
    for (const u of users) ids.push((await createTeam(base, u.userId)).id);
    const other = await tournamentWithPool(1);
    const foreign = (await createTeam(other.base, other.users[0]!.userId)).id;
    const before = await order(base);
    const cases: [number[], RegExp][] = [
      [[ids[0]!, ids[1]!], new RegExp(`missing: ${ids[2]}`)],
      [[ids[0]!, ids[1]!, ids[1]!], new RegExp(`more than once: ${ids[1]}`)],
      [[ids[0]!, ids[1]!, ids[2]!, ids[0]!], /more than once/],
      [[ids[0]!, ids[1]!, ids[2]!, foreign], new RegExp(`not teams of this tournament: ${foreign}`)],
      [[ids[0]!, ids[1]!, 999999], /not teams of this tournament: 999999/],
    ];
    for (const [teamIds, message] of cases) {
      const res = await staff.put(`${base}/order`, { teamIds });
      expect(res.status, JSON.stringify(teamIds)).toBe(409);
      expect(res.body.error.code).toBe('conflict');
      expect(res.body.error.message).toMatch(message);
    }
    for (const body of [{ teamIds: [] }, { teamIds: ['a'] }, {}, { teamIds: [1], extra: true }]) {
      expect((await staff.put(`${base}/order`, body)).status, JSON.stringify(body)).toBe(400);
    }
    expect(await order(base)).toEqual(before);
  });

  it('deletes a team: the others stay 1..n in order, the captain stays in the pool and may captain again', async () => {
    const { id, users, base } = await tournamentWithPool(4);
    const teams = [];
    for (const u of users) teams.push(await createTeam(base, u.userId));
    const del = await staff.delete(`${base}/${teams[1]!.id}`);
    expect(del.status).toBe(204);
    expect(await order(base)).toEqual([
      [teams[0]!.id, 1],
      [teams[2]!.id, 2],
      [teams[3]!.id, 3],
    ]);
    const pool = (await t.client().get(`/api/tournaments/${id}/players`)).body.items.map((p: { user: { id: number } }) => p.user.id);
    expect(pool).toContain(users[1]!.userId);
    expect(await t.hub.services.db('team_members').where({ team_id: teams[1]!.id })).toHaveLength(0);
    const back = await createTeam(base, users[1]!.userId);
    expect(back.draftOrder).toBe(4);
    expect((await staff.delete(`${base}/${teams[1]!.id}`)).status).toBe(404);
    // Deleting the first team renumbers everyone.
    expect((await staff.delete(`${base}/${teams[0]!.id}`)).status).toBe(204);
    expect(await order(base)).toEqual([
      [teams[2]!.id, 1],
      [teams[3]!.id, 2],
      [back.id, 3],
    ]);
  });

  it('teams are frozen once drafting starts: every change is 409 and nothing changes', async () => {
    const { id, users, base } = await tournamentWithPool(3);
    const a = await createTeam(base, users[0]!.userId);
    expect((await staff.patch(`/api/tournaments/${id}`, { state: 'registration' })).status).toBe(200);
    // Still editable during registration.
    const b = await createTeam(base, users[1]!.userId);
    expect((await staff.patch(`/api/tournaments/${id}`, { state: 'drafting' })).status).toBe(200);
    const attempts = [
      await staff.post(base, { captainUserId: users[2]!.userId }),
      await staff.patch(`${base}/${a.id}`, { name: 'Too late' }),
      await staff.put(`${base}/order`, { teamIds: [b.id, a.id] }),
      await staff.delete(`${base}/${a.id}`),
    ];
    for (const res of attempts) {
      expect(res.status).toBe(409);
      expect(res.body.error.message).toMatch(/frozen/);
    }
    expect(await order(base)).toEqual([
      [a.id, 1],
      [b.id, 2],
    ]);
    expect((await t.client().get(base)).body.items[0].name).toBe(a.name);
  });

  it('RT3 only tournament staff may change teams: 401 anonymous, 403 member, tournament staff allowed', async () => {
    const { id, users, base } = await tournamentWithPool(3);
    const team = await createTeam(base, users[0]!.userId);
    const anon = t.client();
    const member = await t.login(`teammember${seq}`);
    for (const c of [anon, member]) {
      const expected = c === anon ? 401 : 403;
      const results = [
        await c.post(base, { captainUserId: users[1]!.userId }),
        await c.patch(`${base}/${team.id}`, { name: 'Nope' }),
        await c.put(`${base}/order`, { teamIds: [team.id] }),
        await c.delete(`${base}/${team.id}`),
      ];
      expect(results.map((r) => r.status)).toEqual([expected, expected, expected, expected]);
    }
    // Unknown tournament: 404 before any permission check.
    expect((await member.post('/api/tournaments/999999/teams', { captainUserId: users[1]!.userId })).status).toBe(404);
    expect((await staff.get('/api/tournaments/999999/teams')).status).toBe(404);
    // CSRF is required even for staff.
    expect((await staff.post(base, { captainUserId: users[1]!.userId }, { csrf: false })).status).toBe(403);

    const helper = await t.login(`tstaff${seq}`, 'member');
    expect((await staff.post(`/api/tournaments/${id}/staff`, { userId: helper.userId })).status).toBe(201);
    const made = await helper.post(base, { captainUserId: users[1]!.userId });
    expect(made.status).toBe(201);
    expect((await t.client().get(base)).body.items.map((x: Team) => x.name)).toEqual([team.name, made.body.name]);
  });

  it('RT2 bad input is 400 with issues', async () => {
    const { users, base } = await tournamentWithPool(1);
    const bodies: unknown[] = [
      {},
      { captainUserId: 0 },
      { captainUserId: 'x' },
      { captainUserId: 1, name: '' },
      { captainUserId: 1, name: 'x'.repeat(61) },
      { captainUserId: 1, extra: 1 },
    ];
    for (const body of bodies) {
      const res = await staff.post(base, body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.error.code).toBe('invalid_payload');
    }
    const team = await createTeam(base, users[0]!.userId);
    expect((await staff.patch(`${base}/${team.id}`, { name: '   ' })).status).toBe(400);
    expect((await staff.patch(`${base}/abc`, { name: 'x' })).status).toBe(400);
    expect((await staff.post('/api/tournaments/abc/teams', { captainUserId: 1 })).status).toBe(400);
    expect((await t.client().get(base)).body.items).toHaveLength(1);
  });

  it('RT4 two concurrent creates for the same captain: exactly one 201 and one 409', async () => {
    const { users, base } = await tournamentWithPool(1);
    const results = await Promise.all([
      staff.post(base, { captainUserId: users[0]!.userId }),
      staff.post(base, { captainUserId: users[0]!.userId, name: 'Other name' }),
    ]);
    expect(results.map((r) => r.status).sort()).toEqual([201, 409]);
    expect(results.find((r) => r.status === 409)!.body.error.code).toBe('conflict');
    expect((await t.client().get(base)).body.items).toHaveLength(1);
  });

  it('RT4 concurrent creates for different captains get distinct, compact draft orders', async () => {
    const { users, base } = await tournamentWithPool(4);
    const results = await Promise.all(users.map((u) => staff.post(base, { captainUserId: u.userId })));
    expect(results.map((r) => r.status)).toEqual([201, 201, 201, 201]);
    expect(results.map((r) => r.body.draftOrder).sort()).toEqual([1, 2, 3, 4]);
  });

  it("RT8 cached team reads follow team changes and captains' profile changes", async () => {
    const { id, users, base } = await tournamentWithPool(2);
    const c = t.client();
    expect((await c.get(base)).body.items).toEqual([]);
    await c.get(`/api/tournaments/${id}`);
    const team = await createTeam(base, users[0]!.userId);
    expect((await c.get(base)).body.items.map((x: Team) => x.id)).toEqual([team.id]);
    expect((await c.get(`/api/tournaments/${id}`)).body.teams).toHaveLength(1);
    await staff.patch(`${base}/${team.id}`, { name: 'Cache Check' });
    expect((await c.get(base)).body.items[0].name).toBe('Cache Check');
    expect((await c.get(`/api/tournaments/${id}`)).body.teams[0].name).toBe('Cache Check');
    // The captain edits their profile: the team list embeds it.
    expect((await users[0]!.patch('/api/me', { mmr: 7777 })).status).toBe(200);
    expect((await c.get(base)).body.items[0].captain.mmr).toBe(7777);
    await staff.delete(`${base}/${team.id}`);
    expect((await c.get(base)).body.items).toEqual([]);
  });
});
