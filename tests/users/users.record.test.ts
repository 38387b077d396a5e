import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PlayerRecord } from '../../shared/schemas/player-record';
import { Stage } from '../../shared/schemas/brackets';
import { DATABASES } from '../support/databases';
import type { HttpClient } from '../support/http';
import { startHub, type TestHub } from '../support/hub';

type Client = HttpClient & { userId: number };
type StageT = ReturnType<typeof Stage.parse>;

describe.each(DATABASES)("a player's public record over REST [%s]", (db) => {
  let t: TestHub;
  let staff: Client;
  let player: Client;
  beforeAll(async () => {
    t = await startHub({ db });
    staff = await t.login('recordstaff', 'staff');
    player = await t.login('drafty');
  });
  afterAll(() => t?.close());

  it('UI106 UI107 a drafted player in a finished series: their team, pick number and captain, W/L; a correction shows at once', async () => {
    const created = await staff.post('/api/tournaments', { name: 'Record Cup', startsAt: '2030-05-01T18:00:00Z' });
    expect(created.status, created.text).toBe(201);
    const id = created.body.id as number;
    const captains: Client[] = [];
    const teams: number[] = [];
    for (let i = 0; i < 2; i++) {
      const captain = await t.login(`reccap${i}`);
      captains.push(captain);
      expect((await staff.post(`/api/tournaments/${id}/players`, { userId: captain.userId, mmr: 3000 + i })).status).toBe(201);
      const team = await staff.post(`/api/tournaments/${id}/teams`, { captainUserId: captain.userId, name: `Rec ${i + 1}` });
      expect(team.status, team.text).toBe(201);
      teams.push(team.body.id as number);
    }
    // The player drafted by the second team's captain with the third pick (the draft's own rows; the draft flow has its own tests).
    expect((await staff.post(`/api/tournaments/${id}/players`, { userId: player.userId, mmr: 2500 })).status).toBe(201);
    await t.hub.services.db('team_members').insert({ teamId: teams[1], tournamentId: id, userId: player.userId, pickNumber: 3 });

    const stage = (await staff.post(`/api/tournaments/${id}/stages`, { format: 'single_elimination', bestOf: 3 })).body as StageT;
    const series = stage.matches.find((m) => m.teamA && m.teamB)!;
    const ours = series.teamA!.id === teams[1] ? 'a' : 'b';
    const win = ours === 'a' ? { scoreA: 2, scoreB: 1 } : { scoreA: 1, scoreB: 2 };
    const reported = await staff.post(`/api/tournaments/${id}/series/${series.id}/report`, win);
    expect(reported.status, reported.text).toBe(200);

    const read = await t.client().get(`/api/users/${player.userId}/record`);
    expect(read.status, read.text).toBe(200);
    const record = PlayerRecord.parse(read.body);
    const captainName = (await t.client().get(`/api/users/${captains[1]!.userId}`)).body.displayName as string;
    expect(record.user.id).toBe(player.userId);
    expect(record.user).not.toHaveProperty('role');
    expect(record.teams).toEqual([
      {
        tournament: { id, name: 'Record Cup', state: expect.any(String) },
        team: { id: teams[1], name: 'Rec 2' },
        captain: false,
        drafted: { pickNumber: 3, byCaptain: { id: captains[1]!.userId, displayName: captainName } },
        series: { won: 1, lost: 0 },
      },
    ]);
    expect(record.series).toEqual({ won: 1, lost: 0 });

    // The captain's own record: captain, not drafted, the same series.
    const captainRecord = PlayerRecord.parse((await t.client().get(`/api/users/${captains[1]!.userId}/record`)).body);
    expect(captainRecord.teams.map((x) => [x.captain, x.drafted, x.series])).toEqual([[true, null, { won: 1, lost: 0 }]]);
    const loser = PlayerRecord.parse((await t.client().get(`/api/users/${captains[0]!.userId}/record`)).body);
    expect(loser.series).toEqual({ won: 0, lost: 1 });

    // A correction (the cached record is invalidated by the bracket's tag).
    const flipped = ours === 'a' ? { scoreA: 0, scoreB: 2 } : { scoreA: 2, scoreB: 0 };
    const corrected = await staff.post(`/api/tournaments/${id}/series/${series.id}/report`, { ...flipped, correct: true });
    expect(corrected.status, corrected.text).toBe(200);
    const after = PlayerRecord.parse((await t.client().get(`/api/users/${player.userId}/record`)).body);
    expect(after.series).toEqual({ won: 0, lost: 1 });
    expect(after.teams[0]!.series).toEqual({ won: 0, lost: 1 });
  });

  it('UI108 a user with no teams has an empty record; an unknown user is 404, a bad id 400', async () => {
    const fresh = await t.login('nobodyyet');
    const empty = await t.client().get(`/api/users/${fresh.userId}/record`);
    expect(empty.status, empty.text).toBe(200);
    expect(empty.body).toMatchObject({ teams: [], series: { won: 0, lost: 0 } });
    expect((await t.client().get('/api/users/999999/record')).status).toBe(404);
    const bad = await t.client().get('/api/users/abc/record');
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).toContain('userId');
  });
});
