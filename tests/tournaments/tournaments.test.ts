import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DATABASES } from '../support/databases';
import { startHub, type TestHub } from '../support/hub';
import type { HttpClient } from '../support/http';
import { draftIntoTeam } from '../draft/fixtures';

type Client = HttpClient & { userId: number };

describe.each(DATABASES)('tournaments over REST [%s]', (db) => {
  let t: TestHub;
  let staff: Client; // site staff
  let admin: Client;
  let member: Client;
  let helper: Client; // a member who becomes staff of one tournament

  beforeAll(async () => {
    t = await startHub({ db });
    staff = await t.login('sam', 'staff');
    admin = await t.login('ada', 'admin');
    member = await t.login('mia');
    helper = await t.login('hal');
  });
  afterAll(() => t?.close());

  const knex = () => t.hub.services.db;
  const input = (over: Record<string, unknown> = {}) => ({ name: 'Winter Cup', startsAt: '2026-12-05T19:00:00+01:00', timeZone: 'Europe/Berlin', ...over });
  async function create(over: Record<string, unknown> = {}, by: Client = staff) {
    const res = await by.post('/api/tournaments', input(over));
    expect(res.status, res.text).toBe(201);
    return res.body as { id: number; [k: string]: unknown };
  }
  async function league(name: string): Promise<number> {
    const res = await staff.post('/api/leagues', { name });
    expect(res.status, res.text).toBe(201);
    return res.body.id as number;
  }
  const events = (id: number) =>
    knex()('events')
      .where({ room: `tournament:${id}` })
      .orderBy('seq')
      .select('seq', 'type', 'payload');
  const count = async () => (await t.client().get('/api/tournaments?limit=200')).body.total as number;

  describe('create', () => {
    it('site staff create a tournament: start stored as UTC, zone kept, creator made staff', async () => {
      const res = await staff.post('/api/tournaments', input());
      expect(res.status).toBe(201);
      expect(res.body).toMatchObject({
        name: 'Winter Cup',
        description: '',
        startsAt: '2026-12-05T18:00:00.000Z',
        timeZone: 'Europe/Berlin',
        state: 'draft',
        teamSize: 5,
        leagueId: null,
      });
      const detail = await t.client().get(`/api/tournaments/${res.body.id}`);
      expect(detail.body.staff.map((u: { id: number }) => u.id)).toEqual([staff.userId]);
      const log = await events(res.body.id);
      expect(log.map((e) => [e.seq, e.type])).toEqual([[1, 'tournament.created']]);
    });

    it('admins may create too, with a league, a description and a team size', async () => {
      const leagueId = await league('DTX League');
      const res = await admin.post(
        '/api/tournaments',
        input({ description: '  Open to all  ', teamSize: 3, leagueId, startsAt: '2027-01-10T12:00:00Z', timeZone: 'UTC' }),
      );
      expect(res.status, res.text).toBe(201);
      expect(res.body).toMatchObject({ description: 'Open to all', teamSize: 3, leagueId, startsAt: '2027-01-10T12:00:00.000Z' });
      const detail = await t.client().get(`/api/tournaments/${res.body.id}`);
      expect(detail.body.league).toEqual({ id: leagueId, name: 'DTX League', steamLeagueId: null });
    });

    it('RT3 anonymous callers get 401 and members 403; nothing is created', async () => {
      const before = await count();
      const anon = await t.client().post('/api/tournaments', input());
      expect(anon.status).toBe(401);
      expect(anon.body.error.code).toBe('unauthenticated');
      const res = await member.post('/api/tournaments', input());
      expect(res.status).toBe(403);
      expect(res.body.error.code).toBe('forbidden');
      expect(await count()).toBe(before);
    });

    it('AU6 a create without the CSRF token is refused', async () => {
      const res = await staff.post('/api/tournaments', input(), { csrf: false });
      expect(res.status).toBe(403);
      expect(res.body.error.code).toBe('csrf_invalid');
    });

    it('RT2 bad input answers 400 with the issues and creates nothing', async () => {
      const before = await count();
      const cases: [Record<string, unknown>, string][] = [
        [{ name: '' }, 'name'],
        [{ startsAt: '2026-12-05T19:00:00' }, 'startsAt'], // no offset: ambiguous
        [{ startsAt: 'next friday' }, 'startsAt'],
        [{ timeZone: 'Mars/Olympus' }, 'timeZone'],
        [{ teamSize: 0 }, 'teamSize'],
        [{ teamSize: 11 }, 'teamSize'],
        [{ leagueId: -1 }, 'leagueId'],
        [{ state: 'playing' }, ''], // not settable on create
      ];
      for (const [over, field] of cases) {
        const res = await staff.post('/api/tournaments', input(over));
        expect(res.status, JSON.stringify(over)).toBe(400);
        expect(res.body.error.code).toBe('invalid_payload');
        if (field) expect(res.body.error.issues.map((i: { path: unknown[] }) => i.path)).toContainEqual(['body', field]);
      }
      const missing = await staff.post('/api/tournaments', { name: 'x' });
      expect(missing.status).toBe(400);
      expect(missing.body.error.issues.map((i: { path: unknown[] }) => i.path)).toContainEqual(['body', 'startsAt']);
      expect(await count()).toBe(before);
    });

    it('an unknown league answers 404 and creates nothing', async () => {
      const before = await count();
      const res = await staff.post('/api/tournaments', input({ leagueId: 99999 }));
      expect(res.status).toBe(404);
      expect(res.body.error.code).toBe('not_found');
      expect(await count()).toBe(before);
    });
  });

  describe('list and detail', () => {
    it('lists soonest first with player and team counts, filters by state and pages', async () => {
      const fresh = await startHub({ db });
      try {
        const s = await fresh.login('sue', 'staff');
        const p = await fresh.login('pat');
        const mk = async (name: string, startsAt: string) => (await s.post('/api/tournaments', { name, startsAt })).body.id as number;
        const late = await mk('Late', '2027-03-01T10:00:00Z');
        const early = await mk('Early', '2027-01-01T10:00:00Z');
        const mid = await mk('Mid', '2027-02-01T10:00:00+05:00');
        expect((await s.post(`/api/tournaments/${mid}/players`, { userId: p.userId, mmr: 4000 })).status).toBe(201);
        expect((await s.post(`/api/tournaments/${mid}/players`, { userId: s.userId, mmr: 5000 })).status).toBe(201);
        expect((await s.post(`/api/tournaments/${mid}/teams`, { captainUserId: s.userId, name: 'Sue' })).status).toBe(201);
        expect((await s.patch(`/api/tournaments/${late}`, { state: 'registration' })).status).toBe(200);

        const all = await fresh.client().get('/api/tournaments');
        expect(all.status).toBe(200);
        expect(all.body.total).toBe(3);
        expect(all.body.items.map((x: { name: string }) => x.name)).toEqual(['Early', 'Mid', 'Late']);
        expect(all.body.items[1]).toMatchObject({ id: mid, playerCount: 2, teamCount: 1 });
        expect(all.body.items[0]).toMatchObject({ id: early, playerCount: 0, teamCount: 0 });

        const reg = await fresh.client().get('/api/tournaments?state=registration');
        expect(reg.body).toMatchObject({ total: 1, items: [{ id: late, state: 'registration' }] });
        const page = await fresh.client().get('/api/tournaments?limit=1&offset=1');
        expect(page.body.total).toBe(3);
        expect(page.body.items.map((x: { id: number }) => x.id)).toEqual([mid]);

        for (const q of ['state=open', 'limit=0', 'limit=500', 'offset=-1']) {
          const bad = await fresh.client().get(`/api/tournaments?${q}`);
          expect(bad.status, q).toBe(400);
          expect(bad.body.error.code).toBe('invalid_payload');
        }
      } finally {
        await fresh.close();
      }
    });

    it('anyone may read a tournament: staff, pool, teams and the room seq; no private fields', async () => {
      const tour = await create();
      expect((await staff.post(`/api/tournaments/${tour.id}/players`, { userId: member.userId, mmr: 3100 })).status).toBe(201);
      const res = await t.client().get(`/api/tournaments/${tour.id}`);
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ id: tour.id, league: null, teams: [], seq: 2 });
      expect(res.body.players).toEqual([expect.objectContaining({ mmr: 3100, user: expect.objectContaining({ id: member.userId }) })]);
      // AU5: public views carry no role, guild data or timestamps of the account
      for (const u of [...res.body.staff, ...res.body.players.map((p: { user: unknown }) => p.user)]) {
        expect(u).not.toHaveProperty('role');
        expect(u).not.toHaveProperty('guildRoleIds');
      }
    });

    it('RT8 a read after a change reflects it (the cached detail is invalidated)', async () => {
      const tour = await create();
      const first = await t.client().get(`/api/tournaments/${tour.id}`);
      expect(first.body.seq).toBe(1);
      await t.client().get(`/api/tournaments/${tour.id}`); // now cached
      expect((await staff.patch(`/api/tournaments/${tour.id}`, { name: 'Renamed' })).status).toBe(200);
      const after = await t.client().get(`/api/tournaments/${tour.id}`);
      expect(after.body).toMatchObject({ name: 'Renamed', seq: 2 });
    });

    it('unknown ids answer 404, malformed ids 400', async () => {
      const res = await t.client().get('/api/tournaments/999999');
      expect(res.status).toBe(404);
      expect(res.body.error.code).toBe('not_found');
      for (const id of ['abc', '0', '-3', '1.5']) {
        const bad = await t.client().get(`/api/tournaments/${id}`);
        expect(bad.status, id).toBe(400);
        expect(bad.body.error.issues[0].path).toEqual(['params', 'tournamentId']);
      }
    });
  });

  describe('update', () => {
    it('tournament staff edit the details; each change is an event', async () => {
      const tour = await create();
      const leagueId = await league('Edit League');
      const res = await staff.patch(`/api/tournaments/${tour.id}`, {
        name: 'Spring Cup',
        description: 'Bring snacks',
        startsAt: '2027-04-01T20:00:00-04:00',
        timeZone: 'America/New_York',
        teamSize: 4,
        leagueId,
      });
      expect(res.status, res.text).toBe(200);
      expect(res.body).toMatchObject({
        name: 'Spring Cup',
        description: 'Bring snacks',
        startsAt: '2027-04-02T00:00:00.000Z',
        timeZone: 'America/New_York',
        teamSize: 4,
        leagueId,
      });
      const log = await events(tour.id);
      expect(log.at(-1)).toMatchObject({ type: 'tournament.updated' });
      const detail = await t.client().get(`/api/tournaments/${tour.id}`);
      expect(detail.body.league.name).toBe('Edit League');
      // unlinking the league
      expect((await staff.patch(`/api/tournaments/${tour.id}`, { leagueId: null })).body.leagueId).toBeNull();
    });

    it('sending unchanged values changes nothing and appends no event', async () => {
      const tour = await create();
      const before = await events(tour.id);
      const res = await staff.patch(`/api/tournaments/${tour.id}`, { name: tour.name, state: 'draft', startsAt: '2026-12-05T18:00:00Z', teamSize: 5 });
      expect(res.status).toBe(200);
      expect(await events(tour.id)).toHaveLength(before.length);
    });

    it('the state moves one step forward or back; a jump answers 409 and changes nothing', async () => {
      const tour = await create();
      const path = `/api/tournaments/${tour.id}`;
      const jump = await staff.patch(path, { state: 'playing' });
      expect(jump.status).toBe(409);
      expect(jump.body.error.code).toBe('conflict');
      expect(jump.body.error.message).toContain("'draft'");
      expect((await t.client().get(path)).body.state).toBe('draft');

      for (const state of ['registration', 'drafting', 'playing', 'finished', 'playing'] as const) {
        const res = await staff.patch(path, { state });
        expect(res.status, state).toBe(200);
        expect(res.body.state).toBe(state);
      }
      expect((await staff.patch(path, { state: 'registration' })).status).toBe(409);
      const log = await events(tour.id);
      expect(
        log
          .filter((e) => e.type === 'tournament.stateChanged')
          .map((e) => {
            const p = typeof e.payload === 'string' ? JSON.parse(e.payload) : e.payload;
            return `${p.from}>${p.to}`;
          }),
      ).toEqual(['draft>registration', 'registration>drafting', 'drafting>playing', 'playing>finished', 'finished>playing']);
    });

    it('the team size is fixed once drafting starts (409), a refused patch changes no other field', async () => {
      const tour = await create();
      const path = `/api/tournaments/${tour.id}`;
      expect((await staff.patch(path, { state: 'registration', teamSize: 6 })).body).toMatchObject({ state: 'registration', teamSize: 6 });
      expect((await staff.patch(path, { state: 'drafting' })).status).toBe(200);
      const res = await staff.patch(path, { teamSize: 5, name: 'Should not stick' });
      expect(res.status).toBe(409);
      expect(res.body.error.message).toContain('team size');
      expect((await t.client().get(path)).body).toMatchObject({ teamSize: 6, name: 'Winter Cup' });
      expect((await staff.patch(path, { teamSize: 6 })).status).toBe(200);
    });

    it('RT3 401 anonymous, 403 for a member who is not staff of it, 404 unknown tournament or league', async () => {
      const tour = await create();
      const path = `/api/tournaments/${tour.id}`;
      expect((await t.client().patch(path, { name: 'x' })).status).toBe(401);
      const res = await member.patch(path, { name: 'x' });
      expect(res.status).toBe(403);
      expect(res.body.error.code).toBe('forbidden');
      expect((await member.patch('/api/tournaments/999999', { name: 'x' })).status).toBe(404);
      expect((await staff.patch(path, { leagueId: 99999 })).status).toBe(404);
      expect((await t.client().get(path)).body).toMatchObject({ name: 'Winter Cup', leagueId: null });
    });

    it('RT2 bad patches answer 400 with the issues', async () => {
      const tour = await create();
      const path = `/api/tournaments/${tour.id}`;
      for (const [body, field] of [
        [{ name: '   ' }, 'name'],
        [{ state: 'paused' }, 'state'],
        [{ timeZone: 'Nowhere' }, 'timeZone'],
        [{ startsAt: '2027-01-01' }, 'startsAt'],
        [{ teamSize: 'five' }, 'teamSize'],
      ] as const) {
        const res = await staff.patch(path, body);
        expect(res.status, JSON.stringify(body)).toBe(400);
        expect(res.body.error.issues.map((i: { path: unknown[] }) => i.path)).toContainEqual(['body', field]);
      }
      const unknown = await staff.patch(path, { colour: 'red' });
      expect(unknown.status).toBe(400);
    });
  });

  describe('staff', () => {
    it('tournament staff add and remove staff; an added member may then edit, a removed one not', async () => {
      const tour = await create();
      const base = `/api/tournaments/${tour.id}`;
      expect((await helper.patch(base, { name: 'Mine' })).status).toBe(403);

      const add = await staff.post(`${base}/staff`, { userId: helper.userId });
      expect(add.status).toBe(201);
      expect(add.body.items.map((u: { id: number }) => u.id)).toEqual([staff.userId, helper.userId]);
      expect((await helper.patch(base, { name: 'Mine' })).status).toBe(200);
      // tournament staff may add staff themselves, but not delete the tournament (site staff only)
      expect((await helper.post(`${base}/staff`, { userId: member.userId })).status).toBe(201);
      expect((await helper.delete(base)).status).toBe(403);

      expect((await helper.delete(`${base}/staff/${member.userId}`)).status).toBe(204);
      expect((await staff.delete(`${base}/staff/${helper.userId}`)).status).toBe(204);
      expect((await helper.patch(base, { name: 'Not mine' })).status).toBe(403);
      const detail = await t.client().get(base);
      expect(detail.body.staff.map((u: { id: number }) => u.id)).toEqual([staff.userId]);
      const types = (await events(tour.id)).map((e) => e.type);
      expect(types.filter((x) => x.startsWith('staff.'))).toEqual(['staff.added', 'staff.added', 'staff.removed', 'staff.removed']);
    });

    it('404 unknown user or tournament, 409 already staff, 404 removing a non-staff user', async () => {
      const tour = await create();
      const base = `/api/tournaments/${tour.id}`;
      expect((await staff.post(`${base}/staff`, { userId: 999999 })).status).toBe(404);
      expect((await staff.post('/api/tournaments/999999/staff', { userId: member.userId })).status).toBe(404);
      const again = await staff.post(`${base}/staff`, { userId: staff.userId });
      expect(again.status).toBe(409);
      expect(again.body.error.message).toContain('already staff');
      const notStaff = await staff.delete(`${base}/staff/${member.userId}`);
      expect(notStaff.status).toBe(404);
      expect((await staff.delete(`/api/tournaments/999999/staff/${member.userId}`)).status).toBe(404);
      expect((await staff.post(`${base}/staff`, { userId: 'me' })).status).toBe(400);
      expect((await staff.post(`${base}/staff`, {})).status).toBe(400);
    });

    it('RT3 a member who is not staff of it cannot add or remove staff; anonymous gets 401', async () => {
      const tour = await create();
      const base = `/api/tournaments/${tour.id}`;
      expect((await member.post(`${base}/staff`, { userId: member.userId })).status).toBe(403);
      expect((await member.delete(`${base}/staff/${staff.userId}`)).status).toBe(403);
      expect((await t.client().post(`${base}/staff`, { userId: member.userId })).status).toBe(401);
      expect((await t.client().get(base)).body.staff).toHaveLength(1);
    });

    it('RT4 two concurrent adds of the same staff member: one 201, one 409', async () => {
      const tour = await create();
      const results = await Promise.all([
        staff.post(`/api/tournaments/${tour.id}/staff`, { userId: helper.userId }),
        admin.post(`/api/tournaments/${tour.id}/staff`, { userId: helper.userId }),
      ]);
      expect(results.map((r) => r.status).sort()).toEqual([201, 409]);
    });
  });

  describe('delete', () => {
    it('site staff delete a tournament with its pool, teams and staff; the log ends with tournament.deleted', async () => {
      const tour = await create();
      const base = `/api/tournaments/${tour.id}`;
      expect((await staff.post(`${base}/players`, { userId: member.userId, mmr: 3000 })).status).toBe(201);
      expect((await staff.post(`${base}/players`, { userId: helper.userId, mmr: 2000 })).status).toBe(201);
      expect((await staff.post(`${base}/players`, { userId: admin.userId, mmr: 1000 })).status).toBe(201);
      await draftIntoTeam(staff, tour.id, { captain: member.userId, drafted: helper.userId, otherCaptain: admin.userId, name: 'Mia' });
      expect(await knex()('team_members').where({ tournamentId: tour.id })).toHaveLength(3);
      const res = await admin.delete(base);
      expect(res.status).toBe(204);
      expect((await t.client().get(base)).status).toBe(404);
      for (const table of ['pool_players', 'teams', 'team_members', 'tournament_staff']) {
        expect(await knex()(table).where({ tournamentId: tour.id }), table).toEqual([]);
      }
      expect((await events(tour.id)).at(-1)).toMatchObject({ type: 'tournament.deleted' });
      expect((await admin.delete(base)).status).toBe(404);
    });

    it('a tournament that is playing or finished cannot be deleted (409)', async () => {
      const tour = await create();
      const base = `/api/tournaments/${tour.id}`;
      for (const state of ['registration', 'drafting', 'playing']) expect((await staff.patch(base, { state })).status).toBe(200);
      const playing = await staff.delete(base);
      expect(playing.status).toBe(409);
      expect(playing.body.error.message).toContain('playing');
      expect((await staff.patch(base, { state: 'finished' })).status).toBe(200);
      expect((await admin.delete(base)).status).toBe(409);
      expect((await t.client().get(base)).status).toBe(200);
    });

    it('RT3 401 anonymous, 403 member, 404 unknown', async () => {
      const tour = await create();
      const base = `/api/tournaments/${tour.id}`;
      expect((await t.client().delete(base)).status).toBe(401);
      expect((await member.delete(base)).status).toBe(403);
      expect((await member.delete('/api/tournaments/999999')).status).toBe(404);
      expect((await t.client().get(base)).status).toBe(200);
    });
  });

  it('RT5 the tournament room events carry consecutive seq numbers after a series of changes', async () => {
    const tour = await create();
    const base = `/api/tournaments/${tour.id}`;
    await staff.patch(base, { name: 'One' });
    await staff.post(`${base}/staff`, { userId: helper.userId });
    await staff.patch(base, { state: 'registration' });
    await staff.patch(base, { state: 'playing' }); // refused: appends nothing
    await staff.post(`${base}/players`, { userId: member.userId, mmr: 2500 });
    // Three changes by two people at once: each must get its own seq. (Removing the helper in
    // the same race would make their change depend on the order, so that comes after.)
    const racing = await Promise.all([
      staff.patch(`${base}/players/${member.userId}`, { mmr: 2600 }),
      helper.patch(base, { description: 'racing' }),
      staff.patch(base, { name: 'Two' }),
    ]);
    expect(racing.map((r) => r.status)).toEqual([200, 200, 200]);
    expect((await staff.delete(`${base}/staff/${helper.userId}`)).status).toBe(204);
    const log = await events(tour.id);
    expect(log.map((e) => e.seq)).toEqual(log.map((_, i) => i + 1));
    expect(log).toHaveLength(9);
    expect((await t.client().get(base)).body.seq).toBe(9);
    const [room] = await knex()('rooms').where({ name: `tournament:${tour.id}` });
    expect(Number(room.seq)).toBe(9);
  });
});
