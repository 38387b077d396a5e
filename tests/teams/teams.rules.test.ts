import { describe, expect, it } from 'vitest';
import { TOURNAMENT_STATES } from '../../shared/schemas/tournaments';
import { checkTeamOrder, defaultTeamName, nextDraftOrder, teamsEditable, TEAM_NAME_MAX } from '../../server/teams/teams.rules';

describe('team rules', () => {
  it('teams change only in draft and registration', () => {
    expect(TOURNAMENT_STATES.filter(teamsEditable)).toEqual(['draft', 'registration']);
  });

  it('the default name is "Team <display name>", cut to the column size', () => {
    expect(defaultTeamName('Miracle-')).toBe('Team Miracle-');
    const long = defaultTeamName('x'.repeat(100));
    expect(long).toHaveLength(TEAM_NAME_MAX);
    expect(long.startsWith('Team xxx')).toBe(true);
    expect(defaultTeamName(`${'y'.repeat(54)} z`)).toBe(`Team ${'y'.repeat(54)}`); // no trailing space
  });

  it('a new team goes after the last one', () => {
    expect(nextDraftOrder([])).toBe(1);
    expect(nextDraftOrder([1, 2, 3])).toBe(4);
    expect(nextDraftOrder([3, 1])).toBe(4);
  });

  it.each([
    [[1, 2, 3], [3, 1, 2], null],
    [[1, 2, 3], [1, 2, 3], null],
    [[7], [7], null],
    [[1, 2, 3], [1, 2], /missing: 3/],
    [[1, 2, 3], [1, 2, 2, 3], /more than once: 2/],
    [[1, 2, 3], [1, 2, 3, 4], /not teams of this tournament: 4/],
    [[1, 2, 3], [4, 1, 1], /not teams of this tournament: 4/],
    [[], [1], /not teams of this tournament: 1/],
  ] as [number[], number[], RegExp | null][])('order of %j as %j', (teams, requested, problem) => {
    const result = checkTeamOrder(teams, requested);
    if (problem === null) expect(result).toBeNull();
    else expect(result).toMatch(problem);
  });
});
