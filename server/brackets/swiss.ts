/**
 * Swiss pairing, pure (BR7): teams with equal records meet, nobody meets the same team twice
 * unless no pairing is left without (then as few rematches as possible), and a team stops at
 * K wins or K losses.
 */
import type { Side } from '../../shared/rules/series';

export interface SwissSeries {
  round: number;
  teamA: number;
  /** null: a bye (a win for teamA). */
  teamB: number | null;
  /** null while unplayed; 'draw' for a drawn Bo2. */
  winner: Side | 'draw' | null;
}

export interface SwissRecord {
  teamId: number;
  wins: number;
  losses: number;
  draws: number;
  opponents: Set<number>;
  hadBye: boolean;
  /** Out of the stage: K wins (qualified) or K losses (eliminated). */
  done: boolean;
}

/** Records from the series so far. Team ids come in seed order. */
export function swissRecords(teamIds: number[], series: SwissSeries[], stopAt: number): SwissRecord[] {
  const recs = new Map<number, SwissRecord>(
    teamIds.map((id) => [id, { teamId: id, wins: 0, losses: 0, draws: 0, opponents: new Set(), hadBye: false, done: false }]),
  );
  for (const s of series) {
    const a = recs.get(s.teamA)!;
    if (s.teamB === null) {
      a.hadBye = true;
      if (s.winner) a.wins++;
      continue;
    }
    const b = recs.get(s.teamB)!;
    a.opponents.add(s.teamB);
    b.opponents.add(s.teamA);
    if (s.winner === 'a') {
      a.wins++;
      b.losses++;
    } else if (s.winner === 'b') {
      b.wins++;
      a.losses++;
    } else if (s.winner === 'draw') {
      a.draws++;
      b.draws++;
    }
  }
  for (const r of recs.values()) r.done = r.wins >= stopAt || r.losses >= stopAt;
  return teamIds.map((id) => recs.get(id)!);
}

export interface SwissRound {
  pairs: [number, number][];
  bye: number | null;
  /** Teams paired with a team of another record (their group could not be paired within itself). */
  floated: number[];
  /** Pairs that are rematches: only when no pairing with fewer was left (tiny fields, late rounds). */
  rematches: [number, number][];
  /** How much searching the pairing took; `optimal` is false only when the step limit cut it short. */
  search: { steps: number; optimal: boolean };
}

/**
 * Partial pairings the search may try before it settles for the best one found. Searching all
 * 10 395 pairings of 12 teams takes about 25 000, so up to 12 teams the answer is always exact;
 * larger fields are too unless a rematch is forced in a way the lower bound cannot see (then
 * this caps the work, at a few hundred milliseconds for 64 teams).
 */
export const SEARCH_STEP_LIMIT = 50_000;

/** A team's score for pairing: wins minus losses (a draw counts as neither). */
const scoreOf = (r: SwissRecord) => r.wins - r.losses;
const sameRecord = (x: SwissRecord, y: SwissRecord) => x.wins === y.wins && x.losses === y.losses;

/**
 * The pairing of `ranked` (best record first, then seed) that is best by, in order:
 * 1. fewest rematches;
 * 2. smallest sum of squared score gaps: squares make one 3–1 vs 1–3 pair worse than two
 *    one-step floats, and a sum keeps the cost per pair, so this is a minimum-cost matching;
 * 3. seed order: the best-placed unpaired team takes, of the partners that still allow the best
 *    total, the first in this order, then the next unpaired team, and so on: the cheapest pair
 *    (by 1 and 2) first; among equally cheap, in its record group the bottom half from the middle
 *    down, then the upper half from below (top half against bottom half), an odd group's lowest
 *    team last (it is the one that floats); outside its group, the higher-placed first.
 *
 * Depth-first branch and bound in exactly that order, so the first pairing found at the lowest
 * cost is the answer. Without rematches the first pairing it tries is already the best one
 * (its cost equals the lower bound), so large fields are quick; `stepLimit` bounds the rest.
 */
