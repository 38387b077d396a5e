import { parse } from 'csv-parse/sync';
import { CSV_COLUMNS, PoolCsvRow, type RowError } from '../../shared/schemas/tournaments';
import { HubError, invalid } from '../commands/errors';

/** Most rows one import may carry; a bigger file answers 413 (split it). */
export const MAX_IMPORT_ROWS = 1000;

const REQUIRED = ['discord_id', 'mmr'] as const;
const POSITION_COLUMNS = ['pos1', 'pos2', 'pos3', 'pos4', 'pos5'] as const;
type Column = (typeof CSV_COLUMNS)[number];

export interface CsvRow {
  /** Line in the file where the row is (the header is line 1). */
  line: number;
  row: PoolCsvRow;
}

export interface ParsedCsv {
  /** Rows that passed every check that needs no database. */
  rows: CsvRow[];
  errors: RowError[];
  /** Data rows in the file (blank lines aside). */
  total: number;
}

const fileIssue = (message: string) => invalid(message, [{ path: ['body', 'csv'], message }]);

/**
 * Parses and validates a pool CSV without touching the database: the header names the
 * columns (any order, any case), each data row is checked with PoolCsvRow, and a Discord id
 * or Steam id that appears twice is an error on every line after its first valid one.
 * File-level problems (no header, unknown columns, broken quoting) throw 400; more than
 * MAX_IMPORT_ROWS rows throws 413.
 */
export function parsePoolCsv(text: string): ParsedCsv {
  let records: { record: string[]; info: { lines: number } }[];
  try {
    // csv-parse's sync overloads do not type the `info: true` shape.
    // eslint-disable-next-line no-restricted-syntax
    records = parse(text, { bom: true, trim: true, skip_empty_lines: true, relax_column_count: true, info: true }) as unknown as typeof records;
  } catch (err) {
    const e = err as { message?: string; lines?: number };
    throw fileIssue(`the CSV cannot be read${e.lines ? ` (line ${e.lines})` : ''}: ${e.message ?? 'malformed'}`);
  }
  const [head, ...data] = records;
  if (!head) throw fileIssue('the CSV is empty: a header row is required');
  const header = readHeader(head.record);
  if (data.length > MAX_IMPORT_ROWS) {
    throw new HubError('payload_too_large', `at most ${MAX_IMPORT_ROWS} rows per import (this file has ${data.length}); split it into several files`);
  }

  const rows: CsvRow[] = [];
  const errors: RowError[] = [];
  const discordLines = new Map<string, number>();
  const steamLines = new Map<string, number>();
  for (const { record, info } of data) {
    const line = info.lines;
    const checked = checkRow(header, record, line);
    if (!checked.ok) {
      errors.push(...checked.errors);
      continue;
    }
    const row = checked.row;
    const firstDiscord = discordLines.get(row.discord_id);
    const firstSteam = row.steam_id ? steamLines.get(row.steam_id) : undefined;
    if (firstDiscord !== undefined) {
      errors.push({ line, field: 'discord_id', message: `Discord id ${row.discord_id} already appears on line ${firstDiscord}` });
    } else if (firstSteam !== undefined) {
      errors.push({ line, field: 'steam_id', message: `this Steam id already appears on line ${firstSteam}` });
    } else {
      discordLines.set(row.discord_id, line);
      if (row.steam_id) steamLines.set(row.steam_id, line);
      rows.push({ line, row });
    }
  }
  return { rows, errors, total: data.length };
}

function readHeader(cells: string[]): Column[] {
  const names = cells.map((c) => c.toLowerCase());
  const unknown = names.filter((n) => !(CSV_COLUMNS as readonly string[]).includes(n));
  const expected = `expected a header row with the columns ${CSV_COLUMNS.join(', ')} (discord_id and mmr required)`;
  if (unknown.length > 0) {
    const shown = unknown.map((n) => (n === '' ? '(empty)' : `'${n}'`)).join(', ');
    throw fileIssue(`unknown column${unknown.length > 1 ? 's' : ''} ${shown} in line 1: ${expected}`);
  }
  const repeated = names.filter((n, i) => names.indexOf(n) !== i);
  if (repeated.length > 0) throw fileIssue(`column '${repeated[0]}' appears twice in the header`);
  const missing = REQUIRED.filter((c) => !names.includes(c));
  if (missing.length > 0) throw fileIssue(`the header lacks ${missing.join(' and ')}: ${expected}`);
  const positions = POSITION_COLUMNS.filter((c) => names.includes(c));
  if (positions.length !== 0 && positions.length !== POSITION_COLUMNS.length) {
    throw fileIssue('give all five position columns pos1..pos5, or none');
  }
  return names as Column[];
}

function checkRow(header: Column[], record: string[], line: number): { ok: true; row: PoolCsvRow } | { ok: false; errors: RowError[] } {
  if (record.length !== header.length) {
    return { ok: false, errors: [{ line, field: 'row', message: `expected ${header.length} fields like the header, found ${record.length}` }] };
  }
  const cell = (name: Column) => {
    const i = header.indexOf(name);
    return i === -1 ? '' : record[i]!;
  };
  const errors: RowError[] = [];
  for (const name of REQUIRED) if (cell(name) === '') errors.push({ line, field: name, message: `${name} is required` });
  // Plain digits only: Number() would also take '1e3', '0x10' or '12.0'.
  if (cell('mmr') !== '' && !/^\d+$/.test(cell('mmr'))) errors.push({ line, field: 'mmr', message: 'expected a whole number from 0 to 20000' });

  let positions: Record<string, number> | undefined;
  const given = POSITION_COLUMNS.filter((c) => cell(c) !== '');
  if (given.length > 0) {
    positions = {};
    for (const [i, name] of POSITION_COLUMNS.entries()) {
      const value = cell(name);
      if (value === '') errors.push({ line, field: name, message: 'give all five positions or none' });
      else if (!/^\d+$/.test(value)) errors.push({ line, field: name, message: 'expected a whole number from 0 to 5' });
      else positions[String(i + 1)] = Number(value);
    }
  }

  const parsed = PoolCsvRow.safeParse({
    discord_id: cell('discord_id'),
    username: cell('username') || undefined,
    mmr: cell('mmr'),
    steam_id: cell('steam_id') || undefined,
    positions,
  });
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const field = issue.path[0] === 'positions' ? `pos${String(issue.path[1] ?? '')}` : String(issue.path[0] ?? 'row');
      // Empty required cells and malformed positions were reported above in plainer words.
      if (errors.some((e) => e.field === field)) continue;
      errors.push({ line, field, message: issue.message });
    }
  }
  if (errors.length > 0 || !parsed.success) return { ok: false, errors };
  return { ok: true, row: parsed.data };
}
