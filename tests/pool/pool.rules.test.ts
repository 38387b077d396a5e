import { describe, expect, it } from 'vitest';
import { NO_POSITIONS } from '../../shared/schemas/users';
import type { PoolCsvRow } from '../../shared/schemas/tournaments';
import { checkPoolEditable, type ImportLookups, type KnownUser, planImport, poolMmr } from '../../server/pool/pool.rules';

describe('pool rules', () => {
  it.each([
    ['draft', true],
    ['registration', true],
    ['drafting', false],
    ['playing', false],
    ['finished', false],
  ] as const)('the pool may change in %s: %s', (state, editable) => {
    expect(checkPoolEditable(state).ok).toBe(editable);
  });

  it.each([
    [3000, 2000, 3000],
    [undefined, 2000, 2000],
    [0, 2000, 0],
    [undefined, null, undefined],
  ] as const)('pool MMR given %s with profile %s is %s', (given, profile, expected) => {
    expect(poolMmr(given, profile)).toBe(expected);
  });
});

describe('import plan', () => {
  const row = (discord_id: string, over: Partial<PoolCsvRow> = {}) => ({ discord_id, mmr: 3000, ...over });
  const lookups = (over: Partial<ImportLookups> = {}): ImportLookups => ({
    usersByDiscordId: new Map(),
    steamOwners: new Map(),
    poolUserIds: new Set(),
    ...over,
  });
  const P = { '1': 5, '2': 0, '3': 0, '4': 0, '5': 1 };

  it('creates people the hub has not seen, with what the sheet says', () => {
    const plan = planImport([{ line: 2, row: row('1', { username: 'new', steam_id: 'S1', positions: P }) }], lookups());
    expect(plan).toEqual({
      errors: [],
      create: [{ line: 2, discordId: '1', username: 'new', steamId: 'S1', mmr: 3000, positions: P }],
      fill: [],
      pool: [{ discordId: '1', userId: null, mmr: 3000, inPool: false }],
    });
  });

  it('needs a username for someone the hub has not seen', () => {
    const plan = planImport([{ line: 7, row: row('1') }], lookups());
    expect(plan.errors).toEqual([{ line: 7, field: 'username', message: expect.stringContaining('username is required') }]);
    expect(plan.create).toEqual([]);
    expect(plan.pool).toEqual([]);
  });

  it("a player's own profile wins: the sheet only fills empty Steam id, MMR and positions", () => {
    const own: KnownUser = { id: 10, discordId: '1', steamId: 'MINE', mmr: 5000, positions: { ...NO_POSITIONS, '2': 5 } };
    const empty: KnownUser = { id: 11, discordId: '2', steamId: null, mmr: null, positions: NO_POSITIONS };
    const plan = planImport(
      [
        { line: 2, row: row('1', { steam_id: 'SHEET', positions: P, mmr: 1000 }) },
        { line: 3, row: row('2', { steam_id: 'S2', positions: P, mmr: 2000 }) },
      ],
      lookups({
        usersByDiscordId: new Map([
          ['1', own],
          ['2', empty],
        ]),
        poolUserIds: new Set([10]),
      }),
    );
    expect(plan.errors).toEqual([]);
    expect(plan.fill).toEqual([{ userId: 11, steamId: 'S2', mmr: 2000, positions: P }]);
    expect(plan.pool).toEqual([
      { discordId: '1', userId: 10, mmr: 1000, inPool: true },
      { discordId: '2', userId: 11, mmr: 2000, inPool: false },
    ]);
  });

  it('a Steam id linked to another account is a row error; linked to the same person it is fine', () => {
    const me: KnownUser = { id: 10, discordId: '1', steamId: 'S1', mmr: 1, positions: NO_POSITIONS };
    const plan = planImport(
      [
        { line: 2, row: row('1', { steam_id: 'S1' }) },
        { line: 3, row: row('2', { username: 'x', steam_id: 'S1' }) },
      ],
      lookups({ usersByDiscordId: new Map([['1', me]]), steamOwners: new Map([['S1', '1']]) }),
    );
    expect(plan.errors).toEqual([{ line: 3, field: 'steam_id', message: 'this Steam id is already linked to another account' }]);
    expect(plan.pool.map((p) => p.discordId)).toEqual(['1']);
  });
});
