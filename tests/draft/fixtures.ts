import { expect } from 'vitest';
import type { DraftDelta } from '../../shared/live/draft';
import type { DraftStyle, DraftView } from '../../shared/schemas/draft';
import type { HttpClient } from '../support/http';
import type { TestHub } from '../support/hub';

export type Client = HttpClient & { userId: number };

let counter = 0;
/** A unique name per call (tests in one file share a database). */
export const unique = (prefix: string) => `${prefix}${process.pid}x${++counter}`;

export interface DraftSetup {
  id: number;
  room: string;
  captains: Client[];
  players: Client[];
  /** Team ids in draft order. */
  teamIds: number[];
  base: string;
}

/**
 * A tournament with `teams` captains (captain i has MMR captainMmr(i)) and `players` more pool
 * players (MMR playerMmr(i)), teams in captain order, the draft configured (and opened unless
 * told not to), all over REST as staff would do it.
 */
export async function setupDraft(
  t: TestHub,
  staff: HttpClient,
  options: {
    teams: number;
    players: number;
    style?: DraftStyle;
    teamSize?: number;
    pickSeconds?: number | null;
    open?: boolean;
    captainMmr?: (i: number) => number;
    playerMmr?: (i: number) => number;
  },
): Promise<DraftSetup> {
  const created = await staff.post('/api/tournaments', { name: unique('Draft Cup '), startsAt: '2030-05-01T18:00:00Z' });
  expect(created.status, created.text).toBe(201);
  const id = created.body.id as number;
  const base = `/api/tournaments/${id}/draft`;
  const add = async (mmr: number) => {
    const user = (await t.login(unique('u'))) as Client;
    const res = await staff.post(`/api/tournaments/${id}/players`, { userId: user.userId, mmr });
    expect(res.status, res.text).toBe(201);
    return user;
  };
  const captains: Client[] = [];
  for (let i = 0; i < options.teams; i++) captains.push(await add(options.captainMmr?.(i) ?? 3000 + i));
  const players: Client[] = [];
  for (let i = 0; i < options.players; i++) players.push(await add(options.playerMmr?.(i) ?? 6000 - i * 50));
  const teamIds: number[] = [];
  for (const captain of captains) {
    const res = await staff.post(`/api/tournaments/${id}/teams`, { captainUserId: captain.userId });
    expect(res.status, res.text).toBe(201);
    teamIds.push(res.body.id);
  }
  const settings = await staff.patch(base, {
    style: options.style ?? 'snake',
    teamSize: options.teamSize ?? 5,
    pickSeconds: options.pickSeconds ?? null,
  });
  expect(settings.status, settings.text).toBe(200);
  if (options.open ?? true) {
    const opened = await staff.post(`${base}/open`, {});
    expect(opened.status, opened.text).toBe(200);
  }
  return { id, room: `draft:${id}`, captains, players, teamIds, base };
}

/** The room's events as stored in the log. */
export async function draftEvents(t: TestHub, room: string) {
  const rows = await t.hub.services.db('events').where({ room }).orderBy('seq');
  return rows.map((e) => ({
    seq: Number(e.seq),
    type: e.type as string,
    payload: (typeof e.payload === 'string' ? JSON.parse(e.payload) : e.payload) as DraftDelta & Record<string, unknown>,
  }));
}

/** The view without what changes with time and the log (for "same state" comparisons). */
export function position(view: DraftView) {
  const { seq: _seq, deadlineAt: _deadline, ...rest } = view as DraftView & { serverTime?: string };
  delete (rest as { serverTime?: string }).serverTime;
  return rest;
}

/** Which client captains the team on turn. */
export function captainOnTurn(setup: DraftSetup, view: DraftView): Client {
  const index = setup.teamIds.indexOf(view.turn!.teamId!);
  return setup.captains[index]!;
}

/** Checks a finished draft against the rules: no player twice, no team over size, order by style. */
export function checkFinalRosters(view: DraftView) {
  expect(view.status).toBe('completed');
  const drafted = view.teams.flatMap((t) => t.members.slice(1).map((m) => m.user.id));
  expect(new Set(drafted).size).toBe(drafted.length);
  for (const team of view.teams) {
    expect(team.members.length).toBeLessThanOrEqual(view.teamSize);
    expect(team.totalMmr).toBe(team.members.reduce((s, m) => s + m.mmr, 0));
  }
  const left = view.pool.filter((p) => p.teamId === null).length;
  expect(view.teams.every((t) => t.full) || left === 0).toBe(true);
  expect(view.picks.map((p) => p.pickNumber)).toEqual(view.picks.map((_, i) => i + 1));
}

/**
 * Drafts a player into a team through the player draft's endpoints: `captain` gets a team named
 * `name`, `otherCaptain` a second one (a draft needs two), team size 2, and staff pick `drafted`
 * for the first team. With those three alone in the pool, that one pick completes the draft, so
 * the teams' members are written. The tournament ends up in 'drafting'. Returns the first team's id.
 */
export async function draftIntoTeam(
  staff: HttpClient,
  tournamentId: number,
  roles: { captain: number; drafted: number; otherCaptain: number; name: string },
): Promise<number> {
  const base = `/api/tournaments/${tournamentId}`;
  const team = await staff.post(`${base}/teams`, { captainUserId: roles.captain, name: roles.name });
  expect(team.status, team.text).toBe(201);
  const steps = [
    () => staff.post(`${base}/teams`, { captainUserId: roles.otherCaptain }),
    () => staff.patch(`${base}/draft`, { teamSize: 2, style: 'normal', pickSeconds: null }),
    () => staff.post(`${base}/draft/open`, {}),
    () => staff.post(`${base}/draft/start`, {}),
    () => staff.post(`${base}/draft/picks`, { userId: roles.drafted, pickNumber: 1 }),
  ];
  for (const step of steps) {
    const res = await step();
    expect(res.status, res.text).toBeLessThan(300);
  }
  const draft = await staff.get(`${base}/draft`);
  expect(draft.body.status).toBe('completed');
  return team.body.id as number;
}
