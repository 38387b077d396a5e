import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { api } from '../../shared/api/contract';
import { commandTable } from '../../server/commands/table';
import { ROOT } from './hub-process';

/**
 * Every endpoint only staff may call (access 'staff', 'tournamentStaff' or 'admin') must be
 * reachable from a page: the client calls it (`api.<key>`) or, for a command with a socket
 * twin, sends its event by name (`'draft.open'`). Staff run a night from the dashboard, not curl.
 */

const STAFF_ACCESS = new Set(['staff', 'tournamentStaff', 'admin']);

/**
 * Not yet reachable from a page, each with why. Remove an entry when its page lands: the test
 * fails while an entry here is reachable after all, so the list cannot go stale.
 */
const NOT_YET_REACHABLE: Record<string, string> = {};

type Key = keyof typeof api;

function clientSource(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return clientSource(full);
    return /\.(ts|svelte)$/.test(entry.name) ? [fs.readFileSync(full, 'utf8')] : [];
  });
}

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** How the client would reach one endpoint: its key on `api`, or its command's socket event. */
function reached(key: Key, source: string): boolean {
  if (new RegExp(`\\bapi\\.${key}\\b`).test(source)) return true;
  const command = commandTable.find((c) => c.rest === api[key]);
  return Boolean(command?.socket && new RegExp(`['"\`]${escape(command.name)}['"\`]`).test(source));
}

describe('staff endpoints are reachable from the client (UI60)', () => {
  const source = clientSource(path.join(ROOT, 'client/src')).join('\n');
  const staffKeys = (Object.keys(api) as Key[]).filter((key) => STAFF_ACCESS.has(api[key].access));

  it('UI60 every staff, tournament-staff and admin endpoint is called by the client, or listed as not yet reachable with a reason', () => {
    expect(staffKeys.length).toBeGreaterThan(20);
    const unreachable = staffKeys.filter((key) => !reached(key, source) && !(key in NOT_YET_REACHABLE));
    expect(unreachable, 'staff endpoints no page calls: build their page (or list them, with a reason)').toEqual([]);
  });

  it('UI60 the not-yet-reachable list names only staff endpoints that are still unreachable', () => {
    const listed = Object.keys(NOT_YET_REACHABLE);
    expect(
      listed.filter((key) => !staffKeys.includes(key as Key)),
      'listed but not a staff endpoint',
    ).toEqual([]);
    expect(
      listed.filter((key) => reached(key as Key, source)),
      'reachable now: remove from NOT_YET_REACHABLE',
    ).toEqual([]);
    for (const reason of Object.values(NOT_YET_REACHABLE)) expect(reason.length).toBeGreaterThan(10);
  });

  it('UI60 the check sees both ways of calling: api.<key>, and a socket command by name', () => {
    expect(reached('createTournament', 'call(api.createTournament, { body })')).toBe(true);
    expect(reached('createTournament', 'call(api.createTournamentX)')).toBe(false);
    expect(reached('openDraft', "send('draft.open', { tournamentId })")).toBe(true);
    // A REST-only command is not reached by its name alone.
    expect(reached('deleteTournament', "'tournament.delete'")).toBe(false);
  });
});
