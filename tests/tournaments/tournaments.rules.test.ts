import { describe, expect, it } from 'vitest';
import { TOURNAMENT_STATES, type TournamentState } from '../../shared/schemas/tournaments';
import { checkDeletable, checkStateChange, checkTeamSizeChange } from '../../server/tournaments/tournaments.rules';

describe('tournament state changes', () => {
  // Every pair of states: allowed exactly when they are neighbours on the line (or equal: nothing to do).
  const table: [TournamentState, TournamentState, 'move' | 'same' | 'refuse'][] = [
    ['draft', 'draft', 'same'],
    ['draft', 'registration', 'move'],
    ['draft', 'drafting', 'refuse'],
    ['draft', 'playing', 'refuse'],
    ['draft', 'finished', 'refuse'],
    ['registration', 'draft', 'move'],
    ['registration', 'registration', 'same'],
    ['registration', 'drafting', 'move'],
    ['registration', 'playing', 'refuse'],
    ['registration', 'finished', 'refuse'],
    ['drafting', 'draft', 'refuse'],
    ['drafting', 'registration', 'move'],
    ['drafting', 'drafting', 'same'],
    ['drafting', 'playing', 'move'],
    ['drafting', 'finished', 'refuse'],
    ['playing', 'draft', 'refuse'],
    ['playing', 'registration', 'refuse'],
    ['playing', 'drafting', 'move'],
    ['playing', 'playing', 'same'],
    ['playing', 'finished', 'move'],
    ['finished', 'draft', 'refuse'],
    ['finished', 'registration', 'refuse'],
    ['finished', 'drafting', 'refuse'],
    ['finished', 'playing', 'move'],
    ['finished', 'finished', 'same'],
  ];

  it('covers every pair of states', () => {
    expect(table).toHaveLength(TOURNAMENT_STATES.length ** 2);
  });

  it.each(table)('%s → %s: %s', (from, to, expected) => {
    const verdict = checkStateChange(from, to);
    if (expected === 'refuse') {
      expect(verdict.ok).toBe(false);
      if (!verdict.ok) {
        expect(verdict.reason).toContain(`'${from}'`);
        expect(verdict.reason).toContain(`'${to}'`);
      }
    } else {
      expect(verdict).toEqual({ ok: true, changed: expected === 'move' });
    }
  });

  it('names the allowed neighbours in the refusal', () => {
    const verdict = checkStateChange('drafting', 'finished');
    expect(verdict).toEqual({ ok: false, reason: expect.stringContaining("'registration' or 'playing'") });
    expect(checkStateChange('draft', 'playing')).toEqual({ ok: false, reason: expect.stringContaining("to 'registration', not") });
  });
});

describe('team size changes', () => {
  it.each([
    ['draft', 5, 4, { ok: true, changed: true }],
    ['registration', 5, 6, { ok: true, changed: true }],
    ['drafting', 5, 5, { ok: true, changed: false }],
    ['playing', 5, 5, { ok: true, changed: false }],
  ] as const)('%s: %i → %i allowed', (state, from, to, expected) => {
    expect(checkTeamSizeChange(state, from, to)).toEqual(expected);
  });

  it.each(['drafting', 'playing', 'finished'] as const)('%s: a different size is refused', (state) => {
    expect(checkTeamSizeChange(state, 5, 4)).toEqual({ ok: false, reason: expect.stringContaining(`'${state}'`) });
  });
});

describe('deleting a tournament', () => {
  it.each([
    ['draft', true],
    ['registration', true],
    ['drafting', true],
    ['playing', false],
    ['finished', false],
  ] as const)('%s: deletable %s', (state, deletable) => {
    expect(checkDeletable(state).ok).toBe(deletable);
  });
});
