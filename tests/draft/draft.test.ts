import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DraftRead, DraftView } from '../../shared/schemas/draft';
import { type RandomSource, seededRandom } from '../../server/draft/draft.rules';
import { ScriptedRandom } from '../support/random';
import { ManualClock } from '../../server/deadlines/clock';
import { DATABASES } from '../support/databases';
import { startHub, type TestHub } from '../support/hub';
import { captainOnTurn, checkFinalRosters, type Client, draftEvents, position, setupDraft } from './fixtures';

/** A die that rolls the given values in turn, then seeded rolls. */
function scripted(values: number[]): RandomSource {
  const after = seededRandom(values.length + 1);
  return { d6: () => values.shift() ?? after.d6() };
}

describe.each(DATABASES)('player draft over REST [%s]', (db) => {
  let t: TestHub;
  let staff: Client;
  const random = new ScriptedRandom();

  beforeAll(async () => {
    // Time stands still unless a test moves it: timer values are exact, whatever the machine's load.
    t = await startHub({ db, clock: new ManualClock(Date.now() + 24 * 3600_000), random });
    staff = (await t.login('draftstaff', 'staff')) as Client;
  });
  afterAll(() => t?.close());

  const read = async (base: string) => {
    const res = await t.client().get(base);
    expect(res.status, res.text).toBe(200);
    return res.body as DraftView & { serverTime: string };
  };

  it('DR2 DR8 a snake draft from setup to completed: the tournament freezes, captains pick, the teams become the drafted teams', async () => {
    const s = await setupDraft(t, staff, { teams: 3, players: 7, teamSize: 3, open: false });
    const setup = await read(s.base);
    expect(DraftRead.strict().safeParse(setup).success).toBe(true);
    expect(setup).toMatchObject({ status: 'setup', style: 'snake', teamSize: 3, pickSeconds: null, turn: { pickNumber: 1 } });
    expect(setup.teams.map((x) => x.id)).toEqual(s.teamIds);
    expect(setup.pool).toHaveLength(7);

    const opened = await staff.post(`${s.base}/open`, {});
    expect(opened.status, opened.text).toBe(200);
    expect(opened.body.status).toBe('open');
    expect((await t.client().get(`/api/tournaments/${s.id}`)).body.state).toBe('drafting');
    // Frozen: the pool and the teams no longer change.
    const outsider = (await t.login('lateplayer')) as Client;
    expect((await staff.post(`/api/tournaments/${s.id}/players`, { userId: outsider.userId, mmr: 100 })).status).toBe(409);
    expect((await staff.patch(`/api/tournaments/${s.id}/teams/${s.teamIds[0]}`, { name: 'New name' })).status).toBe(409);
    // Not started yet: no pick.
    const early = await s.captains[0]!.post(`${s.base}/picks`, { userId: s.players[0]!.userId, pickNumber: 1 });
    expect(early.status).toBe(409);

    const started = await staff.post(`${s.base}/start`, {});
    expect(started.status, started.text).toBe(200);
    expect(started.body).toMatchObject({ status: 'running', turn: { pickNumber: 1, teamId: s.teamIds[0] }, deadlineAt: null });

    const order: number[] = [];
    let view = started.body as DraftView;
    while (view.status === 'running') {
      const captain = captainOnTurn(s, view);
      order.push(view.turn!.teamId!);
      // Each captain takes the lowest MMR left, to make it different from auto-pick.
      const choice = view.pool.filter((p) => p.teamId === null).at(-1)!;
      const res = await captain.post(`${s.base}/picks`, { userId: choice.user.id, pickNumber: view.turn!.pickNumber });
      expect(res.status, res.text).toBe(201);
      view = res.body;
    }
    const [a, b, c] = s.teamIds as [number, number, number];
    expect(order).toEqual([a, b, c, c, b, a]);
    checkFinalRosters(view);
    expect(view.turn).toBeNull();
    expect(view.pool.filter((p) => p.teamId === null)).toHaveLength(1);
    expect(view.picks.every((p) => p.method === 'captain')).toBe(true);

    // The tournament's teams are now the drafted teams.
    const teams = (await t.client().get(`/api/tournaments/${s.id}/teams`)).body.items as { id: number; members: { user: { id: number } }[] }[];
    for (const team of view.teams) {
      expect(teams.find((x) => x.id === team.id)!.members.map((m) => m.user.id)).toEqual(team.members.map((m) => m.user.id));
    }
    const events = await draftEvents(t, s.room);
    expect(events.map((e) => e.type)).toEqual(['draft.configured', 'draft.opened', 'draft.started', ...Array(6).fill('draft.picked'), 'draft.completed']);
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
    // Completed is final.
    for (const action of ['undo', 'restart', 'start', 'pause']) {
      expect((await staff.post(`${s.base}/${action}`, {})).status, action).toBe(409);
    }
  });

  it('DR1 a normal draft keeps the same order every round', async () => {
    const s = await setupDraft(t, staff, { teams: 3, players: 6, teamSize: 3, style: 'normal' });
    let view = (await staff.post(`${s.base}/start`, {})).body as DraftView;
    const order: number[] = [];
    while (view.status === 'running') {
      order.push(view.turn!.teamId!);
      const choice = view.pool.find((p) => p.teamId === null)!;
      view = (await captainOnTurn(s, view).post(`${s.base}/picks`, { userId: choice.user.id, pickNumber: view.turn!.pickNumber })).body;
    }
    expect(order).toEqual([...s.teamIds, ...s.teamIds]);
    checkFinalRosters(view);
  });

  it('DR3 only the captain on turn or staff may pick, only a player still in the pool; refusals change nothing', async () => {
    const s = await setupDraft(t, staff, { teams: 2, players: 4, teamSize: 3 });
    const started = (await staff.post(`${s.base}/start`, {})).body as DraftView;
    const [first, second] = s.captains as [Client, Client];
    const [p0, p1] = s.players as [Client, Client];
    const before = (await draftEvents(t, s.room)).length;
    const pick = (client: Client | ReturnType<TestHub['client']>, userId: number, pickNumber = 1) => client.post(`${s.base}/picks`, { userId, pickNumber });

    const outOfTurn = await pick(second, p0.userId);
    expect(outOfTurn.status).toBe(403);
    expect(outOfTurn.body.error.message).toMatch(/turn/);
    expect((await pick(p1, p0.userId)).status).toBe(403); // a player, not a captain
    expect((await pick(t.client(), p0.userId)).status).toBe(401);
    expect((await pick(first, second.userId)).status).toBe(409); // a captain is not in the pool to pick
    expect((await pick(first, 999999)).status).toBe(404);
    expect((await pick(first, p0.userId, 2)).status).toBe(409); // not pick 2 yet
    const bad = await first.post(`${s.base}/picks`, { userId: 'x', pickNumber: 1 });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('invalid_payload');
    expect((await draftEvents(t, s.room)).length).toBe(before);
    expect(position(await read(s.base))).toEqual(position(started));

    const ok = await pick(first, p0.userId);
    expect(ok.status).toBe(201);
    expect((await pick(first, p1.userId)).status).toBe(409); // once per turn: pick 1 is over
    const again = await pick(second, p0.userId, 2);
    expect(again.status).toBe(409);
    expect(again.body.error.message).toMatch(/already been picked/);

    // Staff pick on the second captain's behalf: recorded as such.
    const byStaff = await pick(staff, p1.userId, 2);
    expect(byStaff.status, byStaff.text).toBe(201);
    expect(byStaff.body.picks[1]).toMatchObject({ pickNumber: 2, teamId: s.teamIds[1], userId: p1.userId, method: 'staff', byUserId: staff.userId });
    expect(byStaff.body.picks[0]).toMatchObject({ method: 'captain', byUserId: first.userId });
    const events = await draftEvents(t, s.room);
    expect(events.at(-1)!.type).toBe('draft.picked');
  });

  it('DR6 undo restores the exact state before the last pick; pause, resume and restart', async () => {
    const s = await setupDraft(t, staff, { teams: 2, players: 6, teamSize: 4, pickSeconds: 60 });
    let view = (await staff.post(`${s.base}/start`, {})).body as DraftView;
    expect(view.deadlineAt).not.toBeNull();
    const states: DraftView[] = [view];
    for (let i = 0; i < 3; i++) {
      view = (
        await captainOnTurn(s, view).post(`${s.base}/picks`, { userId: view.pool.find((p) => p.teamId === null)!.user.id, pickNumber: view.turn!.pickNumber })
      ).body;
      states.push(view);
    }
    for (let i = 2; i >= 0; i--) {
      const undone = await staff.post(`${s.base}/undo`, {});
      expect(undone.status, undone.text).toBe(200);
      expect(position(undone.body)).toEqual(position(states[i]!));
      expect(undone.body.deadlineAt).not.toBeNull();
    }
    expect((await staff.post(`${s.base}/undo`, {})).status).toBe(409); // nothing left to undo

    // A captain may not undo or pause.
    expect((await s.captains[0]!.post(`${s.base}/undo`, {})).status).toBe(403);
    expect((await s.captains[0]!.post(`${s.base}/pause`, {})).status).toBe(403);

    const paused = await staff.post(`${s.base}/pause`, {});
    expect(paused.body).toMatchObject({ status: 'paused', deadlineAt: null });
    expect(paused.body.pausedRemainingMs).toBe(60_000);
    expect((await s.captains[0]!.post(`${s.base}/picks`, { userId: s.players[0]!.userId, pickNumber: 1 })).status).toBe(409);
    expect((await staff.post(`${s.base}/pause`, {})).status).toBe(409);
    const resumed = await staff.post(`${s.base}/resume`, {});
    expect(resumed.body).toMatchObject({ status: 'running', pausedRemainingMs: null });
    expect(resumed.body.deadlineAt).not.toBeNull();

    await s.captains[0]!.post(`${s.base}/picks`, { userId: s.players[0]!.userId, pickNumber: 1 });
    const restarted = await staff.post(`${s.base}/restart`, {});
    expect(restarted.body).toMatchObject({ status: 'open', picks: [], rolls: [], deadlineAt: null, startedAt: null });
    expect((await staff.post(`${s.base}/start`, {})).body.turn).toMatchObject({ pickNumber: 1, teamId: s.teamIds[0] });

    // expectedSeq guards a control against a stale view.
    const stale = await staff.post(`${s.base}/pause`, { expectedSeq: 1 });
    expect(stale.status).toBe(409);
  });

  it('DR4 DR5 shuffle: the lowest total picks; ties are rolled on the server, stored and shown, re-rolled among the still tied', async () => {
    // Equal captains: the first turn is a three-way tie. Rolls 6, 6, 2 → teams 1 and 2 roll again: 3, 5 → team 2.
    random.use(scripted([6, 6, 2, 3, 5]));
    const s = await setupDraft(t, staff, { teams: 3, players: 6, teamSize: 3, style: 'shuffle', captainMmr: () => 4000, playerMmr: (i) => 1000 + i * 100 });
    const view = (await staff.post(`${s.base}/start`, {})).body as DraftView;
    const [a, b, c] = s.teamIds as [number, number, number];
    expect(view.turn).toMatchObject({ pickNumber: 1, teamId: b, tied: [a, b, c] });
    expect(view.rolls).toEqual([
      { pickNumber: 1, round: 1, teamId: a, value: 6 },
      { pickNumber: 1, round: 1, teamId: b, value: 6 },
      { pickNumber: 1, round: 1, teamId: c, value: 2 },
      { pickNumber: 1, round: 2, teamId: a, value: 3 },
      { pickNumber: 1, round: 2, teamId: b, value: 5 },
    ]);
    const started = (await draftEvents(t, s.room)).at(-1)!;
    expect(started.type).toBe('draft.started');
    expect(started.payload.rolls).toHaveLength(5);

    // Team b takes the best (1500): a and c tie at 4000 and roll 2 and 4.
    random.use(scripted([2, 4]));
    const next = (await captainOnTurn(s, view).post(`${s.base}/picks`, { userId: view.pool[0]!.user.id, pickNumber: 1 })).body as DraftView;
    expect(next.turn).toMatchObject({ pickNumber: 2, teamId: c, tied: [a, c] });
    expect(next.rolls.filter((r) => r.pickNumber === 2)).toEqual([
      { pickNumber: 2, round: 1, teamId: a, value: 2 },
      { pickNumber: 2, round: 1, teamId: c, value: 4 },
    ]);
    // Undo drops the rolls made after the undone pick, keeps the ones that decided it.
    const undone = (await staff.post(`${s.base}/undo`, {})).body as DraftView;
    expect(undone.rolls).toEqual(view.rolls);
    expect(undone.turn).toEqual(view.turn);

    // The rest with seeded dice: every pick goes to a lowest non-full team.
    random.use(scripted([]));
    let current = undone;
    while (current.status === 'running') {
      const open = current.teams.filter((x) => !x.full);
      const lowest = Math.min(...open.map((x) => x.totalMmr));
      expect(current.teams.find((x) => x.id === current.turn!.teamId)!.totalMmr).toBe(lowest);
      current = (
        await captainOnTurn(s, current).post(`${s.base}/picks`, {
          userId: current.pool.find((p) => p.teamId === null)!.user.id,
          pickNumber: current.turn!.pickNumber,
        })
      ).body;
    }
    checkFinalRosters(current);
  });

  it('DR9 a captain’s queue is theirs alone: not in the public state, not in the draft room, not for other captains or staff', async () => {
    const s = await setupDraft(t, staff, { teams: 2, players: 4, teamSize: 3 });
    const [first, second] = s.captains as [Client, Client];
    const queue = [s.players[2]!.userId, s.players[1]!.userId];
    const set = await first.put(`${s.base}/queue`, { userIds: queue });
    expect(set.status, set.text).toBe(200);
    expect(set.body).toEqual({ tournamentId: s.id, userIds: queue });
    expect((await first.get(`${s.base}/queue`)).body.userIds).toEqual(queue);
    expect((await second.get(`${s.base}/queue`)).body.userIds).toEqual([]);
    expect((await staff.get(`${s.base}/queue`)).status).toBe(403);
    expect((await t.client().get(`${s.base}/queue`)).status).toBe(401);
    expect((await s.players[0]!.put(`${s.base}/queue`, { userIds: queue })).status).toBe(403);
    expect((await first.put(`${s.base}/queue`, { userIds: [second.userId] })).status).toBe(409); // a captain is not draftable
    // Nowhere public: the draft room's log and the public read never carry it.
    const text = JSON.stringify(await draftEvents(t, s.room)) + JSON.stringify(await read(s.base));
    expect(text).not.toMatch(/"userIds"/);
    const userRoom = await t.hub.services
      .db('events')
      .where({ room: `user:${first.userId}` })
      .orderBy('seq');
    expect(userRoom.at(-1)!.type).toBe('draft.queue');
  });

  it('balance preview for staff: greedy totals for normal and snake, and why shuffle has none', async () => {
    const s = await setupDraft(t, staff, { teams: 2, players: 4, teamSize: 3, captainMmr: () => 0, playerMmr: (i) => [400, 300, 200, 100][i]!, open: false });
    const res = await staff.get(`${s.base}/preview`);
    expect(res.status, res.text).toBe(200);
    expect(res.body.normal).toEqual([
      { teamId: s.teamIds[0], total: 600 },
      { teamId: s.teamIds[1], total: 400 },
    ]);
    expect(res.body.snake).toEqual([
      { teamId: s.teamIds[0], total: 500 },
      { teamId: s.teamIds[1], total: 500 },
    ]);
    expect(res.body.shuffle).toMatch(/cannot be predicted/);
    expect((await s.captains[0]!.get(`${s.base}/preview`)).status).toBe(403);
  });

  it('RT2 RT3 bad settings and unauthorised controls change nothing', async () => {
    const s = await setupDraft(t, staff, { teams: 2, players: 2, teamSize: 2, open: false });
    const before = (await draftEvents(t, s.room)).length;
    const bad = await staff.patch(s.base, { style: 'auction', pickSeconds: 1 });
    expect(bad.status).toBe(400);
    expect(bad.body.error.issues.map((i: { path: string[] }) => i.path.join('.'))).toEqual(['body.style', 'body.pickSeconds']);
    expect((await s.captains[0]!.patch(s.base, { style: 'normal' })).status).toBe(403);
    expect((await s.captains[0]!.post(`${s.base}/open`, {})).status).toBe(403);
    expect((await t.client().post(`${s.base}/open`, {})).status).toBe(401);
    expect((await staff.get('/api/tournaments/999999/draft')).status).toBe(404);
    expect((await draftEvents(t, s.room)).length).toBe(before);
    // Once open, the team size is fixed; the style and timer may still change until the start.
    expect((await staff.post(`${s.base}/open`, {})).status).toBe(200);
    expect((await staff.patch(s.base, { teamSize: 3 })).status).toBe(409);
    const restyled = await staff.patch(s.base, { style: 'normal', pickSeconds: 45 });
    expect(restyled.body).toMatchObject({ style: 'normal', pickSeconds: 45, teamSize: 2 });
    expect((await staff.post(`${s.base}/start`, {})).status).toBe(200);
    expect((await staff.patch(s.base, { style: 'snake' })).status).toBe(409);
    expect((await s.captains[0]!.post(`${s.base}/picks`, { userId: s.players[0]!.userId, pickNumber: 1 })).status).toBe(201);
    // Staff moving the tournament back to registration by hand puts the draft back in setup:
    // teams and pool may change again; opening it again starts over.
    expect((await staff.patch(`/api/tournaments/${s.id}`, { state: 'registration' })).status).toBe(200);
    expect(await read(s.base)).toMatchObject({ status: 'setup', picks: [], rolls: [], deadlineAt: null });
    expect((await staff.post(`${s.base}/pause`, {})).status).toBe(409);
    const reopened = await staff.post(`${s.base}/open`, {});
    expect(reopened.body).toMatchObject({ status: 'open', picks: [], deadlineAt: null });
    expect((await staff.post(`${s.base}/start`, {})).body.turn).toMatchObject({ pickNumber: 1 });
    // Moved on to 'playing' mid-draft: the draft's commands are refused.
    expect((await staff.patch(`/api/tournaments/${s.id}`, { state: 'playing' })).status).toBe(200);
    const stopped = await staff.post(`${s.base}/pause`, {});
    expect(stopped.status).toBe(409);
    expect(stopped.body.error.message).toMatch(/not 'drafting'/);
    // A one-team tournament cannot open a draft.
    const lone = await setupDraft(t, staff, { teams: 1, players: 2, open: false });
    expect((await staff.post(`${lone.base}/open`, {})).status).toBe(409);
  });
});
