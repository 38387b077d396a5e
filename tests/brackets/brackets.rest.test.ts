import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BracketView, Stage } from '../../shared/schemas/brackets';
import { DATABASES } from '../support/databases';
import type { HttpClient } from '../support/http';
import { startHub, type TestHub } from '../support/hub';
import { connectSocket, unwrap } from '../support/socket';

type Client = HttpClient & { userId: number };
type StageT = ReturnType<typeof Stage.parse>;
type MatchT = StageT['matches'][number];

describe.each(DATABASES)('brackets over REST [%s]', (db) => {
  let t: TestHub;
  let staff: Client;
  let n = 0;
  beforeAll(async () => {
    t = await startHub({ db });
    staff = await t.login('bracketstaff', 'staff');
  });
  afterAll(() => t?.close());

  /** A tournament with `count` teams named T1..Tn in draft order, captain MMRs 1000, 2000, ... */
  async function tournamentWithTeams(count: number) {
    const k = ++n;
    const res = await staff.post('/api/tournaments', { name: `Bracket Cup ${k}`, startsAt: '2030-05-01T18:00:00Z' });
    expect(res.status, res.text).toBe(201);
    const id = res.body.id as number;
    const teams: number[] = [];
    const captains: Client[] = [];
    for (let i = 0; i < count; i++) {
      const user = await t.login(`b${k}c${i}`);
      captains.push(user);
      expect((await staff.post(`/api/tournaments/${id}/players`, { userId: user.userId, mmr: (i + 1) * 1000 })).status).toBe(201);
      const team = await staff.post(`/api/tournaments/${id}/teams`, { captainUserId: user.userId, name: `T${i + 1}` });
      expect(team.status, team.text).toBe(201);
      teams.push(team.body.id);
    }
    return { id, teams, captains };
  }
  const name = (stage: StageT, teamId: number | undefined) => stage.seeds.find((s) => s.id === teamId)?.name;
  const byKey = (stage: StageT, key: string) => stage.matches.find((m) => m.key === key)!;
  async function report(tournamentId: number, match: MatchT, body: Record<string, unknown>, expectStatus = 200) {
    const res = await staff.post(`/api/tournaments/${tournamentId}/series/${match.id}/report`, body);
    expect(res.status, res.text).toBe(expectStatus);
    return res.body as StageT;
  }
  /** Wins a series for the named team. */
  const winFor = (m: MatchT, teamName: string, bo = m.bestOf) => {
    const need = bo === 1 ? 1 : bo === 5 ? 3 : 2;
    return m.teamA?.name === teamName ? { scoreA: need, scoreB: 0 } : { scoreA: 0, scoreB: need };
  };
  const events = async (tournamentId: number) =>
    (
      await t.hub.services
        .db('events')
        .where({ room: `tournament:${tournamentId}` })
        .orderBy('seq')
    ).map((e) => ({
      seq: Number(e.seq),
      type: e.type as string,
      payload: typeof e.payload === 'string' ? JSON.parse(e.payload) : e.payload,
    }));

  it('BR1 RT1 generates a ranked single-elimination stage: standard order, byes to the top seeds, one event', async () => {
    const { id, teams } = await tournamentWithTeams(6);
    const before = (await events(id)).length;
    const res = await staff.post(`/api/tournaments/${id}/stages`, { format: 'single_elimination', bestOf: 3, bestOfByRound: { U3: 5 } });
    expect(res.status, res.text).toBe(201);
    const stage = Stage.strict().parse(res.body);
    expect(stage.seeds.map((s) => s.id)).toEqual(teams);
    expect(stage.name).toBe('Single elimination 1');
    expect(byKey(stage, 'U1.1')).toMatchObject({ teamA: { name: 'T1' }, slotB: 'bye', status: 'bye' });
    expect(byKey(stage, 'U1.2')).toMatchObject({ teamA: { name: 'T4' }, teamB: { name: 'T5' }, status: 'ready', bestOf: 3 });
    expect(byKey(stage, 'U2.1')).toMatchObject({ teamA: { name: 'T1' }, slotB: 'tbd', status: 'tbd' });
    expect(byKey(stage, 'U3.1').bestOf).toBe(5);
    const after = (await events(id)).slice(before);
    expect(after.map((e) => e.type)).toEqual(['bracket.stage_created']);
    expect(after[0]!.payload).toMatchObject({ stageId: stage.id, number: 1, format: 'single_elimination', teams: 6 });
    // Anyone may read the bracket; the answer carries the room's seq.
    const view = await t.client().get(`/api/tournaments/${id}/bracket`);
    expect(view.status).toBe(200);
    const parsed = BracketView.parse(view.body);
    expect(parsed.seq).toBe(after[0]!.seq);
    expect(parsed.stages[0]!.matches).toHaveLength(stage.matches.length);
  });

  it('BR2 BR3 BR5 double elimination: winners advance, losers drop, the grand final resets, placements at the end, an event per report', async () => {
    const { id } = await tournamentWithTeams(4);
    let stage = (await staff.post(`/api/tournaments/${id}/stages`, { format: 'double_elimination' })).body as StageT;
    const start = (await events(id)).length;
    // U1.1 T1–T4, U1.2 T2–T3: the favourites win the upper bracket.
    stage = await report(id, byKey(stage, 'U1.1'), winFor(byKey(stage, 'U1.1'), 'T1'));
    expect(byKey(stage, 'U2.1').teamA?.name).toBe('T1');
    expect(byKey(stage, 'L1.1').teamA?.name).toBe('T4');
    stage = await report(id, byKey(stage, 'U1.2'), winFor(byKey(stage, 'U1.2'), 'T2'));
    expect(byKey(stage, 'L1.1')).toMatchObject({ teamA: { name: 'T4' }, teamB: { name: 'T3' }, status: 'ready' });
    stage = await report(id, byKey(stage, 'U2.1'), winFor(byKey(stage, 'U2.1'), 'T1'));
    expect(byKey(stage, 'GF1').teamA?.name).toBe('T1');
    expect(byKey(stage, 'L2.1').teamB?.name).toBe('T2');
    stage = await report(id, byKey(stage, 'L1.1'), winFor(byKey(stage, 'L1.1'), 'T3'));
    stage = await report(id, byKey(stage, 'L2.1'), winFor(byKey(stage, 'L2.1'), 'T3'));
    expect(byKey(stage, 'GF1')).toMatchObject({ teamA: { name: 'T1' }, teamB: { name: 'T3' }, status: 'ready' });
    expect(byKey(stage, 'GF2').status).toBe('tbd');
    // The lower-bracket team wins the first grand final: the reset is on.
    stage = await report(id, byKey(stage, 'GF1'), winFor(byKey(stage, 'GF1'), 'T3'));
    expect(byKey(stage, 'GF2')).toMatchObject({ teamA: { name: 'T1' }, teamB: { name: 'T3' }, status: 'ready' });
    expect(stage.finished).toBe(false);
    stage = await report(id, byKey(stage, 'GF2'), {
      games: [{ winner: 'b', radiant: 'a', steamMatchId: '7000000001', draft: [{ team: 'a', action: 'ban', heroId: 1 }] }],
    });
    expect(stage.finished).toBe(true);
    expect(stage.placements.map((p) => [p.team.name, p.place])).toEqual([
      ['T3', 1],
      ['T1', 2],
      ['T2', 3],
      ['T4', 4],
    ]);
    expect(byKey(stage, 'GF2').games).toEqual([
      { number: 1, winner: 'b', radiant: 'a', steamMatchId: '7000000001', draft: [{ team: 'a', action: 'ban', heroId: 1 }] },
    ]);
    const after = (await events(id)).slice(start);
    expect(after.map((e) => e.type)).toEqual(Array(7).fill('bracket.series_reported'));
    expect(after.map((e) => e.seq)).toEqual(after.map((_, i) => after[0]!.seq + i));
    expect(after[5]!.payload).toMatchObject({ key: 'GF1', winner: 'b', cleared: [] });
  });

  it('BR4 a correction resets what it fed when unplayed; refused (409) when played unless confirmed with cascade', async () => {
    const { id } = await tournamentWithTeams(4);
    let stage = (await staff.post(`/api/tournaments/${id}/stages`, { format: 'single_elimination' })).body as StageT;
    stage = await report(id, byKey(stage, 'U1.1'), winFor(byKey(stage, 'U1.1'), 'T1'));
    // Reporting again without `correct` is refused.
    const again = await staff.post(`/api/tournaments/${id}/series/${byKey(stage, 'U1.1').id}/report`, { scoreA: 0, scoreB: 1 });
    expect(again.status).toBe(409);
    expect(again.body.error.message).toMatch(/already reported/);
    // Corrected while the final is unplayed: the final simply gets the other team.
    stage = await report(id, byKey(stage, 'U1.1'), { ...winFor(byKey(stage, 'U1.1'), 'T4'), correct: true });
    expect(byKey(stage, 'U2.1').teamA?.name).toBe('T4');
    stage = await report(id, byKey(stage, 'U1.2'), winFor(byKey(stage, 'U1.2'), 'T2'));
    stage = await report(id, byKey(stage, 'U2.1'), winFor(byKey(stage, 'U2.1'), 'T2'));
    expect(stage.finished).toBe(true);
    const start = (await events(id)).length;
    const refused = await staff.post(`/api/tournaments/${id}/series/${byKey(stage, 'U1.1').id}/report`, {
      ...winFor(byKey(stage, 'U1.1'), 'T1'),
      correct: true,
    });
    expect(refused.status).toBe(409);
    expect(refused.body.error.message).toMatch(/already played: U2\.1.*cascade/);
    expect((await events(id)).length).toBe(start);
    // A stale version is refused too.
    const stale = await staff.post(`/api/tournaments/${id}/series/${byKey(stage, 'U1.1').id}/report`, {
      ...winFor(byKey(stage, 'U1.1'), 'T1'),
      correct: true,
      cascade: true,
      expectedVersion: 0,
    });
    expect(stale.status).toBe(409);
    stage = await report(id, byKey(stage, 'U1.1'), {
      ...winFor(byKey(stage, 'U1.1'), 'T1'),
      correct: true,
      cascade: true,
      expectedVersion: byKey(stage, 'U1.1').version,
    });
    expect(byKey(stage, 'U2.1')).toMatchObject({ teamA: { name: 'T1' }, teamB: { name: 'T2' }, status: 'ready', scoreA: null });
    expect(stage.finished).toBe(false);
    const [ev] = (await events(id)).slice(start);
    expect(ev).toMatchObject({ type: 'bracket.series_corrected', payload: { key: 'U1.1', cleared: ['U2.1'] } });
  });

  it('RT2 BR8 bad payloads and impossible scores change nothing (400); a Bo2 in elimination is refused (409)', async () => {
    const { id } = await tournamentWithTeams(4);
    const stage = (await staff.post(`/api/tournaments/${id}/stages`, { format: 'single_elimination', bestOf: 3 })).body as StageT;
    const url = `/api/tournaments/${id}/series/${byKey(stage, 'U1.1').id}/report`;
    for (const body of [
      {},
      { scoreA: 2 },
      { scoreA: 'two', scoreB: 0 },
      { scoreA: 1, scoreB: 1 },
      { scoreA: 3, scoreB: 0 },
      { games: [{ winner: 'a' }, { winner: 'a' }, { winner: 'b' }] },
      { scoreA: 2, scoreB: 0, extra: 1 },
    ]) {
      const res = await staff.post(url, body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.error.code).toBe('invalid_payload');
    }
    expect((await staff.post(`/api/tournaments/${id}/stages`, { format: 'double_elimination', bestOf: 2 })).status).toBe(409);
    expect((await staff.post(`/api/tournaments/${id}/stages`, { format: 'swiss', bestOf: 4 })).status).toBe(400);
    expect((await staff.post(`/api/tournaments/${id}/stages`, { format: 'round_robin', groups: 3 })).status).toBe(409);
    const view = BracketView.parse((await t.client().get(`/api/tournaments/${id}/bracket`)).body);
    expect(view.stages).toHaveLength(1);
    expect(view.stages[0]!.matches.every((m) => m.scoreA === null)).toBe(true);
    // An unknown series and a series of another tournament are 404.
    expect((await staff.post(`/api/tournaments/${id}/series/999999/report`, { scoreA: 2, scoreB: 0 })).status).toBe(404);
    const other = await tournamentWithTeams(2);
    expect((await staff.post(`/api/tournaments/${other.id}/series/${byKey(stage, 'U1.1').id}/report`, { scoreA: 2, scoreB: 0 })).status).toBe(404);
  });

  it('RT3 only tournament staff generate and report (401 anonymous, 403 members), changing nothing', async () => {
    const { id } = await tournamentWithTeams(2);
    const member = await t.login(`member${n}`);
    expect((await t.client().post(`/api/tournaments/${id}/stages`, { format: 'single_elimination' })).status).toBe(401);
    expect((await member.post(`/api/tournaments/${id}/stages`, { format: 'single_elimination' })).status).toBe(403);
    const stage = (await staff.post(`/api/tournaments/${id}/stages`, { format: 'single_elimination' })).body as StageT;
    const res = await member.post(`/api/tournaments/${id}/series/${stage.matches[0]!.id}/report`, { scoreA: 1, scoreB: 0 });
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe('forbidden');
    expect(BracketView.parse((await t.client().get(`/api/tournaments/${id}/bracket`)).body).stages[0]!.matches[0]!.winner).toBeNull();
  });

  it('RT4 concurrent reports on the same series: exactly one succeeds, the others get conflict', async () => {
    const { id } = await tournamentWithTeams(2);
    const stage = (await staff.post(`/api/tournaments/${id}/stages`, { format: 'single_elimination', bestOf: 3 })).body as StageT;
    const m = stage.matches[0]!;
    const start = (await events(id)).length;
    const bodies = [
      { scoreA: 2, scoreB: 0 },
      { scoreA: 0, scoreB: 2 },
      { scoreA: 2, scoreB: 1 },
      { scoreA: 1, scoreB: 2 },
      { scoreA: 2, scoreB: 0 },
    ];
    const results = await Promise.all(bodies.map((b) => staff.post(`/api/tournaments/${id}/series/${m.id}/report`, b)));
    expect(results.map((r) => r.status).sort()).toEqual([200, 409, 409, 409, 409]);
    for (const r of results.filter((x) => x.status === 409)) expect(r.body.error.code).toBe('conflict');
    expect((await events(id)).slice(start).map((e) => e.type)).toEqual(['bracket.series_reported']);
    const winner = results.find((r) => r.status === 200)!.body as StageT;
    const final = BracketView.parse((await t.client().get(`/api/tournaments/${id}/bracket`)).body).stages[0]!.matches[0]!;
    expect([final.scoreA, final.scoreB]).toEqual([winner.matches[0]!.scoreA, winner.matches[0]!.scoreB]);
  });

  it('BR6 round robin in groups with Bo2 draws: standings with points and the published tie-breaks', async () => {
    const { id } = await tournamentWithTeams(6);
    let stage = (
      await staff.post(`/api/tournaments/${id}/stages`, {
        format: 'round_robin',
        groups: 2,
        bestOf: 2,
        allowDraws: true,
        tiebreaks: ['headToHead', 'gameDiff', 'coinToss'],
      })
    ).body as StageT;
    expect(stage.standings.map((g) => g.rows.map((r) => r.team.name).sort())).toEqual([
      ['T1', 'T3', 'T5'],
      ['T2', 'T4', 'T6'],
    ]);
    expect(stage.matches).toHaveLength(6);
    expect(stage.coinToss.sort()).toEqual(stage.seeds.map((s) => s.id).sort());
    // Group 1: T1 beats T3 2–0, T3 draws T5, T5 beats T1 2–0.
    for (const m of stage.matches.filter((x) => x.group === 1)) {
      const names = [m.teamA!.name, m.teamB!.name].sort().join('-');
      const body = names === 'T1-T3' ? winFor(m, 'T1') : names === 'T3-T5' ? { scoreA: 1, scoreB: 1 } : winFor(m, 'T5');
      stage = await report(id, m, body);
    }
    const g1 = stage.standings[0]!.rows;
    expect(g1.map((r) => [r.team.name, r.points, r.wins, r.draws, r.losses])).toEqual([
      ['T5', 4, 1, 1, 0],
      ['T1', 3, 1, 0, 1],
      ['T3', 1, 0, 1, 1],
    ]);
    expect(stage.settings.tiebreaks).toEqual(['headToHead', 'gameDiff', 'coinToss']);
    // Drawn Bo2 is refused where the stage has no draws.
    const { id: id2 } = await tournamentWithTeams(2);
    const noDraws = (await staff.post(`/api/tournaments/${id2}/stages`, { format: 'round_robin', bestOf: 2 })).body as StageT;
    expect((await staff.post(`/api/tournaments/${id2}/series/${noDraws.matches[0]!.id}/report`, { scoreA: 1, scoreB: 1 })).status).toBe(400);
  });

  it('BR7 Swiss: the next round is paired when a round completes, equal records, a bye when odd, stops at K', async () => {
    const { id } = await tournamentWithTeams(5);
    let stage = (await staff.post(`/api/tournaments/${id}/stages`, { format: 'swiss', stopAt: 2 })).body as StageT;
    expect(
      stage.matches
        .filter((m) => m.round === 1)
        .map((m) => m.status)
        .sort(),
    ).toEqual(['bye', 'ready', 'ready']);
    for (let round = 1; round <= 5 && !stage.finished; round++) {
      for (const m of stage.matches.filter((x) => x.round === round && x.status === 'ready')) stage = await report(id, m, { scoreA: 1, scoreB: 0 });
    }
    expect(stage.finished).toBe(true);
    const rows = stage.standings[0]!.rows;
    for (const r of rows) expect(r.wins === 2 || r.losses === 2).toBe(true);
    // Round 2 pairs the two 1–0 teams and two of the 0–1 teams; the one left over gets the bye (no second bye for the round-1 bye).
    const round1Winners = new Set(stage.matches.filter((m) => m.round === 1 && m.status === 'done').map((m) => m.teamA!.id));
    const round2 = stage.matches.filter((m) => m.round === 2 && m.teamB);
    expect(round2.some((m) => round1Winners.has(m.teamA!.id) && round1Winners.has(m.teamB!.id))).toBe(true);
    const bye1 = stage.matches.find((m) => m.round === 1 && m.status === 'bye')!.teamA!.id;
    expect(stage.matches.filter((m) => m.status === 'bye' && m.teamA!.id === bye1)).toHaveLength(1);
  });

  it('seeding by MMR, at random from a recorded seed (replayable), by hand; a disqualified team forfeits what it has not played', async () => {
    const { id, teams } = await tournamentWithTeams(4);
    const mmr = (await staff.post(`/api/tournaments/${id}/stages`, { format: 'single_elimination', seeding: 'mmr' })).body as StageT;
    expect(mmr.seeds.map((s) => s.name)).toEqual(['T4', 'T3', 'T2', 'T1']);
    expect(mmr.seedingMethod).toBe('mmr');
    const random = (await staff.post(`/api/tournaments/${id}/stages`, { format: 'single_elimination', seeding: 'random', randomSeed: 1234 })).body as StageT;
    expect(random.randomSeed).toBe(1234);
    const replay = (await staff.post(`/api/tournaments/${id}/stages`, { format: 'single_elimination', seeding: 'random', randomSeed: 1234 })).body as StageT;
    expect(replay.seeds).toEqual(random.seeds);
    expect((await staff.post(`/api/tournaments/${id}/stages`, { format: 'single_elimination', seeding: 'manual' })).status).toBe(400);
    const manual = (
      await staff.post(`/api/tournaments/${id}/stages`, { format: 'single_elimination', seeding: 'manual', teamIds: [teams[2], teams[0], teams[3], teams[1]] })
    ).body as StageT;
    expect(manual.seeds.map((s) => s.name)).toEqual(['T3', 'T1', 'T4', 'T2']);
    expect(manual.number).toBe(4);
    // Disqualify T1: its first-round series is a forfeit win for its opponent (T4).
    const dq = await staff.post(`/api/tournaments/${id}/stages/${manual.id}/disqualify`, { teamId: teams[0] });
    expect(dq.status, dq.text).toBe(200);
    const after = dq.body as StageT;
    const m = after.matches.find((x) => x.teamA?.name === 'T1' || x.teamB?.name === 'T1')!;
    expect(m).toMatchObject({ status: 'done', forfeit: m.teamA?.name === 'T1' ? 'a' : 'b' });
    expect(name(after, after.matches.find((x) => x.key === 'U2.1')!.teamB?.id ?? after.matches.find((x) => x.key === 'U2.1')!.teamA?.id)).toBeDefined();
    // A stage with results cannot be deleted; one without can.
    expect((await staff.delete(`/api/tournaments/${id}/stages/${mmr.id}`)).status).toBe(204);
    const played = await staff.post(`/api/tournaments/${id}/series/${random.matches[0]!.id}/report`, { scoreA: 1, scoreB: 0 });
    expect(played.status).toBe(200);
    expect((await staff.delete(`/api/tournaments/${id}/stages/${random.id}`)).status).toBe(409);
  });

  it('a playoff seeded from round-robin standings, group winners first', async () => {
    const { id } = await tournamentWithTeams(4);
    let groups = (await staff.post(`/api/tournaments/${id}/stages`, { format: 'round_robin', groups: 2 })).body as StageT;
    expect((await staff.post(`/api/tournaments/${id}/stages`, { format: 'single_elimination', seeding: 'standings', fromStageId: groups.id })).status).toBe(
      409,
    );
    for (const m of groups.matches) groups = await report(id, m, winFor(m, ['T1', 'T2'].includes(m.teamA!.name) ? m.teamA!.name : m.teamB!.name));
    expect(groups.finished).toBe(true);
    const res = await staff.post(`/api/tournaments/${id}/stages`, { format: 'single_elimination', seeding: 'standings', fromStageId: groups.id, top: 4 });
    expect(res.status, res.text).toBe(201);
    expect((res.body as StageT).seeds.map((s) => s.name)).toEqual(['T1', 'T2', 'T3', 'T4']);
  });

  it('captain reports: one captain reports, the other confirms (the winner advances) or disputes (staff decide)', async () => {
    const { id, captains } = await tournamentWithTeams(4);
    let stage = (await staff.post(`/api/tournaments/${id}/stages`, { format: 'single_elimination', captainReports: true })).body as StageT;
    const u11 = byKey(stage, 'U1.1'); // T1 (captain 0) – T4 (captain 3)
    const url = (m: MatchT, what: string) => `/api/tournaments/${id}/series/${m.id}/${what}`;
    // Only this series' captains; a captain of another team is refused.
    expect((await captains[1]!.post(url(u11, 'claim'), { scoreA: 1, scoreB: 0 })).status).toBe(403);
    expect((await t.client().post(url(u11, 'claim'), { scoreA: 1, scoreB: 0 })).status).toBe(401);
    const start = (await events(id)).length;
    const claimed = await captains[0]!.post(url(u11, 'claim'), { scoreA: 1, scoreB: 0 });
    expect(claimed.status, claimed.text).toBe(200);
    stage = claimed.body;
    expect(byKey(stage, 'U1.1')).toMatchObject({ status: 'ready', claim: { side: 'a', winner: 'a', scoreA: 1, scoreB: 0 }, disputed: false });
    expect(byKey(stage, 'U2.1').teamA).toBeNull();
    expect((await captains[0]!.post(url(u11, 'confirm'), {})).status).toBe(409);
    const confirmed = await captains[3]!.post(url(u11, 'confirm'), {});
    expect(confirmed.status, confirmed.text).toBe(200);
    stage = confirmed.body;
    expect(byKey(stage, 'U1.1')).toMatchObject({ status: 'done', winner: 'a', claim: null });
    expect(byKey(stage, 'U2.1').teamA?.name).toBe('T1');
    const after = (await events(id)).slice(start);
    expect(after.map((e) => e.type)).toEqual(['bracket.result_claimed', 'bracket.series_reported']);
    expect(after[1]!.payload).toMatchObject({ key: 'U1.1', confirmedBy: captains[3]!.userId });

    // Disputed: staff decide; the claim and the dispute go with the staff report.
    const u12 = byKey(stage, 'U1.2'); // T2 (captain 1) – T3 (captain 2)
    expect((await captains[1]!.post(url(u12, 'claim'), { scoreA: 1, scoreB: 0 })).status).toBe(200);
    expect((await captains[2]!.post(url(u12, 'claim'), { scoreA: 0, scoreB: 1 })).status).toBe(409);
    const disputed = await captains[2]!.post(url(u12, 'dispute'), {});
    expect(disputed.status, disputed.text).toBe(200);
    expect(byKey(disputed.body, 'U1.2')).toMatchObject({ disputed: true, claim: { side: 'a' } });
    stage = await report(id, u12, { scoreA: 0, scoreB: 1 });
    expect(byKey(stage, 'U1.2')).toMatchObject({ status: 'done', winner: 'b', claim: null, disputed: false });
    expect((await captains[1]!.post(url(u12, 'confirm'), {})).status).toBe(409);
    // A stage without captain reports refuses them.
    const plain = (await staff.post(`/api/tournaments/${id}/stages`, { format: 'single_elimination' })).body as StageT;
    expect((await captains[0]!.post(`/api/tournaments/${id}/series/${byKey(plain, 'U1.1').id}/claim`, { scoreA: 1, scoreB: 0 })).status).toBe(403);
  });

  it('BR9 no result while a hero draft of the series is unfinished (409 naming it and the way out), unless the request says it knows', async () => {
    const { id, teams, captains } = await tournamentWithTeams(4);
    let stage = (await staff.post(`/api/tournaments/${id}/stages`, { format: 'single_elimination', bestOf: 3, captainReports: true })).body as StageT;
    const url = (m: MatchT, what: string) => `/api/tournaments/${id}/series/${m.id}/${what}`;
    const draftFor = async (m: MatchT, teamIds: number[], gameNumber: number) => {
      const res = await staff.post(`/api/tournaments/${id}/herodrafts`, { teamAId: teamIds[0], teamBId: teamIds[1], bracketMatchId: m.id, gameNumber });
      expect(res.status, res.text).toBe(201);
      return res.body.id as number;
    };
    const refusedFor = (res: { status: number; body: { error: { code: string; message: string; issues?: { path: unknown[]; code?: string }[] } } }) => {
      expect(res.status).toBe(409);
      expect(res.body.error.issues).toEqual([expect.objectContaining({ path: ['body', 'ignoreRunningDrafts'], code: 'hero_draft_running' })]);
      return res.body.error.message;
    };
    const u11 = byKey(stage, 'U1.1'); // T1 (captain 0) – T4 (captain 3)
    const game1 = await draftFor(u11, [teams[0]!, teams[3]!], 1); // waiting: not started, still shown live
    const before = { events: (await events(id)).length, version: u11.version };

    // Staff: refused, the draft named with its state, and what to do.
    const staffMessage = refusedFor(await staff.post(url(u11, 'report'), { scoreA: 2, scoreB: 0 }));
    expect(staffMessage).toContain(`hero draft ${game1} (game 1) is waiting`);
    expect(staffMessage).toMatch(/finish the draft or abandon it first/i);
    expect(staffMessage).toContain('ignoreRunningDrafts: true');
    // A captain's claim: refused too; captains cannot abandon a draft, staff can.
    const captainMessage = refusedFor(await captains[0]!.post(url(u11, 'claim'), { scoreA: 2, scoreB: 0 }));
    expect(captainMessage).toContain(`hero draft ${game1} (game 1) is waiting`);
    expect(captainMessage).toMatch(/ask staff to abandon it/);
    // Nothing changed.
    stage = (await t.client().get(`/api/tournaments/${id}/bracket`)).body.stages[0];
    expect(byKey(stage, 'U1.1')).toMatchObject({ status: 'ready', claim: null, version: before.version });
    expect(await events(id)).toHaveLength(before.events);

    // Knowingly: the claim goes in, the confirmation is refused until it says so too; the draft is left as it is.
    const claimed = await captains[0]!.post(url(u11, 'claim'), { scoreA: 2, scoreB: 0, ignoreRunningDrafts: true });
    expect(claimed.status, claimed.text).toBe(200);
    refusedFor(await captains[3]!.post(url(u11, 'confirm'), {}));
    expect(byKey((await t.client().get(`/api/tournaments/${id}/bracket`)).body.stages[0], 'U1.1')).toMatchObject({ status: 'ready', claim: { side: 'a' } });
    const confirmed = await captains[3]!.post(url(u11, 'confirm'), { ignoreRunningDrafts: true });
    expect(confirmed.status, confirmed.text).toBe(200);
    expect(byKey(confirmed.body, 'U1.1')).toMatchObject({ status: 'done', winner: 'a' });
    expect((await t.client().get(`/api/herodrafts/${game1}`)).body.status).toBe('waiting');

    // An abandoned draft is no obstacle; a running one is, until staff report knowingly.
    const u12 = byKey(stage, 'U1.2'); // T2 – T3
    const abandoned = await draftFor(u12, [teams[1]!, teams[2]!], 1);
    expect((await staff.post(`/api/herodrafts/${abandoned}/abandon`, {})).status).toBe(200);
    const game2 = await draftFor(u12, [teams[1]!, teams[2]!], 2);
    const message = refusedFor(await staff.post(url(u12, 'report'), { scoreA: 2, scoreB: 0 }));
    expect(message).toContain(`hero draft ${game2} (game 2) is waiting`);
    expect(message).not.toContain(`hero draft ${abandoned} `);
    stage = await report(id, u12, { scoreA: 2, scoreB: 0, ignoreRunningDrafts: true });
    expect(byKey(stage, 'U1.2')).toMatchObject({ status: 'done', winner: 'a' });
    expect(byKey(stage, 'U2.1')).toMatchObject({ teamA: { name: 'T1' }, teamB: { name: 'T2' } });
  });

  it('RT5 RT8 a spectator in the tournament room gets every bracket change live, in order; a read after the event shows it', async () => {
    const { id } = await tournamentWithTeams(4);
    const room = `tournament:${id}`;
    const spectator = await connectSocket(t.url);
    try {
      const joined = unwrap(await spectator.join(room));
      // A cached read before the changes, so a stale cache would show.
      expect(BracketView.parse((await t.client().get(`/api/tournaments/${id}/bracket`)).body).stages).toHaveLength(0);
      let stage = (await staff.post(`/api/tournaments/${id}/stages`, { format: 'double_elimination' })).body as StageT;
      const created = await spectator.untilEvents(room, 1);
      expect(created.map((e) => [e.seq, e.type])).toEqual([[joined.seq + 1, 'bracket.stage_created']]);
      expect(BracketView.parse((await t.client().get(`/api/tournaments/${id}/bracket`)).body).stages).toHaveLength(1);
      for (const key of ['U1.1', 'U1.2', 'L1.1']) stage = await report(id, byKey(stage, key), { scoreA: 1, scoreB: 0 });
      const got = await spectator.untilEvents(room, 4);
      expect(got.map((e) => e.seq)).toEqual([1, 2, 3, 4].map((i) => joined.seq + i));
      expect(got.slice(1).map((e) => [e.type, (e.payload as { key: string }).key])).toEqual([
        ['bracket.series_reported', 'U1.1'],
        ['bracket.series_reported', 'U1.2'],
        ['bracket.series_reported', 'L1.1'],
      ]);
      const view = BracketView.parse((await t.client().get(`/api/tournaments/${id}/bracket`)).body);
      expect(view.seq).toBe(joined.seq + 4);
      expect(byKey(view.stages[0]!, 'L2.1').teamA?.name).toBe('T4');
    } finally {
      spectator.close();
    }
  });
});
