import { expect } from 'vitest';
import type { FakeMatch } from '../support/fake-steam';
import type { HttpClient } from '../support/http';
import type { TestHub } from '../support/hub';
import { eventually as waitFor } from '../support/eventually';

export type Client = HttpClient & { userId: number };

export const STEAM_BASE = 76561197960265728n;
export const steamId64 = (accountId: number) => (STEAM_BASE + BigInt(accountId)).toString();

/** Steam's pollers and limiters take a few rounds: a longer default wait than elsewhere. */
export const eventually = <T>(check: Parameters<typeof waitFor<T>>[0], what: string, timeoutMs = 8000) => waitFor<T>(check, what, { timeoutMs });

let n = 0;
/**
 * A tournament with two teams of five whose players have Steam account ids `base+0..9`
 * (team A: 0–4, team B: 5–9), drafted through the API, and a best-of-`bestOf` single-elimination
 * stage: one series ready.
 */
export async function twoTeamSeries(t: TestHub, staff: HttpClient, base: number, bestOf: 1 | 3 = 1) {
  const k = `${process.pid}x${++n}x${base}`;
  const res = await staff.post('/api/tournaments', { name: `Steam Cup ${k}`, startsAt: '2026-01-01T18:00:00Z' });
  expect(res.status, res.text).toBe(201);
  const id = res.body.id as number;
  const users: Client[] = [];
  for (let i = 0; i < 10; i++) {
    const user = await t.login(`s${k}p${i}`);
    expect((await user.patch('/api/me', { steamId: String(base + i) })).status).toBe(200);
    expect((await staff.post(`/api/tournaments/${id}/players`, { userId: user.userId, mmr: 3000 + i })).status).toBe(201);
    users.push(user);
  }
  const teams: number[] = [];
  for (const [name, captain] of [
    ['Alpha', 0],
    ['Bravo', 5],
  ] as const) {
    const team = await staff.post(`/api/tournaments/${id}/teams`, { captainUserId: users[captain]!.userId, name });
    expect(team.status, team.text).toBe(201);
    teams.push(team.body.id);
  }
  // Rosters through the player draft (normal order: Alpha, Bravo, Alpha, ...), staff picking.
  const root = `/api/tournaments/${id}`;
  const picks = [1, 6, 2, 7, 3, 8, 4, 9];
  const steps = [
    () => staff.patch(`${root}/draft`, { teamSize: 5, style: 'normal', pickSeconds: null }),
    () => staff.post(`${root}/draft/open`, {}),
    () => staff.post(`${root}/draft/start`, {}),
    ...picks.map((i, n) => () => staff.post(`${root}/draft/picks`, { userId: users[i]!.userId, pickNumber: n + 1 })),
  ];
  for (const step of steps) {
    const res = await step();
    expect(res.status, res.text).toBeLessThan(300);
  }
  expect((await staff.get(`${root}/draft`)).body.status).toBe('completed');
  const stage = await staff.post(`/api/tournaments/${id}/stages`, { format: 'single_elimination', bestOf, teamIds: teams });
  expect(stage.status, stage.text).toBe(201);
  const series = stage.body.matches.find((m: { status: string }) => m.status === 'ready');
  return { id, teams, users, seriesId: series.id as number, teamAId: series.teamA.id as number };
}

/** A finished match: `radiant` and `dire` account ids in slot order. */
export function finishedMatch(id: number, radiant: number[], dire: number[], radiantWin: boolean, startTime = 1_790_000_000): FakeMatch {
  return {
    match_id: id,
    match_seq_num: id - 1_000_000_000,
    start_time: startTime,
    duration: 2100,
    radiant_win: radiantWin,
    players: [...radiant, ...dire].map((a, i) => ({
      account_id: a,
      player_slot: i < 5 ? i : 128 + i - 5,
      hero_id: 10 + i,
      kills: i,
      deaths: 10 - i,
      assists: 3,
      last_hits: 50 * i,
      denies: i,
      gold_per_min: 300 + i,
      xp_per_min: 400 + i,
      net_worth: 9000 + i * 100,
    })),
  };
}
export const range = (from: number, count: number) => Array.from({ length: count }, (_, i) => from + i);
