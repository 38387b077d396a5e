import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DATABASES } from '../support/databases';
import { startHub, type TestHub } from '../support/hub';
import type { HttpClient } from '../support/http';
import { draftIntoTeam } from '../draft/fixtures';

type Client = HttpClient & { userId: number };

describe.each(DATABASES)('player pool over REST [%s]', (db) => {
  let t: TestHub;
  let staff: Client;
  let member: Client;
  let helper: Client; // tournament staff (not site staff) of each tournament made here
  let players: Client[];

  beforeAll(async () => {
    t = await startHub({ db });
    staff = await t.login('sam', 'staff');
    member = await t.login('mia');
    helper = await t.login('hal');
    players = [];
    for (const name of ['p1', 'p2', 'p3', 'p4']) players.push(await t.login(name));
  });
  afterAll(() => t?.close());

  const knex = () => t.hub.services.db;
  async function tournament(): Promise<string> {
    const res = await staff.post('/api/tournaments', { name: 'Pool Cup', startsAt: '2026-12-05T18:00:00Z' });
    expect(res.status).toBe(201);
    expect((await staff.post(`/api/tournaments/${res.body.id}/staff`, { userId: helper.userId })).status).toBe(201);
    return `/api/tournaments/${res.body.id}`;
  }
  const pool = async (base: string) =>
    ((await t.client().get(`${base}/players`)).body.items as { user: { id: number }; mmr: number }[]).map((p) => [p.user.id, p.mmr]);
  const events = async (base: string) =>
    (
      await knex()('events')
        .where({ room: `tournament:${base.split('/').pop()}` })
        .orderBy('seq')
        .select('type')
    ).map((e) => e.type as string);
  const setState = async (base: string, ...states: string[]) => {
    for (const state of states) expect((await staff.patch(base, { state })).status, state).toBe(200);
  };

  describe('add', () => {
    it('tournament staff add players; the list is public, highest MMR first; each add is an event', async () => {
      const base = await tournament();
      const res = await helper.post(`${base}/players`, { userId: players[0]!.userId, mmr: 3000 });
      expect(res.status).toBe(201);
      expect(res.body).toMatchObject({ mmr: 3000, user: { id: players[0]!.userId, username: 'p1' } });
      expect(res.body.user).not.toHaveProperty('role');
      expect((await staff.post(`${base}/players`, { userId: players[1]!.userId, mmr: 5000 })).status).toBe(201);
      expect(await pool(base)).toEqual([
        [players[1]!.userId, 5000],
        [players[0]!.userId, 3000],
      ]);
      expect((await events(base)).filter((e) => e.startsWith('pool.'))).toEqual(['pool.added', 'pool.added']);
      const detail = await t.client().get(base);
      expect(detail.body.players).toHaveLength(2);
    });

    it("the MMR defaults to the player's profile MMR; without one it is required (400 at body.mmr)", async () => {
      const base = await tournament();
      expect((await players[2]!.patch('/api/me', { mmr: 4321 })).status).toBe(200);
      const res = await staff.post(`${base}/players`, { userId: players[2]!.userId });
      expect(res.status).toBe(201);
      expect(res.body.mmr).toBe(4321);

      const none = await staff.post(`${base}/players`, { userId: players[3]!.userId });
      expect(none.status).toBe(400);
      expect(none.body.error.code).toBe('invalid_payload');
      expect(none.body.error.issues).toEqual([expect.objectContaining({ path: ['body', 'mmr'] })]);
      expect(await pool(base)).toEqual([[players[2]!.userId, 4321]]);
    });

    it('404 unknown user or tournament, 409 already in the pool; the pool is unchanged', async () => {
      const base = await tournament();
      expect((await staff.post(`${base}/players`, { userId: players[0]!.userId, mmr: 1000 })).status).toBe(201);
      const unknown = await staff.post(`${base}/players`, { userId: 999999, mmr: 1000 });
      expect(unknown.status).toBe(404);
      expect(unknown.body.error.code).toBe('not_found');
      expect((await staff.post('/api/tournaments/999999/players', { userId: players[0]!.userId, mmr: 1000 })).status).toBe(404);
      const again = await staff.post(`${base}/players`, { userId: players[0]!.userId, mmr: 9000 });
      expect(again.status).toBe(409);
      expect(again.body.error.message).toContain('already in the pool');
      expect(await pool(base)).toEqual([[players[0]!.userId, 1000]]);
    });

    it('RT2 bad bodies answer 400 with the issues', async () => {
      const base = await tournament();
      for (const [body, field] of [
        [{ userId: players[0]!.userId, mmr: -1 }, 'mmr'],
        [{ userId: players[0]!.userId, mmr: 20001 }, 'mmr'],
        [{ userId: players[0]!.userId, mmr: 2500.5 }, 'mmr'],
        [{ userId: 'p1', mmr: 1000 }, 'userId'],
        [{ mmr: 1000 }, 'userId'],
      ] as const) {
        const res = await staff.post(`${base}/players`, body);
        expect(res.status, JSON.stringify(body)).toBe(400);
        expect(res.body.error.issues.map((i: { path: unknown[] }) => i.path)).toContainEqual(['body', field]);
      }
      expect((await staff.post(`${base}/players`, { userId: players[0]!.userId, mmr: 1, team: 2 })).status).toBe(400);
      expect(await pool(base)).toEqual([]);
    });

    it('RT3 401 anonymous, 403 a member who is not staff of the tournament', async () => {
      const base = await tournament();
      expect((await t.client().post(`${base}/players`, { userId: member.userId, mmr: 1000 })).status).toBe(401);
      const res = await member.post(`${base}/players`, { userId: member.userId, mmr: 1000 });
      expect(res.status).toBe(403);
      expect(res.body.error.code).toBe('forbidden');
      expect(await pool(base)).toEqual([]);
    });

    it('RT4 two concurrent adds of the same player: one 201 and one 409', async () => {
      const base = await tournament();
      const results = await Promise.all([
        staff.post(`${base}/players`, { userId: players[0]!.userId, mmr: 1000 }),
        helper.post(`${base}/players`, { userId: players[0]!.userId, mmr: 2000 }),
      ]);
      expect(results.map((r) => r.status).sort()).toEqual([201, 409]);
      expect(await pool(base)).toHaveLength(1);
      expect((await events(base)).filter((e) => e === 'pool.added')).toHaveLength(1);
    });
  });

  describe('update and remove', () => {
    it('staff set the tournament MMR and remove players; each is an event', async () => {
      const base = await tournament();
      const [a, b] = [players[0]!.userId, players[1]!.userId];
      await staff.post(`${base}/players`, { userId: a, mmr: 1000 });
      await staff.post(`${base}/players`, { userId: b, mmr: 2000 });
      const res = await helper.patch(`${base}/players/${a}`, { mmr: 2500 });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ mmr: 2500, user: { id: a } });
      expect((await helper.delete(`${base}/players/${b}`)).status).toBe(204);
      expect(await pool(base)).toEqual([[a, 2500]]);
      expect((await events(base)).filter((e) => e.startsWith('pool.'))).toEqual(['pool.added', 'pool.added', 'pool.updated', 'pool.removed']);
    });

    it('404 for a player not in the pool or an unknown tournament; 400 for a bad MMR or id', async () => {
      const base = await tournament();
      await staff.post(`${base}/players`, { userId: players[0]!.userId, mmr: 1000 });
      expect((await staff.patch(`${base}/players/${players[1]!.userId}`, { mmr: 10 })).status).toBe(404);
      expect((await staff.delete(`${base}/players/${players[1]!.userId}`)).status).toBe(404);
      expect((await staff.patch(`/api/tournaments/999999/players/${players[0]!.userId}`, { mmr: 10 })).status).toBe(404);
      expect((await staff.delete(`/api/tournaments/999999/players/${players[0]!.userId}`)).status).toBe(404);
      const bad = await staff.patch(`${base}/players/${players[0]!.userId}`, { mmr: 'high' });
      expect(bad.status).toBe(400);
      expect(bad.body.error.issues[0].path).toEqual(['body', 'mmr']);
      expect((await staff.patch(`${base}/players/${players[0]!.userId}`, {})).status).toBe(400);
      expect((await staff.delete(`${base}/players/abc`)).status).toBe(400);
      expect(await pool(base)).toEqual([[players[0]!.userId, 1000]]);
    });

    it('RT3 401 anonymous and 403 member for update and remove; nothing changes', async () => {
      const base = await tournament();
      const a = players[0]!.userId;
      await staff.post(`${base}/players`, { userId: a, mmr: 1000 });
      expect((await t.client().patch(`${base}/players/${a}`, { mmr: 1 })).status).toBe(401);
      expect((await t.client().delete(`${base}/players/${a}`)).status).toBe(401);
      expect((await member.patch(`${base}/players/${a}`, { mmr: 1 })).status).toBe(403);
      expect((await member.delete(`${base}/players/${a}`)).status).toBe(403);
      expect(await pool(base)).toEqual([[a, 1000]]);
    });

    it('a captain or a drafted team member cannot be removed (409); the pool is unchanged', async () => {
      const base = await tournament();
      const id = Number(base.split('/').pop());
      const [captain, drafted, otherCaptain] = [players[0]!.userId, players[1]!.userId, players[2]!.userId];
      await staff.post(`${base}/players`, { userId: captain, mmr: 4000 });
      await staff.post(`${base}/players`, { userId: drafted, mmr: 3000 });
      await staff.post(`${base}/players`, { userId: otherCaptain, mmr: 2000 });
      await draftIntoTeam(staff, id, { captain, drafted, otherCaptain, name: 'Team P1' });
      await setState(base, 'registration'); // back one step: the pool may change again, the teams stay drafted
      const res = await staff.delete(`${base}/players/${captain}`);
      expect(res.status).toBe(409);
      expect(res.body.error.message).toContain('captain of Team P1');
      const member409 = await staff.delete(`${base}/players/${drafted}`);
      expect(member409.status).toBe(409);
      expect(member409.body.error.message).toContain('drafted');
      expect(await pool(base)).toHaveLength(3);
    });
  });

  it('the pool only changes in draft or registration: 409 afterwards, and nothing changes', async () => {
    const base = await tournament();
    const a = players[0]!.userId;
    await staff.post(`${base}/players`, { userId: a, mmr: 1000 });
    await setState(base, 'registration');
    expect((await staff.post(`${base}/players`, { userId: players[1]!.userId, mmr: 1000 })).status).toBe(201);
    expect((await staff.delete(`${base}/players/${players[1]!.userId}`)).status).toBe(204);
    await setState(base, 'drafting');
    const before = await pool(base);
    const attempts = [
      staff.post(`${base}/players`, { userId: players[2]!.userId, mmr: 1000 }),
      staff.patch(`${base}/players/${a}`, { mmr: 2000 }),
      staff.delete(`${base}/players/${a}`),
      staff.post(`${base}/players/import`, { csv: 'discord_id,username,mmr\n123456789012345678,x,1000\n' }),
    ];
    for (const res of await Promise.all(attempts)) {
      expect(res.status).toBe(409);
      expect(res.body.error.message).toContain("'drafting'");
    }
    expect(await pool(base)).toEqual(before);
  });

  it('listing the pool of an unknown tournament answers 404', async () => {
    const res = await t.client().get('/api/tournaments/999999/players');
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('not_found');
  });

  it('RT8 the cached pool list reflects a change made right before', async () => {
    const base = await tournament();
    expect(await pool(base)).toEqual([]);
    await staff.post(`${base}/players`, { userId: players[0]!.userId, mmr: 1234 });
    expect(await pool(base)).toEqual([[players[0]!.userId, 1234]]);
    await staff.patch(`${base}/players/${players[0]!.userId}`, { mmr: 4321 });
    expect(await pool(base)).toEqual([[players[0]!.userId, 4321]]);
  });
});
