import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyHeroDraftEvent, replayHeroDraft } from '../../shared/live/herodraft';
import type { HeroDraftStep, HeroDraftView } from '../../shared/schemas/herodraft';
import { ManualClock } from '../../server/deadlines/clock';
import { DATABASES } from '../support/databases';
import { eventually } from '../support/eventually';
import type { HttpClient } from '../support/http';
import { startHub, type TestHub } from '../support/hub';
import { connectSocket, type TestSocket, unwrap } from '../support/socket';
import { type Client, heroIdsSorted, roomEvents, setupHeroDraft, teamAWinsTheToss } from './fixtures';

/**
 * RT19 for hero drafts: the room's log, replayed from its first event through the shared
 * reducer, is exactly what the server answers and reads, after every command and timeout of
 * random Captains Mode drafts (ready-up, toss and choices, captains' picks and bans, steps and
 * reserves running out, pauses and resumes by staff or the captains' votes, a captain's
 * disconnect grace and the pause it ends in, penalties, new timings, reset, abandon).
 */

const GRACE_MS = 2000;
const COUNTDOWN_MS = 3000;

type Team = 0 | 1;
type Action =
  | { kind: 'next'; choice: number } // whatever moves the draft on: ready, the due choice, the step on turn, a resume vote
  | { kind: 'unready'; team: Team }
  | { kind: 'wait'; ms: number }
  | { kind: 'timeout' }
  | { kind: 'pause' }
  | { kind: 'resume' }
  | { kind: 'penalty'; team: Team; seconds: number }
  | { kind: 'configure'; reserveSeconds: number; stepSeconds: number | null }
  | { kind: 'away'; team: Team }
  | { kind: 'back'; team: Team }
  | { kind: 'graceOut' }
  | { kind: 'reset' }
  | { kind: 'abandon' };

const team = fc.constantFrom<Team>(0, 1);
const action: fc.Arbitrary<Action> = fc.oneof(
  { weight: 16, arbitrary: fc.record({ kind: fc.constant('next' as const), choice: fc.nat(50) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('unready' as const), team }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('wait' as const), ms: fc.integer({ min: 500, max: 40_000 }) }) },
  { weight: 3, arbitrary: fc.constant({ kind: 'timeout' as const }) },
  { weight: 2, arbitrary: fc.constant({ kind: 'pause' as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'resume' as const }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('penalty' as const), team, seconds: fc.integer({ min: 1, max: 90 }) }) },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('configure' as const),
      reserveSeconds: fc.integer({ min: 0, max: 60 }),
      stepSeconds: fc.option(fc.integer({ min: 5, max: 30 }), { nil: null }),
    }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('away' as const), team }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('back' as const), team }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'graceOut' as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'reset' as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'abandon' as const }) },
);

const step: fc.Arbitrary<HeroDraftStep> = fc.record({
  team: fc.constantFrom<'F' | 'S'>('F', 'S'),
  action: fc.constantFrom<'ban' | 'pick'>('ban', 'pick'),
  seconds: fc.integer({ min: 5, max: 30 }),
});

const heroDraftCase = fc.record({
  // A short order of steps reaches the end of a draft now and then; none: the preset's 24.
  steps: fc.option(fc.array(step, { minLength: 1, maxLength: 6 }), { nil: undefined }),
  reserveSeconds: fc.integer({ min: 0, max: 40 }),
  actions: fc.array(action, { minLength: 4, maxLength: 40 }),
});

/** Every kind of event, each of which the runs must have logged at least once. */
const EVENT_TYPES = [
  'herodraft.created',
  'herodraft.configured',
  'herodraft.ready',
  'herodraft.tossed',
  'herodraft.chosen',
  'herodraft.started',
  'herodraft.step',
  'herodraft.timeout',
  'herodraft.completed',
  'herodraft.paused',
  'herodraft.resumeVote',
  'herodraft.resumed',
  'herodraft.penalty',
  'herodraft.grace',
  'herodraft.reset',
  'herodraft.abandoned',
];

