import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { placementProblems } from '../../shared/rules/placements';
import { DATABASES } from '../support/databases';
import { startHub, type TestHub } from '../support/hub';
import type { HttpClient } from '../support/http';

type Client = HttpClient & { userId: number };

describe('final placements, the rule (BR10)', () => {
  const list = (...places: number[]) => places.map((place, i) => ({ teamId: i + 1, place }));

  it('BR10 places read as a bracket’s: shared places repeat, then skip', () => {
    expect(placementProblems(list(1, 2, 3, 3, 5))).toEqual([]);
    expect(placementProblems(list(3, 1, 2))).toEqual([]); // any order
    expect(placementProblems(list(1, 1, 1))).toEqual([]);
    expect(placementProblems([])).toEqual([]);
  });

  it('BR10 a gap, a place that ignores a shared one, or a team twice is named at its entry', () => {
    expect(placementProblems(list(1, 3)).map((p) => [p.index, p.field])).toEqual([[1, 'place']]);
    expect(placementProblems(list(1, 3))[0]!.message).toContain('its place is 2nd, not 3rd');
    expect(placementProblems(list(1, 1, 2)).map((p) => [p.index, p.field, p.message.includes('3rd, not 2nd')])).toEqual([[2, 'place', true]]);
    expect(placementProblems(list(2))[0]!.message).toContain('1st, not 2nd');
    const twice = placementProblems([
      { teamId: 4, place: 1 },
      { teamId: 4, place: 2 },
    ]);
    expect(twice).toEqual([{ index: 1, field: 'teamId', message: 'this team is placed twice' }]);
  });
});

