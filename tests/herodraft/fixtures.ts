import { expect, vi } from 'vitest';
import { applyHeroDraftEvent } from '../../shared/live/herodraft';
import type { WireEvent } from '../../shared/realtime';
import type { HeroDraftView } from '../../shared/schemas/herodraft';
import type { HttpClient } from '../support/http';
import type { TestHub } from '../support/hub';
import { heroes } from '../../server/herodraft/heroes';
import { ManualClock } from '../../server/deadlines/clock';
import { ScriptedRandom } from '../support/random';
import type { DbKind } from '../support/databases';
import { startHub } from '../support/hub';

export type Client = HttpClient & { userId: number };

let counter = 0;
export const unique = (prefix: string) => `${prefix}${process.pid}x${++counter}`;

export interface HeroDraftSetup {
  id: number;
  tournamentId: number;
  room: string;
  base: string;
  /** Captains of team A (index 0) and team B (index 1). */
  captains: [Client, Client];
  teamIds: [number, number];
}

/** The hub's random source in hero-draft tests: team A (index 0) wins every coin toss. */
export const teamAWinsTheToss = () => new ScriptedRandom({ int: () => 0 });

/**
 * A hub for hero-draft tests: a manual clock for the turn deadlines (a 3 s resume countdown),
 * the coin toss always won by team A, and a staff user.
 */
export async function startHeroDraftHub(db: DbKind, staffName: string): Promise<{ t: TestHub; staff: HttpClient; clock: ManualClock }> {
  const clock = new ManualClock(Date.parse('2030-05-01T18:00:00Z'));
  const t = await startHub({ db, env: { HERODRAFT_RESUME_COUNTDOWN_MS: '3000' }, clock, random: teamAWinsTheToss() });
  return { t, staff: await t.login(staffName, 'staff'), clock };
}

/** A tournament with two teams (captains from its pool) and a hero draft for their match, over REST. */
export async function setupHeroDraft(t: TestHub, staff: HttpClient, options: Record<string, unknown> = {}): Promise<HeroDraftSetup> {
  const created = await staff.post('/api/tournaments', { name: unique('CM Cup '), startsAt: '2030-05-01T18:00:00Z' });
  expect(created.status, created.text).toBe(201);
  const tournamentId = created.body.id as number;
  const captains: Client[] = [];
  const teamIds: number[] = [];
  for (let i = 0; i < 2; i++) {
    const user = (await t.login(unique('cap'))) as Client;
    const added = await staff.post(`/api/tournaments/${tournamentId}/players`, { userId: user.userId, mmr: 4000 + i });
    expect(added.status, added.text).toBe(201);
    const team = await staff.post(`/api/tournaments/${tournamentId}/teams`, { captainUserId: user.userId });
    expect(team.status, team.text).toBe(201);
    captains.push(user);
    teamIds.push(team.body.id);
  }
  const draft = await staff.post(`/api/tournaments/${tournamentId}/herodrafts`, { teamAId: teamIds[0], teamBId: teamIds[1], ...options });
  expect(draft.status, draft.text).toBe(201);
  const id = draft.body.id as number;
  return {
    id,
    tournamentId,
    room: `herodraft:${id}`,
    base: `/api/herodrafts/${id}`,
    captains: captains as [Client, Client],
    teamIds: teamIds as [number, number],
  };
}

/** Both ready (team A wins the toss when the hub's random gives 0), A takes first pick, B a side. */
export async function startDrafting(s: HeroDraftSetup, winnerTeam: 0 | 1 = 0): Promise<HeroDraftView> {
  for (const c of s.captains) expect((await c.post(`${s.base}/ready`, { ready: true })).status).toBe(200);
  const winner = s.captains[winnerTeam];
  const loser = s.captains[winnerTeam === 0 ? 1 : 0];
  const first = await winner.post(`${s.base}/choice`, { kind: 'order', value: 'first' });
  expect(first.status, first.text).toBe(200);
  const second = await loser.post(`${s.base}/choice`, { kind: 'side', value: 'radiant' });
  expect(second.status, second.text).toBe(200);
  return second.body as HeroDraftView;
}

export const heroIdsSorted = () =>
  heroes()
    .map((h) => h.id)
    .sort((a, b) => a - b);

/** The draft as stored, read through the public REST view. */
export async function view(t: TestHub, id: number): Promise<HeroDraftView & { serverTime: string }> {
  const res = await t.client().get(`/api/herodrafts/${id}`);
  expect(res.status, res.text).toBe(200);
  return res.body;
}

/** Waits (polling the public view, no fixed sleep) until `check` holds. */
export async function untilView(t: TestHub, id: number, check: (v: HeroDraftView) => boolean, timeout = 5000) {
  return vi.waitFor(
    async () => {
      const v = await view(t, id);
      if (!check(v)) throw new Error(`not yet: ${v.status} step ${v.stepIndex}`);
      return v;
    },
    { timeout, interval: 20 },
  );
}

export async function roomEvents(t: TestHub, room: string) {
  const rows = await t.hub.services.db('events').where({ room }).orderBy('seq');
  return rows.map((e) => ({
    seq: Number(e.seq),
    type: e.type as string,
    payload: (typeof e.payload === 'string' ? JSON.parse(e.payload) : e.payload) as Record<string, unknown>,
  }));
}

/**
 * The hero draft a client holds: its join snapshot, then each later event it got (up to seq
 * `upTo`) applied by the shared reducer, as the client does.
 */
export function heldView(socket: { eventsOf(room: string): WireEvent[] }, room: string, snapshot: HeroDraftView, upTo = Infinity): HeroDraftView {
  return socket
    .eventsOf(room)
    .filter((e) => e.seq > snapshot.seq && e.seq <= upTo)
    .reduce(applyHeroDraftEvent, snapshot);
}