export function pairFewestRematches(ranked: SwissRecord[], stepLimit = SEARCH_STEP_LIMIT) {
  const n = ranked.length;
  const score = ranked.map(scoreOf);
  const spread = n === 0 ? 0 : Math.max(...score) - Math.min(...score);
  // One rematch costs more than any sum of gaps can: rematches count first.
  const rematchCost = 1 + (n / 2) * spread * spread;
  const met = ranked.map((x) => ranked.map((y) => x.opponents.has(y.teamId)));
  const cost = ranked.map((_, i) => ranked.map((_, j) => (met[i]![j] ? rematchCost : 0) + (score[i]! - score[j]!) ** 2));
  const byScore = ranked.map((_, i) => i).sort((i, j) => score[j]! - score[i]! || i - j);
  const paired: boolean[] = new Array(n).fill(false);

  /** Never more than the cheapest completion of the teams still unpaired. */
  const lowerBound = () => {
    // Gaps, rematches ignored: neighbours in score order (optimal for a convex cost on a line).
    let gaps = 0;
    let waiting = -1;
    for (const i of byScore) {
      if (paired[i]) continue;
      if (waiting < 0) waiting = i;
      else {
        gaps += (score[waiting]! - score[i]!) ** 2;
        waiting = -1;
      }
    }
    // A team that has met every team left must meet one again; one rematch covers two such teams.
    let cornered = 0;
    for (let i = 0; i < n; i++) {
      if (paired[i]) continue;
      let free = false;
      for (let j = 0; j < n && !free; j++) free = j !== i && !paired[j] && !met[i]![j];
      if (!free) cornered++;
    }
    return gaps + rematchCost * Math.ceil(cornered / 2);
  };

  /** Partners for `top` (the best-placed unpaired team) in the order of rule 3. */
  const partnersOf = (top: number) => {
    const group: number[] = [];
    const others: number[] = [];
    for (let j = top + 1; j < n; j++) if (!paired[j]) (sameRecord(ranked[top]!, ranked[j]!) ? group : others).push(j);
    const floater = group.length % 2 === 1 ? [] : group.splice(-1); // with `top`, the group is odd
    const half = Math.floor(group.length / 2);
    const preferred = [...group.slice(half), ...group.slice(0, half).reverse(), ...floater, ...others];
    return preferred
      .map((j, rank) => ({ j, rank }))
      .sort((x, y) => cost[top]![x.j]! - cost[top]![y.j]! || x.rank - y.rank)
      .map((x) => x.j);
  };

  const chosen: [number, number][] = [];
  let best: [number, number][] = [];
  let bestCost = Infinity;
  let steps = 0;
  let cutShort = false;
  const search = (costSoFar: number) => {
    const top = paired.indexOf(false);
    if (top < 0) {
      // Strictly better only: among equal costs the first found (rule 3) stays.
      if (costSoFar < bestCost) [best, bestCost] = [[...chosen], costSoFar];
      return;
    }
    paired[top] = true;
    for (const partner of partnersOf(top)) {
      if (steps >= stepLimit) {
        cutShort = true;
        break;
      }
      steps++;
      paired[partner] = true;
      const soFar = costSoFar + cost[top]![partner]!;
      if (soFar + lowerBound() < bestCost) {
        chosen.push([top, partner]);
        search(soFar);
        chosen.pop();
      }
      paired[partner] = false;
    }
    paired[top] = false;
  };
  search(0);
  const pairs = best.map(([i, j]): [number, number] => [ranked[i]!.teamId, ranked[j]!.teamId]);
  return { pairs, steps, optimal: !cutShort };
}

/**
 * The next round for the teams still in, ranked by record (best first) then seed. With an odd
 * number of teams the lowest team without a bye yet gets one; the rest are paired by
 * pairFewestRematches, so equal records meet where they can and a group that cannot be paired
 * within itself floats teams to the nearest records.
 */
export function swissNextRound(records: SwissRecord[]): SwissRound {
  const active = records.filter((r) => !r.done);
  const rank = new Map(records.map((r, i) => [r.teamId, i]));
  active.sort((x, y) => y.wins - x.wins || x.losses - y.losses || rank.get(x.teamId)! - rank.get(y.teamId)!);
  let bye: number | null = null;
  if (active.length % 2 === 1) {
    const pick = [...active].reverse().find((r) => !r.hadBye) ?? active[active.length - 1]!;
    bye = pick.teamId;
    active.splice(active.indexOf(pick), 1);
  }
  const { pairs, steps, optimal } = pairFewestRematches(active);
  const byId = new Map(active.map((r) => [r.teamId, r]));
  const floated = pairs.filter(([a, b]) => !sameRecord(byId.get(a)!, byId.get(b)!)).flat();
  const rematches = pairs.filter(([a, b]) => byId.get(a)!.opponents.has(b));
  return { pairs, bye, floated, rematches, search: { steps, optimal } };
}