describe.each(DATABASES)('final placements over REST [%s]', (db) => {
  let t: TestHub;
  let staff: Client; // site staff
  let helper: Client; // staff of the tournaments below only
  let member: Client;
  let n = 0;

  beforeAll(async () => {
    t = await startHub({ db });
    staff = await t.login('sam', 'staff');
    helper = await t.login('hal');
    member = await t.login('mia');
  });
  afterAll(() => t?.close());

  const knex = () => t.hub.services.db;

  /** A tournament with `teams` teams (captains new members), helper on its staff, moved to `state`. */
  async function tournament(teams: number, state: 'registration' | 'playing' = 'playing') {
    const created = await staff.post('/api/tournaments', { name: `Placement Cup ${++n}`, startsAt: '2030-05-01T18:00:00Z' });
    expect(created.status, created.text).toBe(201);
    const id = created.body.id as number;
    expect((await staff.post(`/api/tournaments/${id}/staff`, { userId: helper.userId })).status).toBe(201);
    const captains: Client[] = [];
    const teamIds: number[] = [];
    for (let i = 0; i < teams; i++) {
      const captain = await t.login(`cap${n}x${i}`);
      expect((await staff.post(`/api/tournaments/${id}/players`, { userId: captain.userId, mmr: 3000 + i })).status).toBe(201);
      const team = await staff.post(`/api/tournaments/${id}/teams`, { captainUserId: captain.userId, name: `Team ${String.fromCharCode(65 + i)}` });
      expect(team.status, team.text).toBe(201);
      captains.push(captain);
      teamIds.push(team.body.id as number);
    }
    const path = ['registration', 'drafting', 'playing'];
    for (const s of path.slice(0, path.indexOf(state) + 1)) expect((await staff.patch(`/api/tournaments/${id}`, { state: s })).status).toBe(200);
    return { id, captains, teamIds, url: `/api/tournaments/${id}/placements` };
  }
  const detail = async (id: number) => (await t.client().get(`/api/tournaments/${id}`)).body;
  const placementEvents = async (id: number) => (await knex()('events').where({ room: `tournament:${id}`, type: 'tournament.placements' })).length;
  const stored = (id: number) => knex()('tournament_placements').where({ tournamentId: id }).orderBy('teamId').select('teamId', 'place');

  it('BR10 tournament staff set placements; the detail shows them best first with who set them, and the room gets the event', async () => {
    const tour = await tournament(4);
    const [a, b, c, d] = tour.teamIds as [number, number, number, number];
    expect((await detail(tour.id)).placements).toEqual({ source: 'none', items: [], setAt: null, setBy: null });

    const body = {
      placements: [
        { teamId: c, place: 1 },
        { teamId: a, place: 2 },
        { teamId: d, place: 3 },
        { teamId: b, place: 3 },
      ],
    };
    const res = await helper.put(tour.url, body);
    expect(res.status, res.text).toBe(200);
    expect(res.body.source).toBe('staff');
    expect(res.body.items.map((p: { team: { name: string }; place: number }) => `${p.place} ${p.team.name}`)).toEqual([
      '1 Team C',
      '2 Team A',
      '3 Team B',
      '3 Team D',
    ]);
    expect(res.body.setBy.id).toBe(helper.userId);
    expect(Date.parse(res.body.setAt)).toBeGreaterThan(Date.now() - 60_000);
    // RT8: the cached detail is invalidated by the command.
    expect((await detail(tour.id)).placements).toEqual(res.body);
    expect(await placementEvents(tour.id)).toBe(1);

    // The same list again (in another order) changes nothing and appends no event.
    const again = await helper.put(tour.url, { placements: [...body.placements].reverse() });
    expect(again.status).toBe(200);
    expect(again.body).toEqual(res.body);
    expect(await placementEvents(tour.id)).toBe(1);

    // A new list replaces the whole one before (a team may be left out: disqualified).
    const replaced = await staff.put(tour.url, {
      placements: [
        { teamId: a, place: 1 },
        { teamId: c, place: 2 },
      ],
    });
    expect(replaced.status, replaced.text).toBe(200);
    expect(await stored(tour.id)).toEqual([
      { teamId: a, place: 1 },
      { teamId: c, place: 2 },
    ]);
    expect((await detail(tour.id)).placements.setBy.id).toBe(staff.userId);
    expect(await placementEvents(tour.id)).toBe(2);

    // An empty list clears them; a finished tournament may still be corrected.
    expect((await staff.patch(`/api/tournaments/${tour.id}`, { state: 'finished' })).status).toBe(200);
    const cleared = await helper.put(tour.url, { placements: [] });
    expect(cleared.status).toBe(200);
    expect(cleared.body).toEqual({ source: 'none', items: [], setAt: null, setBy: null });
    expect(await stored(tour.id)).toEqual([]);
    expect(await placementEvents(tour.id)).toBe(3);
  });

  it('BR10 without placements set, a finished elimination bracket’s stand; set ones replace them until cleared', async () => {
    const tour = await tournament(2);
    const stage = await staff.post(`/api/tournaments/${tour.id}/stages`, { format: 'single_elimination' });
    expect(stage.status, stage.text).toBe(201);
    const final = (stage.body.matches as { id: number; status: string; teamA: { id: number }; teamB: { id: number } }[]).find((m) => m.status === 'ready')!;
    // Unfinished: nothing is final yet.
    expect((await detail(tour.id)).placements.source).toBe('none');
    expect((await staff.post(`/api/tournaments/${tour.id}/series/${final.id}/report`, { scoreA: 1, scoreB: 0 })).status).toBe(200);
    const fromBracket = (await detail(tour.id)).placements;
    expect(fromBracket.source).toBe('bracket');
    expect(fromBracket.items.map((p: { team: { id: number }; place: number }) => [p.team.id, p.place])).toEqual([
      [final.teamA.id, 1],
      [final.teamB.id, 2],
    ]);

    // Decided outside the hub: the other team is first.
    const set = await helper.put(tour.url, {
      placements: [
        { teamId: final.teamB.id, place: 1 },
        { teamId: final.teamA.id, place: 2 },
      ],
    });
    expect(set.status, set.text).toBe(200);
    expect((await detail(tour.id)).placements.items[0].team.id).toBe(final.teamB.id);
    // The bracket's own placements stay as computed.
    const bracket = (await t.client().get(`/api/tournaments/${tour.id}/bracket`)).body;
    expect(bracket.stages[0].placements[0].team.id).toBe(final.teamA.id);

    expect((await helper.put(tour.url, { placements: [] })).status).toBe(200);
    expect((await detail(tour.id)).placements.source).toBe('bracket');
  });

  it('RT2 BR10 a list that does not read as places answers 400 with an issue at the entry, and writes nothing', async () => {
    const tour = await tournament(3);
    const [a, b, c] = tour.teamIds as [number, number, number];
    const cases: [unknown, (string | number)[]][] = [
      [
        {
          placements: [
            { teamId: a, place: 1 },
            { teamId: b, place: 3 },
          ],
        },
        ['body', 'placements', 1, 'place'],
      ],
      [
        {
          placements: [
            { teamId: a, place: 1 },
            { teamId: b, place: 1 },
            { teamId: c, place: 2 },
          ],
        },
        ['body', 'placements', 2, 'place'],
      ],
      [
        {
          placements: [
            { teamId: a, place: 1 },
            { teamId: a, place: 2 },
          ],
        },
        ['body', 'placements', 1, 'teamId'],
      ],
      [{ placements: [{ teamId: a, place: 0 }] }, ['body', 'placements', 0, 'place']],
      [{ placements: [{ teamId: a, place: 1.5 }] }, ['body', 'placements', 0, 'place']],
      [{ placements: [{ teamId: 'x', place: 1 }] }, ['body', 'placements', 0, 'teamId']],
      [{ placements: [{ teamId: a, place: 1, note: 'x' }] }, ['body', 'placements', 0]],
      [{}, ['body', 'placements']],
    ];
    for (const [body, path] of cases) {
      const res = await helper.put(tour.url, body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(
        res.body.error.issues.map((i: { path: unknown[] }) => i.path),
        JSON.stringify(body),
      ).toContainEqual(path);
    }
    expect(await stored(tour.id)).toEqual([]);
    expect(await placementEvents(tour.id)).toBe(0);
  });

  it('BR10 404 for a team of another tournament or an unknown tournament; 409 before the tournament is playing; nothing written', async () => {
    const tour = await tournament(2);
    const other = await tournament(1);
    const foreign = await helper.put(tour.url, {
      placements: [
        { teamId: tour.teamIds[0], place: 1 },
        { teamId: other.teamIds[0], place: 2 },
      ],
    });
    expect(foreign.status).toBe(404);
    expect(foreign.body.error.message).toContain(`team ${other.teamIds[0]}`);
    expect((await staff.put('/api/tournaments/999999/placements', { placements: [] })).status).toBe(404);

    const early = await tournament(2, 'registration');
    const refused = await helper.put(early.url, { placements: [{ teamId: early.teamIds[0], place: 1 }] });
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe('conflict');
    expect(refused.body.error.message).toContain("'registration'");
    expect(refused.body.error.message).toContain('playing');
    for (const id of [tour.id, early.id]) {
      expect(await stored(id)).toEqual([]);
      expect(await placementEvents(id)).toBe(0);
    }
  });

  it('RT3 anonymous 401, a member or a captain 403, nothing written', async () => {
    const tour = await tournament(2);
    const body = { placements: [{ teamId: tour.teamIds[0], place: 1 }] };
    expect((await t.client().put(tour.url, body)).status).toBe(401);
    expect((await member.put(tour.url, body)).status).toBe(403);
    expect((await tour.captains[0]!.put(tour.url, body)).status).toBe(403);
    expect(await stored(tour.id)).toEqual([]);
  });

  it('BR10 two lists sent at once are applied in turn under the room lock: the stored list is one of them whole, each one event', async () => {
    const tour = await tournament(2);
    const [a, b] = tour.teamIds as [number, number];
    const first = [
      { teamId: a, place: 1 },
      { teamId: b, place: 2 },
    ];
    const second = [
      { teamId: a, place: 2 },
      { teamId: b, place: 1 },
    ];
    const answers = await Promise.all([helper.put(tour.url, { placements: first }), staff.put(tour.url, { placements: second })]);
    expect(answers.map((r) => r.status)).toEqual([200, 200]);
    expect([first, second]).toContainEqual(await stored(tour.id));
    expect(await placementEvents(tour.id)).toBe(2);
  });

  it('deleting a tournament (moved back before playing) takes its placements with it', async () => {
    const tour = await tournament(2);
    expect((await helper.put(tour.url, { placements: [{ teamId: tour.teamIds[0], place: 1 }] })).status).toBe(200);
    expect((await staff.patch(`/api/tournaments/${tour.id}`, { state: 'drafting' })).status).toBe(200);
    expect((await staff.delete(`/api/tournaments/${tour.id}`)).status).toBe(204);
    expect(await stored(tour.id)).toEqual([]);
  });
});
