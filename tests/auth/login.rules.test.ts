import { describe, expect, it } from 'vitest';
import { changesDisplay, loginChanges, type LoginFields, siteRoleAtLogin } from '../../server/auth/login.rules';

const base = { discordId: '300000000000000001', adminDiscordIds: ['300000000000000009'], adminRoleIds: ['1001'], staffRoleIds: ['1002'] };

describe('siteRoleAtLogin', () => {
  it.each([
    // guildRoleIds, currentRole, expected
    [['1001'], undefined, 'admin'],
    [['1002'], undefined, 'staff'],
    [['1001', '1002'], 'member', 'admin'],
    [['9999'], 'admin', 'member'],
    [[], 'staff', 'member'],
  ] as const)('AU3 with a guild, role ids %j (was %s) give %s', (roles, current, expected) => {
    expect(siteRoleAtLogin({ ...base, guildRoleIds: [...roles], currentRole: current })).toBe(expected);
  });

  it('AU3 ADMIN_DISCORD_IDS makes admin with or without a guild', () => {
    expect(siteRoleAtLogin({ ...base, discordId: '300000000000000009', guildRoleIds: [], currentRole: 'member' })).toBe('admin');
    expect(siteRoleAtLogin({ ...base, discordId: '300000000000000009', guildRoleIds: null, currentRole: undefined })).toBe('admin');
  });

  it('without a guild a new user is a member and a returning user keeps the hub role', () => {
    expect(siteRoleAtLogin({ ...base, guildRoleIds: null, currentRole: undefined })).toBe('member');
    expect(siteRoleAtLogin({ ...base, guildRoleIds: null, currentRole: 'staff' })).toBe('staff');
    expect(siteRoleAtLogin({ ...base, guildRoleIds: null, currentRole: 'admin' })).toBe('admin');
  });
});

describe('loginChanges', () => {
  const current: LoginFields = { username: 'a', globalName: 'A', avatar: null, guildNickname: 'Nick', guildRoleIds: ['1', '2'], role: 'member' };

  it('is empty when nothing changed, role ids compared as sets', () => {
    expect(loginChanges(current, { ...current, guildRoleIds: ['2', '1'] })).toEqual({});
  });

  it('lists exactly the changed fields', () => {
    expect(loginChanges(current, { ...current, username: 'b', guildRoleIds: ['1'], role: 'staff' })).toEqual({
      username: 'b',
      guildRoleIds: ['1'],
      role: 'staff',
    });
    expect(loginChanges(current, { ...current, guildNickname: null, avatar: 'abc' })).toEqual({ guildNickname: null, avatar: 'abc' });
  });

  it('knows which changes show to others', () => {
    expect(changesDisplay(['role', 'guildRoleIds'])).toBe(false);
    expect(changesDisplay(['guildNickname'])).toBe(true);
  });
});
