import { describe, expect, it } from 'vitest';
import { rosterOverlap, seriesFromGames, winnerBySide } from '../../server/matches/links.rules';

const A = new Set([1, 2, 3, 4, 5]);
const B = new Set([6, 7, 8, 9, 10]);
const lobby = (radiant: (number | null)[], dire: (number | null)[]) => [
  ...radiant.map((accountId) => ({ accountId, isRadiant: true })),
  ...dire.map((accountId) => ({ accountId, isRadiant: false })),
];

describe('roster overlap (pure)', () => {
  it('ST5 ten of ten with each side one team is exact, and the side tells who played Radiant', () => {
    expect(rosterOverlap(lobby([1, 2, 3, 4, 5], [6, 7, 8, 9, 10]), A, B)).toEqual({ overlap: 10, radiant: 'a', exact: true });
    expect(rosterOverlap(lobby([6, 7, 8, 9, 10], [5, 4, 3, 2, 1]), A, B)).toEqual({ overlap: 10, radiant: 'b', exact: true });
  });

  it('ST5 ten of ten but mixed sides is not exact (a shuffled lobby, not the series)', () => {
    const mixed = rosterOverlap(lobby([1, 2, 3, 4, 6], [5, 7, 8, 9, 10]), A, B);
    expect(mixed).toMatchObject({ overlap: 10, exact: false, radiant: 'a' });
  });

  it('ST5 stand-ins and anonymous players lower the overlap; the majority still gives the side', () => {
    expect(rosterOverlap(lobby([1, 2, 3, null, 99], [6, 7, 8, 9, 98]), A, B)).toEqual({ overlap: 7, radiant: 'a', exact: false });
    expect(rosterOverlap(lobby([50, 51, 52, 53, 54], [55, 56, 57, 58, 59]), A, B)).toEqual({ overlap: 0, radiant: null, exact: false });
  });

  it('the winner follows from the side: Radiant won and team B was Radiant → B', () => {
    expect(winnerBySide('b', true)).toBe('b');
    expect(winnerBySide('b', false)).toBe('a');
    expect(winnerBySide('a', true)).toBe('a');
  });

  it('a series is decided by its linked games once a team has the wins it needs', () => {
    expect(seriesFromGames(1, ['b']).decided).toBe(true);
    expect(seriesFromGames(3, ['a']).decided).toBe(false);
    expect(seriesFromGames(3, ['a', 'b']).decided).toBe(false);
    expect(seriesFromGames(3, ['a', 'b', 'a']).decided).toBe(true);
    expect(seriesFromGames(5, ['b', 'b', 'b']).decided).toBe(true);
    expect(seriesFromGames(2, ['a']).decided).toBe(false);
    expect(seriesFromGames(2, ['a', 'b']).decided).toBe(true);
  });
});
