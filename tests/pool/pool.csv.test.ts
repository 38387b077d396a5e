import { ERROR_STATUS } from '../../shared/errors';
import { describe, expect, it } from 'vitest';
import { HubError } from '../../server/commands/errors';
import { MAX_IMPORT_ROWS, parsePoolCsv } from '../../server/pool/pool.csv';

const D1 = '111111111111111111';
const D2 = '222222222222222222';
const D3 = '333333333333333333';
const STEAM64 = '76561198000000001';
const ACCOUNT = String(BigInt(STEAM64) - 76561197960265728n);

function fileError(text: string): HubError {
  try {
    parsePoolCsv(text);
  } catch (err) {
    expect(err).toBeInstanceOf(HubError);
    return err as HubError;
  }
  throw new Error('expected the file to be refused');
}

describe('pool CSV parsing', () => {
  it('reads a file with a BOM, any column order and case, trimmed and quoted fields', () => {
    const text = `\uFEFFMMR, Discord_ID ,username,steam_id,pos1,pos2,pos3,pos4,pos5\r\n 4200 ,${D1}," Smith, John ",${STEAM64},5,4,3,2,1\r\n`;
    const parsed = parsePoolCsv(text);
    expect(parsed.errors).toEqual([]);
    expect(parsed.rows).toEqual([
      { line: 2, row: { discord_id: D1, username: 'Smith, John', mmr: 4200, steam_id: STEAM64, positions: { '1': 5, '2': 4, '3': 3, '4': 2, '5': 1 } } },
    ]);
  });

  it('AU7 accepts the Steam id as SteamID64, account id or profile URL, all stored as the SteamID64', () => {
    const next = (n: bigint) => String(BigInt(STEAM64) + n);
    const text = [
      'discord_id,mmr,steam_id',
      `${D1},1000,${STEAM64}`,
      `${D2},1000,${Number(ACCOUNT) + 1}`,
      `${D3},1000,https://steamcommunity.com/profiles/${next(2n)}/`,
    ].join('\n');
    const parsed = parsePoolCsv(text);
    expect(parsed.errors).toEqual([]);
    expect(parsed.rows.map((r) => r.row.steam_id)).toEqual([STEAM64, next(1n), next(2n)]);
  });

  it('one Steam id written three ways is one Steam id: the later lines are duplicates', () => {
    const text = ['discord_id,mmr,steam_id', `${D1},1000,${STEAM64}`, `${D2},1000,${ACCOUNT}`, `${D3},1000,steamcommunity.com/profiles/${STEAM64}`].join('\n');
    const parsed = parsePoolCsv(text);
    expect(parsed.rows.map((r) => r.line)).toEqual([2]);
    expect(parsed.errors).toEqual([
      { line: 3, field: 'steam_id', message: 'this Steam id already appears on line 2' },
      { line: 4, field: 'steam_id', message: 'this Steam id already appears on line 2' },
    ]);
  });

  it('counts lines as in the file: the header is line 1, blank lines and quoted commas do not shift them', () => {
    const text = ['discord_id,username,mmr', `${D1},"Doe, Jane",1000`, '', `${D2},"He said ""hi""",abc`, '   ', `"${D3}",'x',`].join('\n');
    const parsed = parsePoolCsv(text);
    expect(parsed.total).toBe(3);
    expect(parsed.rows.map((r) => [r.line, r.row.username])).toEqual([[2, 'Doe, Jane']]);
    expect(parsed.errors).toEqual([
      { line: 4, field: 'mmr', message: expect.any(String) },
      { line: 6, field: 'mmr', message: 'mmr is required' },
    ]);
  });

  it('reports every bad field of every bad row, with its line and field', () => {
    const text = [
      'discord_id,username,mmr,steam_id,pos1,pos2,pos3,pos4,pos5',
      `,a,1000,,,,,,`,
      `12ab,a,1000,,,,,,`,
      `${D1},a,99999,,,,,,`,
      `${D2},a,1.5,not-a-steam-id,,,,,`,
      `${D3},a,1000,,1,2,,4,5`,
      `444444444444444444,a,1000,,1,2,3,4,9`,
      `555555555555555555,a,1000,,1,2,x,4,5`,
      `666666666666666666,a,1000`,
      `777777777777777777,a,0x10,,,,,,`,
    ].join('\n');
    const { rows, errors } = parsePoolCsv(text);
    expect(rows).toEqual([]);
    expect(errors.map((e) => [e.line, e.field])).toEqual([
      [2, 'discord_id'],
      [3, 'discord_id'],
      [4, 'mmr'],
      [5, 'mmr'],
      [5, 'steam_id'],
      [6, 'pos3'],
      [7, 'pos5'],
      [8, 'pos3'],
      [9, 'row'],
      [10, 'mmr'],
    ]);
    expect(errors.find((e) => e.line === 10)!.message).toBe('expected a whole number from 0 to 20000');
    expect(errors.find((e) => e.line === 2)!.message).toBe('discord_id is required');
    expect(errors.find((e) => e.line === 6)!.message).toBe('give all five positions or none');
    expect(errors.find((e) => e.line === 9)!.message).toContain('expected 9 fields');
  });

  it('a Discord id twice in the file is an error on the later line', () => {
    const { rows, errors } = parsePoolCsv(`discord_id,mmr\n${D1},1000\n${D2},2000\n${D1},3000\n`);
    expect(rows.map((r) => r.line)).toEqual([2, 3]);
    expect(errors).toEqual([{ line: 4, field: 'discord_id', message: `Discord id ${D1} already appears on line 2` }]);
  });

  it('a header-only file has no rows', () => {
    expect(parsePoolCsv('discord_id,mmr\n')).toEqual({ rows: [], errors: [], total: 0 });
  });

  it.each([
    ['', 'empty'],
    ['\n\n', 'empty'],
    [`${D1},1000\n`, 'unknown column'],
    ['discord_id,mmr,team\n', "'team'"],
    ['discord_id,username\n', 'lacks mmr'],
    ['mmr\n', 'lacks discord_id'],
    ['discord_id,mmr,pos1,pos2\n', 'pos1..pos5'],
    ['discord_id,mmr,mmr\n', 'twice'],
    [`discord_id,mmr\n"${D1},1000\n`, 'cannot be read'],
  ])('refuses the whole file: %j (%s)', (text, words) => {
    const err = fileError(text);
    expect(err.code).toBe('invalid_payload');
    expect(err.message).toContain(words);
    expect(err.issues).toEqual([{ path: ['body', 'csv'], message: err.message }]);
  });

  it(`takes ${MAX_IMPORT_ROWS} rows and refuses more with payload_too_large`, () => {
    const rows = (n: number) => ['discord_id,mmr', ...Array.from({ length: n }, (_, i) => `${String(100000000000000000n + BigInt(i))},1000`)].join('\n');
    expect(parsePoolCsv(rows(MAX_IMPORT_ROWS)).rows).toHaveLength(MAX_IMPORT_ROWS);
    const err = fileError(rows(MAX_IMPORT_ROWS + 1));
    expect(err.code).toBe('payload_too_large');
    expect(ERROR_STATUS[err.code]).toBe(413); // what REST answers it with
  });
});