describe.each(DATABASES)('RT19 the hero-draft reducer replays the log to the server snapshot [%s]', (db) => {
  let t: TestHub;
  let staff: HttpClient;
  let clock: ManualClock;
  const heroes = heroIdsSorted();

  beforeAll(async () => {
    clock = new ManualClock(Date.parse('2030-07-01T18:00:00Z'));
    t = await startHub({
      db,
      clock,
      random: teamAWinsTheToss(),
      env: { RT_PRESENCE_THROTTLE_MS: '20', HERODRAFT_GRACE_MS: String(GRACE_MS), HERODRAFT_RESUME_COUNTDOWN_MS: String(COUNTDOWN_MS) },
    });
    staff = await t.login('hdreplaystaff', 'staff');
  });
  afterAll(() => t?.close());

  /** The log replayed up to `view.seq` must equal `view` (an answer or a read at that seq). */
  async function expectReplayed(room: string, view: HeroDraftView) {
    const events = (await roomEvents(t, room)).filter((e) => e.seq <= view.seq);
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
    const { serverTime: _time, ...read } = view as HeroDraftView & { serverTime?: string };
    expect(replayHeroDraft(events)).toEqual(read);
  }

  const idle = async () => expect(await t.hub.services.commands.idle(5000)).toBe(true);

  it(
    'RT19 CM2 CM3 CM4 CM5 CM6 random hero drafts: after every command and timeout, replaying the log gives the answer and the REST read',
    { timeout: 300_000 },
    async () => {
      const seen = new Map<string, number>();
      await fc.assert(
        fc.asyncProperty(heroDraftCase, async (c) => {
          const s = await setupHeroDraft(t, staff, { reserveSeconds: c.reserveSeconds, ...(c.steps ? { steps: c.steps } : {}) });
          const read = async () => {
            const res = await t.client().get(s.base);
            expect(res.status, res.text).toBe(200);
            return res.body as HeroDraftView;
          };
          /** Each captain's socket in the room (their presence), while they are connected. */
          const sockets: [TestSocket | null, TestSocket | null] = [null, null];
          const connect = async (i: Team) => {
            const socket = await connectSocket(t.url, { cookie: (s.captains[i] as Client).cookieHeader() });
            unwrap(await socket.join(s.room));
            sockets[i] = socket;
          };
          await connect(0);
          await connect(1);
          await idle();
          let view = await read();
          await expectReplayed(s.room, view);
          /** Runs until the REST read satisfies `done` (a deadline's or presence's command), then waits for quiet. */
          const until = async (done: (v: HeroDraftView) => boolean, what: string) => {
            view = await eventually(async () => {
              const next = await read();
              return done(next) ? next : undefined;
            }, what);
            await idle();
            view = await read();
          };
          /** How far time may move without a deadline falling due (the step's, the grace's). */
          const quietFor = (v: HeroDraftView) => {
            const due = [v.turn ? Date.parse(v.turn.deadlineAt) : Infinity, v.graceDueAt ? Date.parse(v.graceDueAt) : Infinity];
            return Math.min(...due) - clock.now() - 1;
          };

          try {
            for (const a of c.actions) {
              let res: { status: number; text: string; body: unknown } | undefined;
              const captain = (i: number) => s.captains[i as Team];
              switch (a.kind) {
                case 'next': {
                  if (view.status === 'waiting') {
                    const i = view.teams.findIndex((x) => !x.ready);
                    res = await captain(i === -1 ? a.choice % 2 : i).post(`${s.base}/ready`, { ready: true });
                  } else if (view.status === 'choosing' && view.toss.due) {
                    const kind = view.toss.due.kinds[a.choice % view.toss.due.kinds.length]!;
                    const value = kind === 'order' ? (a.choice % 3 === 0 ? 'second' : 'first') : a.choice % 3 === 0 ? 'dire' : 'radiant';
                    res = await captain(view.toss.due.team).post(`${s.base}/choice`, { kind, value });
                  } else if (view.status === 'drafting' && view.turn) {
                    // A resume's countdown is still running: let it.
                    const startsIn = Date.parse(view.turn.startedAt) - clock.now();
                    if (startsIn > 0 && startsIn < quietFor(view)) clock.advance(startsIn);
                    const used = new Set(view.done.map((d) => d.heroId));
                    const left = heroes.filter((h) => !used.has(h));
                    const heroId = left[a.choice % left.length]!;
                    res = await captain(view.turn.team).post(`${s.base}/steps`, { stepIndex: view.turn.stepIndex, heroId });
                  } else if (view.status === 'paused') {
                    res = await captain(a.choice % 2).post(`${s.base}/resume`, {});
                  } else continue;
                  break;
                }
                case 'unready':
                  res = await captain(a.team).post(`${s.base}/ready`, { ready: false });
                  break;
                case 'wait':
                  clock.advance(Math.max(0, Math.min(a.ms, quietFor(view))));
                  continue;
                case 'timeout': {
                  if (view.status !== 'drafting' || !view.turn) continue;
                  const before = view.seq;
                  // The step's own time and then the reserve run out (or the grace, if it is due first).
                  clock.advance(Math.max(0, Date.parse(view.turn.deadlineAt) - clock.now()));
                  await until((v) => v.seq > before, 'the timeout');
                  break;
                }
                case 'pause':
                  res = await staff.post(`${s.base}/pause`, { reason: 'replay test' });
                  break;
                case 'resume':
                  res = await staff.post(`${s.base}/resume`, {});
                  break;
                case 'penalty':
                  res = await staff.post(`${s.base}/penalty`, { teamId: s.teamIds[a.team], seconds: a.seconds });
                  break;
                case 'configure':
                  res = await staff.patch(s.base, { reserveSeconds: a.reserveSeconds, ...(a.stepSeconds === null ? {} : { stepSeconds: a.stepSeconds }) });
                  break;
                case 'away': {
                  const socket = sockets[a.team];
                  if (!socket) continue;
                  const other = sockets[a.team === 0 ? 1 : 0];
                  const starts = view.status === 'drafting' && view.graceDueAt === null;
                  socket.close();
                  sockets[a.team] = null;
                  // While drafting, the first captain to go starts the grace (CM6); otherwise nothing happens.
                  if (starts && other) await until((v) => v.graceDueAt !== null || v.status !== 'drafting', 'the grace');
                  else await idle();
                  break;
                }
                case 'back': {
                  if (sockets[a.team]) continue;
                  const ends = view.graceDueAt !== null && sockets[a.team === 0 ? 1 : 0] !== null;
                  await connect(a.team);
                  if (ends) await until((v) => v.graceDueAt === null, 'the grace called off');
                  else await idle();
                  break;
                }
                case 'graceOut': {
                  if (view.status !== 'drafting' || !view.graceDueAt) continue;
                  clock.advance(Math.max(0, Date.parse(view.graceDueAt) - clock.now()));
                  await until((v) => v.graceDueAt === null, 'the pause after the grace');
                  break;
                }
                case 'reset':
                  res = await staff.post(`${s.base}/reset`, {});
                  break;
                case 'abandon':
                  res = await staff.post(`${s.base}/abandon`, {});
                  break;
              }
              if (res) {
                // Refusals (ready-up while drafting, a pause while paused, a step in a resume's countdown…) write nothing.
                if (res.status >= 300) {
                  expect(res.status, res.text).toBe(409);
                  continue;
                }
                view = res.body as HeroDraftView;
              }
              await expectReplayed(s.room, view);
            }
          } finally {
            for (const socket of sockets) socket?.close();
          }
          await idle();
          const last = await read();
          await expectReplayed(s.room, last);
          for (const e of await roomEvents(t, s.room)) {
            const kinds = e.type === 'herodraft.timeout' ? [e.type, `${e.type}:${String(e.payload.action)}`] : [e.type];
            for (const kind of kinds) seen.set(kind, (seen.get(kind) ?? 0) + 1);
          }
        }),
        { numRuns: 24, seed: 2020 },
      );
      // A timed-out ban is skipped and a timed-out pick random (CM5): both happened.
      for (const type of [...EVENT_TYPES, 'herodraft.timeout:ban', 'herodraft.timeout:pick']) expect(seen.get(type) ?? 0, type).toBeGreaterThan(0);
    },
  );
});

