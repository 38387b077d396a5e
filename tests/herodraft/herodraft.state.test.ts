import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DATABASES } from '../support/databases';
import type { TestHub } from '../support/hub';
import type { HttpClient } from '../support/http';
import type { ManualClock } from '../../server/deadlines/clock';
import { replayHeroDraft } from '../../shared/live/herodraft';
import type { HeroDraftView } from '../../shared/schemas/herodraft';
import { heroIdsSorted, roomEvents, setupHeroDraft, untilView, view, startHeroDraftHub } from './fixtures';

/**
 * A hero-draft command builds its answer and its event from the state it keeps in memory while
 * it runs. Whatever it writes, that state must be what a fresh read of the database gives:
 * these walk a draft through every kind of command and compare the two after each one.
 */
describe.each(DATABASES)('hero draft: what a command answers and broadcasts is what is stored [%s]', (db) => {
  let t: TestHub;
  let staff: HttpClient;
  let clock: ManualClock;
  const heroes = heroIdsSorted();

  beforeAll(async () => {
    ({ t, staff, clock } = await startHeroDraftHub(db, 'hdstatestaff'));
  });
  afterAll(() => t?.close());

  it('RT1 RT19 every command’s answer and the view its room’s log replays to equal the draft read afresh, from ready-up to abandon', async () => {
    const s = await setupHeroDraft(t, staff);
    const stored = async (): Promise<HeroDraftView> => {
      const { serverTime: _serverTime, ...v } = await view(t, s.id);
      return v;
    };
    /** The room's log replayed from its first event by the shared reducer (RT19). */
    const lastEventView = async () => replayHeroDraft(await roomEvents(t, s.room));
    const check = async (res: { status: number; text: string; body: HeroDraftView }) => {
      expect(res.status, res.text).toBeLessThan(300);
      const now = await stored();
      // The answer is the stored view, stamped with the hub clock (RT15).
      expect(res.body).toEqual({ ...now, serverTime: new Date(clock.now()).toISOString() });
      expect(await lastEventView()).toEqual(now);
      return res.body;
    };
    const step = (v: HeroDraftView, heroId: number) => s.captains[v.turn!.team as 0 | 1].post(`${s.base}/steps`, { stepIndex: v.stepIndex, heroId });

    await check(await staff.patch(s.base, { reserveSeconds: 90 }));
    await check(await s.captains[0].post(`${s.base}/ready`, { ready: true }));
    await check(await s.captains[1].post(`${s.base}/ready`, { ready: true }));
    await check(await s.captains[0].post(`${s.base}/choice`, { kind: 'order', value: 'first' }));
    let v = await check(await s.captains[1].post(`${s.base}/choice`, { kind: 'side', value: 'radiant' }));
    let next = 0;
    for (let i = 0; i < 3; i++) {
      clock.advance(2000);
      v = await check(await step(v, heroes[next++]!));
    }
    clock.advance(5000);
    await check(await staff.post(`${s.base}/pause`, { reason: 'a captain lost connection' }));
    await check(await staff.post(`${s.base}/penalty`, { teamId: s.teamIds[1], seconds: 10 }));
    await check(await s.captains[0].post(`${s.base}/resume`, {}));
    v = await check(await s.captains[1].post(`${s.base}/resume`, {}));
    clock.advance(4000); // the resume countdown

    // A turn that runs out: the deadline fires as a command of its own.
    const at = v.stepIndex;
    clock.advance(v.turn!.stepMs + v.turn!.reserveMs + 1000);
    v = await untilView(t, s.id, (x) => x.stepIndex > at);
    expect((await roomEvents(t, s.room)).at(-1)!.type).toBe('herodraft.timeout');
    expect(await lastEventView()).toEqual(await stored());

    while (v.status === 'drafting') {
      clock.advance(1000);
      const used = new Set(v.done.map((d) => d.heroId));
      while (used.has(heroes[next]!)) next++;
      v = await check(await step(v, heroes[next++]!));
    }
    expect(v.status).toBe('completed');
    expect((await roomEvents(t, s.room)).at(-1)!.type).toBe('herodraft.completed');

    v = await check(await staff.post(`${s.base}/reset`, {}));
    expect(v).toMatchObject({ status: 'waiting', done: [], stepIndex: 0 });
    await check(await s.captains[1].post(`${s.base}/ready`, { ready: true }));
    await check(await staff.post(`${s.base}/abandon`, {}));
  });
});
