/**
 * Round-robin and Swiss standings, pure (BR6). Points first, then the stage's published
 * tie-break order: head-to-head among the tied teams (whenever a criterion splits a tie, the
 * still-tied subset starts over from the first criterion), game
 * differential, Buchholz (sum of the opponents' series wins), then the coin toss recorded when
 * the stage was created.
 */

import type { TIEBREAK_NAMES } from '../../shared/schemas/brackets';

/** The criteria, named once in the shared schema (the stage's published order is one of its settings). */
export type Tiebreak = (typeof TIEBREAK_NAMES)[number];

/** 'series': win 3 / draw 1 / loss 0 per series; 'games': one point per game won (Bo2 style 2/1/0). */
export type PointsMode = 'series' | 'games';

export interface PlayedSeries {
  teamA: number;
  /** null for a Swiss bye (a series win for teamA with no games). */
  teamB: number | null;
  scoreA: number;
  scoreB: number;
  /** null for a draw. */
  winner: 'a' | 'b' | null;
}

export interface StandingRow {
  teamId: number;
  rank: number;
  played: number;
  wins: number;
  draws: number;
  losses: number;
  gamesWon: number;
  gamesLost: number;
  points: number;
  buchholz: number;
}

export interface StandingsInput {
  teamIds: number[];
  series: PlayedSeries[];
  points: PointsMode;
  tiebreaks: Tiebreak[];
  /** Team ids in the order of the recorded coin toss (first wins every toss). */
  coinToss: number[];
}

function pointsOf(mode: PointsMode, own: number, other: number, result: 'win' | 'draw' | 'loss'): number {
  if (mode === 'games') return own;
  return result === 'win' ? 3 : result === 'draw' ? 1 : 0;
}

export function standings(input: StandingsInput): StandingRow[] {
  const rows = new Map<number, StandingRow>();
  for (const id of input.teamIds)
    rows.set(id, { teamId: id, rank: 0, played: 0, wins: 0, draws: 0, losses: 0, gamesWon: 0, gamesLost: 0, points: 0, buchholz: 0 });
  const opponents = new Map<number, number[]>(input.teamIds.map((id) => [id, []]));

  for (const s of input.series) {
    const a = rows.get(s.teamA);
    if (!a) continue;
    if (s.teamB === null) {
      a.played++;
      a.wins++;
      a.points += input.points === 'series' ? 3 : 2;
      continue;
    }
    const b = rows.get(s.teamB);
    if (!b) continue;
    const resultA = s.winner === 'a' ? 'win' : s.winner === 'b' ? 'loss' : 'draw';
    const resultB = s.winner === 'b' ? 'win' : s.winner === 'a' ? 'loss' : 'draw';
    for (const [row, own, other, result] of [
      [a, s.scoreA, s.scoreB, resultA],
      [b, s.scoreB, s.scoreA, resultB],
    ] as const) {
      row.played++;
      if (result === 'win') row.wins++;
      else if (result === 'draw') row.draws++;
      else row.losses++;
      row.gamesWon += own;
      row.gamesLost += other;
      row.points += pointsOf(input.points, own, other, result);
    }
    opponents.get(s.teamA)!.push(s.teamB);
    opponents.get(s.teamB)!.push(s.teamA);
  }
  for (const row of rows.values()) row.buchholz = opponents.get(row.teamId)!.reduce((sum, o) => sum + (rows.get(o)?.wins ?? 0), 0);

  const tossRank = new Map(input.coinToss.map((id, i) => [id, i]));
  const headToHead = (subset: number[]) => {
    const inside = new Set(subset);
    const pts = new Map(subset.map((id) => [id, 0]));
    for (const s of input.series) {
      if (s.teamB === null || !inside.has(s.teamA) || !inside.has(s.teamB)) continue;
      const resultA = s.winner === 'a' ? 'win' : s.winner === 'b' ? 'loss' : 'draw';
      const resultB = s.winner === 'b' ? 'win' : s.winner === 'a' ? 'loss' : 'draw';
      pts.set(s.teamA, pts.get(s.teamA)! + pointsOf(input.points, s.scoreA, s.scoreB, resultA));
      pts.set(s.teamB, pts.get(s.teamB)! + pointsOf(input.points, s.scoreB, s.scoreA, resultB));
    }
    return (id: number) => pts.get(id)!;
  };
  const value = (criterion: Tiebreak, subset: number[]): ((id: number) => number) => {
    switch (criterion) {
      case 'headToHead':
        return headToHead(subset);
      case 'gameDiff':
        return (id) => rows.get(id)!.gamesWon - rows.get(id)!.gamesLost;
      case 'buchholz':
        return (id) => rows.get(id)!.buchholz;
      case 'coinToss':
        return (id) => -(tossRank.get(id) ?? Number.MAX_SAFE_INTEGER - id);
    }
  };
  /** Splits teams into runs of equal value, best first. */
  const split = (teams: number[], of: (id: number) => number) => {
    const sorted = [...teams].sort((x, y) => of(y) - of(x));
    const parts: number[][] = [];
    for (const id of sorted) {
      const last = parts[parts.length - 1];
      if (last && of(last[0]!) === of(id)) last.push(id);
      else parts.push([id]);
    }
    return parts;
  };
  const order = (teams: number[], from: number): number[] => {
    if (teams.length <= 1) return teams;
    // Past the published order the recorded coin toss still settles it; then (never in practice) the id.
    if (from > input.tiebreaks.length) return [...teams].sort((x, y) => x - y);
    const criterion = input.tiebreaks[from] ?? 'coinToss';
    const parts = split(teams, value(criterion, teams));
    if (parts.length === 1) return order(teams, from + 1);
    // A still-tied subset starts over from head-to-head, now among fewer teams.
    return parts.flatMap((part) => (part.length === 1 ? part : order(part, 0)));
  };

  const ranked = split(input.teamIds, (id) => rows.get(id)!.points).flatMap((tied) => order(tied, 0));
  return ranked.map((id, i) => ({ ...rows.get(id)!, rank: i + 1 }));
}
