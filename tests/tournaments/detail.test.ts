import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sqliteConnectionOf } from '../../server/db/knex';
import { readDetailOnSqlite, readTournamentDetail } from '../../server/tournaments/detail.read';
import { getTournamentDetail } from '../../server/tournaments/tournaments.service';
import { startHub, type TestHub } from '../support/hub';
import type { HttpClient } from '../support/http';
import { draftIntoTeam } from '../draft/fixtures';

type Client = HttpClient & { userId: number };

/**
 * The tournament page's read on SQLite (server/tournaments/detail.read.ts) runs plain statements
 * instead of the knex and Objection reads of getTournamentDetail: both must give the same
 * answer, field for field, whatever the tournament holds.
 */
describe('the tournament detail read on SQLite [sqlite]', () => {
  let t: TestHub;
  let staff: Client;
  let helper: Client;
  let n = 0;

  beforeAll(async () => {
    t = await startHub({ db: 'sqlite' });
    staff = await t.login('sam', 'staff');
    helper = await t.login('hal');
  });
  afterAll(() => t?.close());

  const db = () => t.hub.services.db;
  const fast = (id: number) => readDetailOnSqlite(sqliteConnectionOf(db())!, id);

  async function ok(res: Promise<{ status: number; text: string; body: any }>) {
    const r = await res;
    expect(r.status, r.text).toBeLessThan(300);
    return r.body;
  }

  async function player(id: number, name: string, mmr: number, extra: Record<string, unknown> = {}) {
    const user = await t.login(`${name}${++n}`);
    if (Object.keys(extra).length > 0) await db()('users').where({ id: user.userId }).update(extra);
    await ok(staff.post(`/api/tournaments/${id}/players`, { userId: user.userId, mmr }));
    return user.userId;
  }

  it('gives what the knex read gives: league, staff in order, pool by MMR, teams with their picks, staff placements', async () => {
    const league = await ok(staff.post('/api/leagues', { name: `Detail League ${Date.now()}` }));
    const tour = await ok(
      staff.post('/api/tournaments', { name: 'Detail Cup', startsAt: '2030-05-01T18:00:00Z', leagueId: league.id, description: 'Same answer' }),
    );
    await ok(staff.post(`/api/tournaments/${tour.id}/staff`, { userId: helper.userId }));
    // Users with every optional field set, and JSON positions, next to plain ones; equal MMRs tie on user id.
    const captain = await player(tour.id, 'cap', 4000, {
      avatar: 'a_0123456789abcdef',
      steam_id: '76561198000000001',
      mmr: 5100,
      positions: JSON.stringify({ 1: 3, 2: 0, 3: 1, 4: 0, 5: 2 }),
      guild_nickname: 'Nick',
    });
    const other = await player(tour.id, 'oth', 3000, { avatar: 'plainhash', global_name: 'Global' });
    const drafted = await player(tour.id, 'dra', 3000);
    const teamId = await draftIntoTeam(staff, tour.id, { captain, drafted, otherCaptain: other, name: 'Alpha' });

    const before = await fast(tour.id);
    expect(before).toBeDefined();
    expect(before).toEqual(await getTournamentDetail(db(), tour.id));
    expect(before!.league).toEqual({ id: league.id, name: league.name, steamLeagueId: null });
    expect(before!.staff.map((u) => u.id)).toEqual([staff.userId, helper.userId]);
    expect(before!.teams.find((team) => team.id === teamId)!.members.map((m) => m.user.id)).toEqual([captain, drafted]);
    expect(before!.players[0]!.user.positions).toEqual({ 1: 3, 2: 0, 3: 1, 4: 0, 5: 2 });

    await ok(staff.patch(`/api/tournaments/${tour.id}`, { state: 'playing' }));
    const teams = before!.teams.map((team) => team.id);
    await ok(
      staff.put(`/api/tournaments/${tour.id}/placements`, {
        placements: [
          { teamId: teams[1], place: 1 },
          { teamId: teams[0], place: 2 },
        ],
      }),
    );
    const after = await fast(tour.id);
    expect(after!.placements.source).toBe('staff');
    expect(after!.placements.setBy?.id).toBe(staff.userId);
    expect(after).toEqual(await getTournamentDetail(db(), tour.id));
    expect(after!.seq).toBeGreaterThan(before!.seq);
    // And the route answers it.
    expect((await t.client().get(`/api/tournaments/${tour.id}`)).body).toEqual(after);
  });

  it('an empty tournament, and an unknown one (404, the connection left outside any transaction)', async () => {
    const tour = await ok(staff.post('/api/tournaments', { name: 'Empty Cup', startsAt: '2030-05-01T18:00:00Z' }));
    expect(await fast(tour.id)).toEqual(await getTournamentDetail(db(), tour.id));
    expect(() => fast(999_999)).toThrow(/tournament 999999/);
    expect(sqliteConnectionOf(db())!.inTransaction).toBe(false);
    await expect(readTournamentDetail(db(), 999_999)).rejects.toMatchObject({ code: 'not_found' });
  });

  it('inside a transaction on the connection, it reads through knex within that transaction', async () => {
    const tour = await ok(staff.post('/api/tournaments', { name: 'Tx Cup', startsAt: '2030-05-01T18:00:00Z' }));
    const expected = await getTournamentDetail(db(), tour.id);
    await db()
      .transaction(async (trx) => {
        await trx('tournaments').where({ id: tour.id }).update({ name: 'Renamed in tx' });
        expect(await readTournamentDetail(trx, tour.id)).toEqual({ ...expected, name: 'Renamed in tx' });
        throw new Error('roll back');
      })
      .catch((err: Error) => expect(err.message).toBe('roll back'));
    expect(await readTournamentDetail(db(), tour.id)).toEqual(expected);
  });
});
