import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DATABASES } from '../support/databases';
import type { TestHub } from '../support/hub';
import type { HttpClient } from '../support/http';
import type { ManualClock } from '../../server/deadlines/clock';
import type { HeroDraftView } from '../../shared/schemas/herodraft';
import { heroIdsSorted, roomEvents, setupHeroDraft, startDrafting, untilView, view, startHeroDraftHub } from './fixtures';

describe.each(DATABASES)('hero draft over REST (%s)', (db) => {
  let t: TestHub;
  let staff: HttpClient;
  let clock: ManualClock;
  const heroes = heroIdsSorted();

  beforeAll(async () => {
    ({ t, staff, clock } = await startHeroDraftHub(db, 'hdstaff'));
  });
  afterAll(() => t?.close());

  it('hero list: dotaconstants ids with gaps, Largo 155, image base from config', async () => {
    const res = await t.client().get('/api/heroes');
    expect(res.status).toBe(200);
    expect(res.body.imageBase).toBe('https://cdn.cloudflare.steamstatic.com');
    const ids: number[] = res.body.heroes.map((h: { id: number }) => h.id);
    expect(ids).toContain(155);
    expect(ids.length).toBeGreaterThan(120);
    expect(Math.max(...ids)).toBeGreaterThan(ids.length); // gaps
    expect(res.body.heroes.find((h: { id: number }) => h.id === 155).localizedName).toBe('Largo');
  });

  it('CM2 ready-up, server coin toss (stored), the winner takes one choice and the other captain the remaining one', async () => {
    const s = await setupHeroDraft(t, staff);
    let v = await view(t, s.id);
    expect(v.status).toBe('waiting');
    expect(v.steps).toHaveLength(24);
    expect((await s.captains[0].post(`${s.base}/choice`, { kind: 'order', value: 'first' })).status).toBe(409);
    expect((await staff.post(`${s.base}/ready`, { ready: true })).status).toBe(403);
    expect((await s.captains[0].post(`${s.base}/ready`, { ready: true })).status).toBe(200);
    expect((await view(t, s.id)).status).toBe('waiting');
    const both = await s.captains[1].post(`${s.base}/ready`, { ready: true });
    expect(both.body.status).toBe('choosing');
    expect(both.body.toss.winner).toBe(0);
    expect(both.body.toss.due).toEqual({ team: 0, kinds: ['order', 'side'] });
    expect((await s.captains[1].post(`${s.base}/choice`, { kind: 'side', value: 'radiant' })).status).toBe(409);
    expect((await s.captains[0].post(`${s.base}/choice`, { kind: 'side', value: 'dire' })).status).toBe(200);
    // The winner can never take both.
    const again = await s.captains[0].post(`${s.base}/choice`, { kind: 'order', value: 'first' });
    expect(again.status).toBe(409);
    expect((await s.captains[1].post(`${s.base}/choice`, { kind: 'side', value: 'radiant' })).status).toBe(409);
    expect((await s.captains[1].post(`${s.base}/choice`, { kind: 'order', value: 'sideways' })).status).toBe(400);
    const done = await s.captains[1].post(`${s.base}/choice`, { kind: 'order', value: 'first' });
    v = done.body;
    expect(v.status).toBe('drafting');
    expect(v.teams.map((x) => [x.side, x.firstPick])).toEqual([
      ['dire', false],
      ['radiant', true],
    ]);
    expect(v.turn).toMatchObject({ stepIndex: 0, team: 1, action: 'ban', stepMs: 15_000, reserveMs: 130_000 });
    const types = (await roomEvents(t, s.room)).map((e) => e.type);
    expect(types).toEqual(['herodraft.created', 'herodraft.ready', 'herodraft.tossed', 'herodraft.chosen', 'herodraft.started']);
  });

  it('CM3 a whole 24-step draft: only the captain on turn, an available hero, once; the result is stored with sides', async () => {
    // Linked to game 2 of the bracket's match between the two teams (a 2-team single elimination, Bo3: one final).
    const base = await setupHeroDraft(t, staff);
    const stage = await staff.post(`/api/tournaments/${base.tournamentId}/stages`, { format: 'single_elimination', teamIds: base.teamIds, bestOf: 3 });
    expect(stage.status, stage.text).toBe(201);
    const matchId = stage.body.matches[0].id as number;
    const linked = await staff.post(`/api/tournaments/${base.tournamentId}/herodrafts`, {
      teamAId: base.teamIds[0],
      teamBId: base.teamIds[1],
      bracketMatchId: matchId,
      gameNumber: 2,
    });
    expect(linked.status, linked.text).toBe(201);
    expect(
      (await staff.post(`/api/tournaments/${base.tournamentId}/herodrafts`, { teamAId: base.teamIds[0], teamBId: base.teamIds[1], bracketMatchId: 999_999 }))
        .status,
    ).toBe(404);
    const s = { ...base, id: linked.body.id as number, room: `herodraft:${linked.body.id}`, base: `/api/herodrafts/${linked.body.id}` };
    let v: HeroDraftView = await startDrafting(s);
    const used: number[] = [];
    for (let i = 0; i < 24; i++) {
      const team = v.turn!.team as 0 | 1;
      const hero = heroes[i * 3]!;
      if (i === 3) {
        // Wrong captain, unknown hero, a used hero, a stale step: clear errors, nothing changes.
        expect((await s.captains[team === 0 ? 1 : 0].post(`${s.base}/steps`, { stepIndex: i, heroId: hero })).status).toBe(403);
        expect((await s.captains[team].post(`${s.base}/steps`, { stepIndex: i, heroId: 9999 })).status).toBe(404);
        expect((await s.captains[team].post(`${s.base}/steps`, { stepIndex: i, heroId: used[0] })).status).toBe(409);
        expect((await s.captains[team].post(`${s.base}/steps`, { stepIndex: i - 1, heroId: hero })).status).toBe(409);
        expect((await s.captains[team].post(`${s.base}/steps`, { stepIndex: i, heroId: 'x' })).status).toBe(400);
        expect((await staff.post(`${s.base}/steps`, { stepIndex: i, heroId: hero })).status).toBe(403);
        expect((await view(t, s.id)).stepIndex).toBe(i);
      }
      const res = await s.captains[team].post(`${s.base}/steps`, { stepIndex: i, heroId: hero });
      expect(res.status, res.text).toBe(201);
      used.push(hero);
      v = res.body;
      clock.advance(1000);
    }
    expect(v.status).toBe('completed');
    expect(v.turn).toBeNull();
    expect(v.completedAt).not.toBeNull();
    // Team A has first pick (F): 7 bans, 5 picks each.
    for (const team of v.teams) {
      expect(team.bans).toHaveLength(7);
      expect(team.picks).toHaveLength(5);
    }
    expect(v.teams[0]!.bans[0]).toBe(heroes[0]);
    expect(v.teams[0]!.side).toBe('dire');
    expect(v.bracketMatchId).toBe(matchId);
    expect(v.gameNumber).toBe(2);
    const list = await t.client().get(`/api/tournaments/${s.tournamentId}/herodrafts`);
    expect(list.body.items.find((d: HeroDraftView) => d.id === s.id).teams[1].picks).toEqual(v.teams[1]!.picks);
    const seqs = (await roomEvents(t, s.room)).map((e) => e.seq);
    expect(seqs).toEqual(seqs.map((_, i) => i + 1));
    expect((await s.captains[0].post(`${s.base}/steps`, { stepIndex: 24, heroId: heroes[100] })).status).toBe(409);
  });

  it('RT4 racing submissions for the same step (two tabs, different heroes): exactly one succeeds', async () => {
    const s = await setupHeroDraft(t, staff);
    await startDrafting(s);
    const results = await Promise.all(
      [heroes[10], heroes[11], heroes[12], heroes[13]].map((heroId) => s.captains[0].post(`${s.base}/steps`, { stepIndex: 0, heroId })),
    );
    expect(results.map((r) => r.status).sort()).toEqual([201, 409, 409, 409]);
    const v = await view(t, s.id);
    expect(v.done).toHaveLength(1);
    expect(v.stepIndex).toBe(1);
  });

  it('CM4 CM5 step time then reserve; timeout skips a ban and picks a random available hero', async () => {
    const s = await setupHeroDraft(t, staff, { preset: '7.00', firstBanSeconds: 10, stepSeconds: 20, reserveSeconds: 30 });
    let v = await startDrafting(s);
    expect(v.steps).toHaveLength(20);
    // Step 0 (A bans): 4 s into the reserve, then a ban. Unused step time does not carry over.
    clock.advance(14_000);
    let res = await s.captains[0].post(`${s.base}/steps`, { stepIndex: 0, heroId: heroes[0] });
    v = res.body;
    expect(v.teams[0]!.reserveMs).toBe(26_000);
    expect(v.turn).toMatchObject({ stepIndex: 1, team: 1, stepMs: 10_000, reserveMs: 30_000 });
    // Step 1 (B bans): B is quick; its reserve is untouched.
    clock.advance(2_000);
    v = (await s.captains[1].post(`${s.base}/steps`, { stepIndex: 1, heroId: heroes[1] })).body;
    expect(v.teams[1]!.reserveMs).toBe(30_000);
    // Step 2 (A bans): nobody acts; at step time + the whole reserve the ban is skipped.
    clock.advance(10_000 + 25_999);
    expect((await view(t, s.id)).stepIndex).toBe(2);
    clock.advance(1);
    v = await untilView(t, s.id, (x) => x.stepIndex === 3);
    expect(v.done[2]).toMatchObject({ stepIndex: 2, team: 0, action: 'ban', heroId: null, method: 'timeout' });
    expect(v.teams[0]!.reserveMs).toBe(0);
    expect(v.teams[0]!.bans).toEqual([heroes[0]]);
    // Step 3 (B bans), step 4 (A picks, no reserve left: 20 s only) times out with a random available hero.
    res = await s.captains[1].post(`${s.base}/steps`, { stepIndex: 3, heroId: heroes[2] });
    expect(res.status).toBe(201);
    expect(res.body.turn).toMatchObject({ stepIndex: 4, team: 0, action: 'pick', stepMs: 20_000, reserveMs: 0 });
    clock.advance(20_000);
    v = await untilView(t, s.id, (x) => x.stepIndex === 5);
    // The injected random source gives index 0: the lowest id not yet banned.
    expect(v.done[4]).toMatchObject({ team: 0, action: 'pick', heroId: heroes[3], method: 'timeout' });
    expect(v.teams[0]!.picks).toEqual([heroes[3]]);
    const types = (await roomEvents(t, s.room)).map((e) => e.type).filter((x) => x === 'herodraft.timeout');
    expect(types).toHaveLength(2);
  });

  it('CM6 pause: no time is charged while paused; resume restarts the clock after a countdown; penalty deducts reserve', async () => {
    const s = await setupHeroDraft(t, staff);
    await startDrafting(s);
    clock.advance(20_000); // 5 s into A's reserve
    expect((await s.captains[0].post(`${s.base}/pause`, {})).status).toBe(403);
    let v = (await staff.post(`${s.base}/pause`, { reason: 'technical issue' })).body;
    expect(v.status).toBe('paused');
    expect(v.paused).toMatchObject({ reason: 'technical issue', stepMs: 0, reserveMs: 125_000 });
    expect(v.turn).toBeNull();
    expect((await s.captains[0].post(`${s.base}/steps`, { stepIndex: 0, heroId: heroes[0] })).status).toBe(409);
    clock.advance(3_600_000);
    expect((await view(t, s.id)).stepIndex).toBe(0);
    v = (await staff.post(`${s.base}/penalty`, { teamId: s.teamIds[0], seconds: 25 })).body;
    expect(v.paused!.reserveMs).toBe(100_000);
    // Captains resume together: one vote is not enough.
    v = (await s.captains[0].post(`${s.base}/resume`, {})).body;
    expect(v.status).toBe('paused');
    expect(v.paused!.resumeVotes).toEqual([0]);
    const resumedAt = clock.now();
    v = (await s.captains[1].post(`${s.base}/resume`, {})).body;
    expect(v.status).toBe('drafting');
    expect(Date.parse(v.turn!.startedAt)).toBe(resumedAt + 3000);
    expect(Date.parse(v.turn!.deadlineAt)).toBe(resumedAt + 3000 + 100_000);
    // During the countdown nobody acts (and nothing is charged).
    expect((await s.captains[0].post(`${s.base}/steps`, { stepIndex: 0, heroId: heroes[0] })).status).toBe(409);
    clock.advance(4_000);
    v = (await s.captains[0].post(`${s.base}/steps`, { stepIndex: 0, heroId: heroes[0] })).body;
    expect(v.teams[0]!.reserveMs).toBe(99_000);
  });

  it('staff may change timings only before the start; reset goes back to ready-up; abandon ends it', async () => {
    const s = await setupHeroDraft(t, staff);
    expect((await s.captains[0].patch(s.base, { reserveSeconds: 10 })).status).toBe(403);
    let v = (await staff.patch(s.base, { preset: '7.30', firstBanSeconds: 20, stepSeconds: 40, reserveSeconds: 60 })).body as HeroDraftView;
    expect(v.preset).toBe('7.30');
    expect(v.steps.slice(0, 4).map((x) => x.seconds)).toEqual([20, 20, 20, 20]);
    expect(v.steps[4]!.seconds).toBe(40);
    expect(v.teams[0]!.reserveMs).toBe(60_000);
    await startDrafting(s);
    expect((await staff.patch(s.base, { reserveSeconds: 10 })).status).toBe(409);
    await s.captains[0].post(`${s.base}/steps`, { stepIndex: 0, heroId: heroes[0] });
    v = (await staff.post(`${s.base}/reset`, {})).body;
    expect(v).toMatchObject({ status: 'waiting', stepIndex: 0, done: [], turn: null });
    expect(v.toss.winner).toBeNull();
    expect(v.teams.map((x) => x.ready)).toEqual([false, false]);
    expect(await t.hub.services.db('deadlines').where({ room: s.room })).toHaveLength(0);
    await startDrafting(s);
    expect(await t.hub.services.db('deadlines').where({ room: s.room })).toHaveLength(1);
    v = (await staff.post(`${s.base}/abandon`, {})).body;
    expect(v.status).toBe('abandoned');
    expect(await t.hub.services.db('deadlines').where({ room: s.room })).toHaveLength(0);
    expect((await s.captains[0].post(`${s.base}/steps`, { stepIndex: 0, heroId: heroes[0] })).status).toBe(409);
  });

  it('creating needs staff and two teams of the tournament', async () => {
    const s = await setupHeroDraft(t, staff);
    const other = await setupHeroDraft(t, staff);
    const url = `/api/tournaments/${s.tournamentId}/herodrafts`;
    expect((await s.captains[0].post(url, { teamAId: s.teamIds[0], teamBId: s.teamIds[1] })).status).toBe(403);
    expect((await staff.post(url, { teamAId: s.teamIds[0], teamBId: s.teamIds[0] })).status).toBe(409);
    expect((await staff.post(url, { teamAId: s.teamIds[0], teamBId: other.teamIds[1] })).status).toBe(404);
    expect((await staff.post(url, { teamAId: s.teamIds[0], teamBId: s.teamIds[1], preset: '6.88' })).status).toBe(400);
    expect((await t.client().get('/api/herodrafts/999999')).status).toBe(404);
  });
});
