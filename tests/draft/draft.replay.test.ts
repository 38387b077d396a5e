import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyDraftEvent, replayDraft } from '../../shared/live/draft';
import type { DraftStyle, DraftView } from '../../shared/schemas/draft';
import { ManualClock } from '../../server/deadlines/clock';
import { DATABASES } from '../support/databases';
import { eventually } from '../support/eventually';
import { startHub, type TestHub } from '../support/hub';
import { type Client, draftEvents, setupDraft } from './fixtures';

/**
 * RT19: the room's log, replayed from its first event through the shared reducer, is exactly
 * what the server answers and reads, at every step of random drafts (every style, shuffle ties,
 * undo, pause and resume, restart, timeouts).
 */

type Action =
  { kind: 'pick'; choice: number } | { kind: 'undo' } | { kind: 'pause' } | { kind: 'resume' } | { kind: 'restart' } | { kind: 'start' } | { kind: 'timeout' };

const action: fc.Arbitrary<Action> = fc.oneof(
  { weight: 8, arbitrary: fc.record({ kind: fc.constant('pick' as const), choice: fc.nat(5) }) },
  { weight: 2, arbitrary: fc.constant({ kind: 'undo' as const }) },
  { weight: 3, arbitrary: fc.constant({ kind: 'pause' as const }) },
  { weight: 4, arbitrary: fc.constant({ kind: 'resume' as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'restart' as const }) },
  { weight: 2, arbitrary: fc.constant({ kind: 'start' as const }) },
  { weight: 3, arbitrary: fc.constant({ kind: 'timeout' as const }) },
);

const draftCase = fc.record({
  style: fc.constantFrom<DraftStyle>('normal', 'snake', 'shuffle'),
  teams: fc.integer({ min: 2, max: 4 }),
  players: fc.integer({ min: 2, max: 9 }),
  teamSize: fc.integer({ min: 2, max: 4 }),
  pickSeconds: fc.constantFrom<number | null>(null, 30),
  actions: fc.array(action, { minLength: 1, maxLength: 24 }),
});

const PICK_MS = 30_000;

describe.each(DATABASES)('RT19 the draft reducer replays the log to the server snapshot [%s]', (db) => {
  let t: TestHub;
  let staff: Client;
  let clock: ManualClock;

  beforeAll(async () => {
    clock = new ManualClock(Date.now() + 24 * 3600_000);
    t = await startHub({ db, clock });
    staff = (await t.login('replaystaff', 'staff')) as Client;
  });
  afterAll(() => t?.close());

  /** The log replayed up to `seq` must equal `view` (an answer or a read at that seq). */
  async function expectReplayed(room: string, view: DraftView) {
    const events = (await draftEvents(t, room)).filter((e) => e.seq <= view.seq);
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
    const { serverTime: _time, ...read } = view as DraftView & { serverTime?: string };
    expect(replayDraft(events)).toEqual(read);
  }

  it('RT19 random drafts: after every command and timeout, replaying the log gives the answer and the REST read', { timeout: 240_000 }, async () => {
    // What the runs did, so the test shows it exercised each kind of event.
    const done = new Map<string, number>();
    const count = (type: string) => done.set(type, (done.get(type) ?? 0) + 1);
    await fc.assert(
      fc.asyncProperty(draftCase, async (c) => {
        const s = await setupDraft(t, staff, {
          teams: c.teams,
          players: c.players,
          teamSize: c.teamSize,
          style: c.style,
          pickSeconds: c.pickSeconds,
          // Totals tie in pairs, so shuffle rolls dice now and then.
          captainMmr: () => 3000,
          playerMmr: (i) => 5000 - Math.floor(i / 2) * 100,
        });
        const read = async () => (await t.client().get(s.base)).body as DraftView;
        let view = await read();
        await expectReplayed(s.room, view);
        for (const step of [{ kind: 'start' } as const, ...c.actions]) {
          let res;
          if (step.kind === 'pick') {
            if (view.status !== 'running' || !view.turn) continue;
            const left = view.pool.filter((p) => p.teamId === null);
            const player = left[step.choice % left.length]!;
            res = await staff.post(`${s.base}/picks`, { userId: player.user.id, pickNumber: view.turn.pickNumber });
          } else if (step.kind === 'timeout') {
            if (view.status !== 'running' || view.deadlineAt === null) continue;
            const before = view.seq;
            clock.advance(PICK_MS);
            view = await eventually(async () => {
              const next = await read();
              return next.seq > before ? next : undefined;
            }, 'the auto-pick');
            count('timeout');
          } else {
            res = await staff.post(`${s.base}/${step.kind}`, {});
          }
          if (res) {
            // Refusals (a pick when paused, undo with nothing picked…) write nothing.
            if (res.status >= 300) {
              expect(res.status, res.text).toBe(409);
              continue;
            }
            view = res.body as DraftView;
            count(step.kind);
          }
          if (view.rolls.length > 0) count('rolls');
          await expectReplayed(s.room, view);
        }
        await expectReplayed(s.room, await read());
      }),
      { numRuns: 20, seed: 20 },
    );
    for (const kind of ['start', 'pick', 'undo', 'pause', 'resume', 'restart', 'timeout', 'rolls']) expect(done.get(kind) ?? 0, kind).toBeGreaterThan(0);
  });
});

describe('RT19 the draft reducer refuses what does not fit', () => {
  const base = { seq: 3, type: 'draft.picked' };
  it('RT19 an event out of order, without its fields, or for a pick already made throws CannotApply (the client resyncs)', () => {
    const view = {
      seq: 3,
      picks: [{ pickNumber: 1, teamId: 1, userId: 7, method: 'captain', byUserId: 1, at: '2030-01-01T00:00:00.000Z' }],
    } as unknown as DraftView;
    expect(() => applyDraftEvent(undefined, { ...base, payload: { set: {} } })).toThrow(/no draft to apply it to/);
    expect(() => applyDraftEvent(view, { ...base, seq: 5, payload: { set: {} } })).toThrow(/at seq 3/);
    expect(() => applyDraftEvent(view, { ...base, seq: 4, payload: {} })).toThrow(/no draft fields/);
    expect(() => applyDraftEvent(view, { ...base, seq: 4, payload: null })).toThrow(/no payload/);
    const again = { set: {}, pick: view.picks[0] };
    expect(() => applyDraftEvent(view, { ...base, seq: 4, payload: again })).toThrow(/already applied/);
    expect(() => applyDraftEvent(view, { type: 'draft.undone', seq: 4, payload: { set: {}, pick: { pickNumber: 2 } } })).toThrow(/not the last/);
  });
});