describe('RT19 the hero-draft reducer refuses what does not fit', () => {
  const teams = [0, 1].map((i) => ({
    id: i + 1,
    name: `T${i}`,
    captain: { id: i + 1, name: `c${i}` },
    ready: true,
    reserveMs: 0,
    side: null,
    firstPick: i === 0,
    picks: [],
    bans: [],
  }));
  const view = {
    seq: 5,
    stepIndex: 1,
    steps: [
      { team: 'F', action: 'ban', seconds: 10 },
      { team: 'S', action: 'ban', seconds: 10 },
      { team: 'F', action: 'pick', seconds: 10 },
    ],
    done: [{ stepIndex: 0, team: 0, action: 'ban', heroId: 7, method: 'captain' }],
    teams,
  } as unknown as HeroDraftView;
  const set = { status: 'drafting', stepIndex: 2, turn: null, paused: null, toss: {}, graceDueAt: null, completedAt: null, teams: teams.map(() => ({})) };
  const stepEvent = (seq: number, fields: Record<string, unknown>) => ({
    seq,
    type: 'herodraft.step',
    payload: { stepIndex: 1, team: 1, action: 'ban', heroId: 8, method: 'captain', set, ...fields },
  });

  it('RT19 an event out of order, without its fields, for a step already done or not on turn, or with a hero taken throws CannotApply (the client resyncs)', () => {
    expect(() => applyHeroDraftEvent(undefined, stepEvent(1, {}))).toThrow(/no hero draft to apply it to/);
    expect(() => applyHeroDraftEvent(view, { seq: 6, type: 'herodraft.paused', payload: null })).toThrow(/no payload/);
    expect(() => applyHeroDraftEvent(view, { seq: 6, type: 'herodraft.paused', payload: {} })).toThrow(/no hero-draft fields/);
    expect(() => applyHeroDraftEvent(view, stepEvent(7, {}))).toThrow(/at seq 5/);
    expect(() => applyHeroDraftEvent(view, stepEvent(6, { stepIndex: 0 }))).toThrow(/step 0 is already done/);
    expect(() => applyHeroDraftEvent(view, stepEvent(6, { stepIndex: 2, action: 'pick' }))).toThrow(/step 2 is not on turn/);
    expect(() => applyHeroDraftEvent(view, stepEvent(6, { action: 'pick' }))).toThrow(/step 1 is not a pick/);
    expect(() => applyHeroDraftEvent(view, stepEvent(6, { heroId: 7 }))).toThrow(/hero 7 is already taken/);
    expect(() => applyHeroDraftEvent(view, stepEvent(6, { method: undefined }))).toThrow(/without its step/);
    expect(() => applyHeroDraftEvent(view, stepEvent(6, { set: { ...set, teams: [{}] } }))).toThrow(/1 teams for a draft of 2/);
    // What fits: the step is filed, and the team's bans follow from it.
    const next = applyHeroDraftEvent(view, stepEvent(6, {}));
    expect(next).toMatchObject({ seq: 6, stepIndex: 2, status: 'drafting' });
    expect(next.done.at(-1)).toEqual({ stepIndex: 1, team: 1, action: 'ban', heroId: 8, method: 'captain' });
    expect(next.teams.map((x) => x.bans)).toEqual([[7], [8]]);
  });
});
