import { describe, expect, it } from 'vitest';
import {
  checkInClose,
  checkInOpen,
  DEFAULT_RULES,
  eligibility,
  medalName,
  placeFor,
  promotions,
  type Rules,
  signupOpen,
} from '../../server/signups/signups.rules';

const rules = (over: Partial<Rules> = {}): Rules => ({ ...DEFAULT_RULES, ...over });

describe('sign-up rules', () => {
  it.each([
    ['registration, no closing time', 'registration', rules(), 1000, true],
    ['registration, before the closing time', 'registration', rules({ closesAt: 2000 }), 1999, true],
    ['registration, at the closing time', 'registration', rules({ closesAt: 2000 }), 2000, false],
    ['registration, closed by hand', 'registration', rules({ closed: true }), 1000, false],
    ['draft', 'draft', rules(), 1000, false],
    ['drafting', 'drafting', rules(), 1000, false],
    ['playing', 'playing', rules(), 1000, false],
  ] as const)('SU5 sign-up open: %s', (_name, state, r, now, open) => {
    expect(signupOpen(state, r, now).ok).toBe(open);
  });

  it.each([
    ['within the range', rules({ mmrMin: 2000, mmrMax: 5000 }), 2000, 'x', false, { ok: true }],
    ['at the ceiling', rules({ mmrMax: 5000 }), 5000, 'x', false, { ok: true }],
    ['below the floor', rules({ mmrMin: 2000 }), 1999, 'x', false, { ok: false, field: 'declaredMmr' }],
    ['above the ceiling', rules({ mmrMax: 5000 }), 5001, 'x', false, { ok: false, field: 'declaredMmr' }],
    ['Steam required, none', rules(), 3000, null, false, { ok: false, field: 'steamId' }],
    ['Steam not required, none', rules({ steamRequired: false }), 3000, null, false, { ok: true }],
    ['Steam of another member', rules(), 3000, 'x', true, { ok: false, field: 'steamId', conflict: true }],
  ] as const)('SU6 eligibility: %s', (_name, r, declaredMmr, steamId, heldByOther, expected) => {
    expect(eligibility(r, { declaredMmr, steamId }, heldByOther)).toMatchObject(expected);
  });

  it.each([
    ['no capacity, manual', rules(), 500, 'pending'],
    ['no capacity, automatic', rules({ approval: 'automatic' }), 500, 'approved'],
    ['one place left', rules({ capacity: 4 }), 3, 'pending'],
    ['full', rules({ capacity: 4 }), 4, 'waitlisted'],
    ['over (capacity lowered)', rules({ capacity: 4, approval: 'automatic' }), 6, 'waitlisted'],
  ] as const)('SU2 a new sign-up goes to: %s', (_name, r, taken, state) => {
    expect(placeFor(r, taken)).toBe(state);
  });

  it('SU3 promotions: the first queued move up, as many as places free; ties by user id', () => {
    const queue = [
      { userId: 9, queuedAt: 30 },
      { userId: 4, queuedAt: 10 },
      { userId: 2, queuedAt: 20 },
      { userId: 1, queuedAt: 20 },
    ];
    expect(promotions(queue, 0)).toEqual([]);
    expect(promotions(queue, 1).map((q) => q.userId)).toEqual([4]);
    expect(promotions(queue, 3).map((q) => q.userId)).toEqual([4, 1, 2]);
    expect(promotions(queue, Infinity).map((q) => q.userId)).toEqual([4, 1, 2, 9]);
  });

  it.each([
    {
      name: 'nobody missed: nothing changes',
      input: {
        capacity: 2,
        approved: [
          { userId: 1, checkedIn: true },
          { userId: 2, checkedIn: true },
        ],
        pending: 0,
        waitlisted: [{ userId: 3, queuedAt: 1, checkedIn: true }],
      },
      out: { removed: [], promoted: [] },
    },
    {
      name: 'one missed: the first waitlisted who checked in takes the place',
      input: {
        capacity: 2,
        approved: [
          { userId: 1, checkedIn: true },
          { userId: 2, checkedIn: false },
        ],
        pending: 0,
        waitlisted: [
          { userId: 3, queuedAt: 1, checkedIn: false },
          { userId: 4, queuedAt: 2, checkedIn: true },
          { userId: 5, queuedAt: 3, checkedIn: true },
        ],
      },
      out: { removed: [2], promoted: [4] },
    },
    {
      name: 'two missed, one waitlisted ready: one place stays free',
      input: {
        capacity: 3,
        approved: [
          { userId: 1, checkedIn: false },
          { userId: 2, checkedIn: false },
          { userId: 6, checkedIn: true },
        ],
        pending: 0,
        waitlisted: [{ userId: 3, queuedAt: 5, checkedIn: true }],
      },
      out: { removed: [1, 2], promoted: [3] },
    },
    {
      name: 'a captain who missed stays (keep); pending ones hold their places',
      input: {
        capacity: 3,
        approved: [
          { userId: 1, checkedIn: false, keep: true },
          { userId: 2, checkedIn: false },
        ],
        pending: 1,
        waitlisted: [
          { userId: 3, queuedAt: 5, checkedIn: true },
          { userId: 4, queuedAt: 6, checkedIn: true },
        ],
      },
      out: { removed: [2], promoted: [3] },
    },
    {
      name: 'no capacity: every waitlisted player who checked in comes in',
      input: {
        capacity: null,
        approved: [{ userId: 1, checkedIn: false }],
        pending: 0,
        waitlisted: [
          { userId: 3, queuedAt: 5, checkedIn: true },
          { userId: 4, queuedAt: 6, checkedIn: false },
        ],
      },
      out: { removed: [1], promoted: [3] },
    },
  ])('SU4 check-in close: $name', ({ input, out }) => {
    expect(checkInClose(input)).toEqual(out);
  });

  it.each([
    ['never opened', { openedAt: null, closesAt: null, closedAt: null }, 100, false],
    ['open', { openedAt: 50, closesAt: 200, closedAt: null }, 100, true],
    ['at its closing time', { openedAt: 50, closesAt: 200, closedAt: null }, 200, false],
    ['closed', { openedAt: 50, closesAt: 200, closedAt: 200 }, 100, false],
  ] as const)('SU10 check-in window: %s', (_name, window, now, open) => {
    expect(checkInOpen(window, now)).toBe(open);
  });

  it.each([
    [null, null],
    [undefined, null],
    [11, 'Herald 1'],
    [24, 'Guardian 4'],
    [55, 'Legend 5'],
    [75, 'Divine 5'],
    [80, 'Immortal'],
    [90, null],
    [50, 'Legend'],
  ] as const)('SU8 rank_tier %s reads as %s', (tier, medal) => {
    expect(medalName(tier)).toBe(medal);
  });
});
