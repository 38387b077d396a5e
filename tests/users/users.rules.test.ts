import { describe, expect, it } from 'vitest';
import { NO_POSITIONS } from '../../shared/schemas/users';
import { audienceFor, containsPattern, profileChanges, wouldRemoveLastAdmin } from '../../server/users/users.rules';

describe('user rules', () => {
  it('AU5 only the user themself and site staff get the private view', () => {
    expect(audienceFor(null, 1)).toBe('public');
    expect(audienceFor({ id: 2, role: 'member' }, 1)).toBe('public');
    expect(audienceFor({ id: 1, role: 'member' }, 1)).toBe('private');
    expect(audienceFor({ id: 2, role: 'staff' }, 1)).toBe('private');
    expect(audienceFor({ id: 2, role: 'admin' }, 1)).toBe('private');
  });

  it('the last admin cannot be demoted', () => {
    expect(wouldRemoveLastAdmin('admin', 'staff', 1)).toBe(true);
    expect(wouldRemoveLastAdmin('admin', 'member', 0)).toBe(true);
    expect(wouldRemoveLastAdmin('admin', 'member', 2)).toBe(false);
    expect(wouldRemoveLastAdmin('admin', 'admin', 1)).toBe(false);
    expect(wouldRemoveLastAdmin('staff', 'member', 1)).toBe(false);
  });

  it('a profile update keeps only real changes; null is a change, undefined is not', () => {
    const current = { steamId: '76561198000000001', mmr: 3000, positions: NO_POSITIONS, discordDms: true };
    expect(profileChanges(current, {})).toEqual({});
    expect(profileChanges(current, { mmr: 3000, steamId: '76561198000000001', positions: { '5': 0, '4': 0, '3': 0, '2': 0, '1': 0 } })).toEqual({});
    expect(profileChanges(current, { mmr: null, steamId: null })).toEqual({ mmr: null, steamId: null });
    expect(profileChanges(current, { positions: { ...NO_POSITIONS, '3': 4 } })).toEqual({ positions: { ...NO_POSITIONS, '3': 4 } });
    expect(profileChanges(current, { discordDms: true })).toEqual({});
    expect(profileChanges(current, { discordDms: false })).toEqual({ discordDms: false });
  });

  it('search patterns take LIKE wildcards and the escape character literally', () => {
    expect(containsPattern('Ab')).toBe('%ab%');
    expect(containsPattern('a_b%c\\')).toBe('%a\\_b\\%c\\\\%');
  });
});
