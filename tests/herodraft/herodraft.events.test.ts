import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DATABASES } from '../support/databases';
import { startHub, type TestHub } from '../support/hub';
import type { HttpClient } from '../support/http';
import { connectSocket, type TestSocket, unwrap } from '../support/socket';
import { ManualClock } from '../../server/deadlines/clock';
import { HeroDraftStepEvent, type HeroDraftView } from '../../shared/schemas/herodraft';
import type { WireEvent } from '../../shared/realtime';
import { heldView, heroIdsSorted, setupHeroDraft, startDrafting, teamAWinsTheToss } from './fixtures';

/**
 * What the events of a hero draft say in their own fields: a client that reads them (and not
 * only the view inside) must file each ban and pick under the step it was made on.
 */
describe.each(DATABASES)('hero-draft events name the step they record (%s)', (db) => {
  let t: TestHub;
  let staff: HttpClient;
  let clock: ManualClock;
  const sockets: TestSocket[] = [];
  const heroes = heroIdsSorted();

  beforeAll(async () => {
    // The captains act over REST (no socket): a long grace keeps their absence from pausing.
    clock = new ManualClock(Date.parse('2030-09-01T18:00:00Z'));
    t = await startHub({ db, env: { HERODRAFT_GRACE_MS: '600000' }, clock, random: teamAWinsTheToss() });
    staff = await t.login('hdeventstaff', 'staff');
  });
  afterAll(async () => {
    for (const s of sockets) s.close();
    await t?.close();
  });

  const stepEvents = (socket: TestSocket, room: string) => socket.eventsOf(room).filter((e) => e.type === 'herodraft.step' || e.type === 'herodraft.timeout');

  /**
   * The event's own fields, parsed by the shared schema, next to the step that the view after
   * it (the spectator's snapshot with the events up to it applied by the shared reducer) filed.
   */
  function ownFields(e: WireEvent, socket: TestSocket, snapshot: HeroDraftView) {
    const payload = HeroDraftStepEvent.parse(e.payload);
    const after = heldView(socket, e.room, snapshot, e.seq);
    const filed = after.done.find((d) => d.stepIndex === payload.stepIndex);
    return { payload, filed, after };
  }

  it('CM3 CM5 herodraft.step and herodraft.timeout carry the index of the step they record (step 0 is 0; a timed-out step 7 is 7)', async () => {
    const s = await setupHeroDraft(t, staff);
    const spectator = await connectSocket(t.url);
    sockets.push(spectator);
    const joined = unwrap(await spectator.join(s.room));
    if (!('snapshot' in joined)) throw new Error('a first join answers with a snapshot');
    const snapshot = joined.snapshot as HeroDraftView;
    let v: HeroDraftView = await startDrafting(s);

    // Steps 0-6 (the first ban phase) by the captains.
    for (let i = 0; i < 7; i++) {
      const res = await s.captains[v.turn!.team as 0 | 1].post(`${s.base}/steps`, { stepIndex: i, heroId: heroes[i]! });
      expect(res.status, res.text).toBe(201);
      v = res.body;
    }
    const steps = await spectator.until(() => stepEvents(spectator, s.room).length >= 7 && stepEvents(spectator, s.room), '7 step events');
    expect(steps.map((e) => e.type)).toEqual(Array(7).fill('herodraft.step'));
    const first = ownFields(steps[0]!, spectator, snapshot);
    expect(first.payload).toMatchObject({ stepIndex: 0, team: 0, action: 'ban', heroId: heroes[0], method: 'captain' });
    expect(first.after.done).toEqual([{ stepIndex: 0, team: 0, action: 'ban', heroId: heroes[0], method: 'captain' }]);
    steps.forEach((e, i) => {
      const { payload, filed } = ownFields(e, spectator, snapshot);
      expect(payload.stepIndex, `event of step ${i}`).toBe(i);
      expect(filed, `step ${i} filed in the view`).toEqual({
        stepIndex: payload.stepIndex,
        team: payload.team,
        action: payload.action,
        heroId: payload.heroId,
        method: payload.method,
      });
    });

    // Step 7 (F's first pick) runs out: a random hero, recorded as step 7.
    expect(v.turn).toMatchObject({ stepIndex: 7, team: 0, action: 'pick' });
    clock.advance(Date.parse(v.turn!.deadlineAt) - clock.now());
    const timeout = await spectator.until(() => spectator.eventsOf(s.room).find((e) => e.type === 'herodraft.timeout'), 'the timeout event');
    const { payload, filed, after } = ownFields(timeout, spectator, snapshot);
    expect(payload).toMatchObject({ stepIndex: 7, team: 0, action: 'pick', method: 'timeout', heroId: heroes[7] });
    expect(filed).toEqual({ stepIndex: 7, team: 0, action: 'pick', heroId: heroes[7], method: 'timeout' });
    expect(payload.set.stepIndex).toBe(8); // the view has moved on to the next step
    expect(after.stepIndex).toBe(8);

    // A rejoin that replays the log gets the same fields.
    const late = await connectSocket(t.url);
    sockets.push(late);
    const replay = unwrap(await late.join(s.room, 0));
    expect('events' in replay).toBe(true);
    const replayed = 'events' in replay ? replay.events.filter((e) => e.type === 'herodraft.step' || e.type === 'herodraft.timeout') : [];
    expect(replayed.map((e) => HeroDraftStepEvent.parse(e.payload).stepIndex)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
  });

  it('CM3 the last step’s event names the last step, then the draft completes', async () => {
    const s = await setupHeroDraft(t, staff, {
      steps: [
        { team: 'F', action: 'ban', seconds: 10 },
        { team: 'S', action: 'pick', seconds: 10 },
      ],
    });
    const spectator = await connectSocket(t.url);
    sockets.push(spectator);
    unwrap(await spectator.join(s.room));
    await startDrafting(s);
    const v = (await s.captains[0].post(`${s.base}/steps`, { stepIndex: 0, heroId: heroes[0]! })).body;
    expect(v.turn).toMatchObject({ stepIndex: 1, team: 1 });
    expect((await s.captains[1].post(`${s.base}/steps`, { stepIndex: 1, heroId: heroes[1]! })).status).toBe(201);
    await spectator.until(() => spectator.eventsOf(s.room).some((e) => e.type === 'herodraft.completed'), 'completed');
    const steps = stepEvents(spectator, s.room).map((e) => HeroDraftStepEvent.parse(e.payload));
    expect(steps.map((p) => [p.stepIndex, p.team, p.action])).toEqual([
      [0, 0, 'ban'],
      [1, 1, 'pick'],
    ]);
    expect(steps[1]!.set.status).toBe('completed');
  });
});
