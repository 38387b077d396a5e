import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DATABASES } from '../support/databases';
import { startHub, type TestHub } from '../support/hub';
import type { HttpClient } from '../support/http';
import type { HeroDraftView } from '../../shared/schemas/herodraft';
import { heroIdsSorted, roomEvents, setupHeroDraft, startDrafting, teamAWinsTheToss } from './fixtures';

/** CM result with the bracket: drafts of a series' games, shown on the bracket page (issue 5 item 6). */
describe.each(DATABASES)('hero drafts of bracket series (%s)', (db) => {
  let t: TestHub;
  let staff: HttpClient;
  const heroes = heroIdsSorted();
  // A short order keeps the test quick: the result is the same shape as 24 steps.
  const steps = [
    { team: 'F', action: 'ban', seconds: 30 },
    { team: 'S', action: 'ban', seconds: 30 },
    { team: 'F', action: 'pick', seconds: 30 },
    { team: 'S', action: 'pick', seconds: 30 },
  ];

  beforeAll(async () => {
    t = await startHub({ db, random: teamAWinsTheToss() });
    staff = await t.login('hdbracket', 'staff');
  });
  afterAll(() => t?.close());

  it('one draft per series game (not abandoned), within the best-of; creation and result are tournament-room events; the public list follows every change', async () => {
    const base = await setupHeroDraft(t, staff);
    const stage = await staff.post(`/api/tournaments/${base.tournamentId}/stages`, { format: 'single_elimination', teamIds: base.teamIds, bestOf: 3 });
    expect(stage.status, stage.text).toBe(201);
    const seriesId = stage.body.matches[0].id as number;
    const url = `/api/tournaments/${base.tournamentId}/herodrafts`;
    const body = (gameNumber: number) => ({ teamAId: base.teamIds[0], teamBId: base.teamIds[1], bracketMatchId: seriesId, gameNumber, steps });
    const spectator = t.client();
    const ofSeries = async () => {
      const res = await spectator.get(url);
      expect(res.status, res.text).toBe(200);
      return (res.body.items as HeroDraftView[]).filter((d) => d.bracketMatchId === seriesId);
    };
    expect(await ofSeries()).toEqual([]); // read (and cached) before any draft of the series

    const game1 = await staff.post(url, body(1));
    expect(game1.status, game1.text).toBe(201);
    // A double click (or a second staff member) for the same game: one draft.
    const twice = await Promise.all([staff.post(url, body(2)), staff.post(url, body(2))]);
    expect(twice.map((r) => r.status).sort()).toEqual([201, 409]);
    expect((await staff.post(url, body(1))).status).toBe(409);
    expect((await staff.post(url, body(4))).status).toBe(409); // a Bo3 has no game 4
    const game2 = twice.find((r) => r.status === 201)!.body as HeroDraftView;
    expect((await ofSeries()).map((d) => [d.gameNumber, d.status])).toEqual([
      [1, 'waiting'],
      [2, 'waiting'],
    ]);

    // An abandoned draft frees its game for a new one.
    expect((await staff.post(`/api/herodrafts/${game2.id}/abandon`, {})).status).toBe(200);
    expect((await ofSeries()).map((d) => d.status)).toEqual(['waiting', 'abandoned']);
    expect((await staff.post(url, body(2))).status).toBe(201);

    // Game 1 drafted to the end: the list shows picks, bans and sides per team.
    const s = { ...base, id: game1.body.id as number, base: `/api/herodrafts/${game1.body.id}`, room: `herodraft:${game1.body.id}` };
    let v = await startDrafting(s);
    for (let i = 0; i < steps.length; i++) {
      const res = await s.captains[v.turn!.team as 0 | 1].post(`${s.base}/steps`, { stepIndex: i, heroId: heroes[i]! });
      expect(res.status, res.text).toBe(201);
      v = res.body;
    }
    expect(v.status).toBe('completed');
    const [done] = await ofSeries();
    expect(done).toMatchObject({ id: s.id, gameNumber: 1, status: 'completed' });
    expect(done!.teams.map((x) => ({ side: x.side, picks: x.picks, bans: x.bans }))).toEqual([
      { side: 'dire', picks: [heroes[2]], bans: [heroes[0]] },
      { side: 'radiant', picks: [heroes[3]], bans: [heroes[1]] },
    ]);

    const events = (await roomEvents(t, `tournament:${base.tournamentId}`)).filter((e) => e.type.startsWith('herodraft.'));
    expect(events.map((e) => [e.type, e.payload.gameNumber])).toEqual([
      ['herodraft.created', null], // the unlinked draft of the fixture
      ['herodraft.created', 1],
      ['herodraft.created', 2],
      ['herodraft.abandoned', 2],
      ['herodraft.created', 2],
      ['herodraft.completed', 1],
    ]);
    expect(events[1]!.payload).toMatchObject({ heroDraftId: s.id, bracketMatchId: seriesId, status: 'waiting' });

    // A reset takes the result off the bracket again.
    expect((await staff.post(`${s.base}/reset`, {})).status).toBe(200);
    expect((await ofSeries())[0]).toMatchObject({ status: 'waiting', done: [] });
  });
});
