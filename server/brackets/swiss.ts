/**
 * Swiss pairing, pure (BR7): teams with equal records meet, nobody meets the same team twice,
 * and a team stops at K wins or K losses.
 */
import type { Side } from './series';

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
  const recs = new Map<number, SwissRecord>(teamIds.map((id) => [id, { teamId: id, wins: 0, losses: 0, draws: 0, opponents: new Set(), hadBye: false, done: false }]));
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
  /** Teams paired outside their record group because their group could not be paired. */
  floated: number[];
  /** Pairs that are rematches: only when no pairing without one was left (tiny fields, late rounds). */
  rematches: [number, number][];
}

/** Pairs a group without rematches (top half against bottom half first), or null. */
function pairGroup(group: SwissRecord[]): [number, number][] | null {
  if (group.length === 0) return [];
  const [first, ...rest] = group;
  const half = Math.floor(rest.length / 2);
  // Preferred partners: from the middle down, then the upper ones (keeps top seeds apart).
  const candidates = [...rest.slice(half), ...rest.slice(0, half).reverse()];
  for (const partner of candidates) {
    if (first!.opponents.has(partner.teamId)) continue;
    const others = rest.filter((r) => r !== partner);
    const tail = pairGroup(others);
    if (tail) return [[first!.teamId, partner.teamId], ...tail];
  }
  return null;
}

/**
 * The next round for the teams still in. Records are grouped (best first); an odd group sends
 * its lowest team down to the next one, a group that cannot be paired without rematches joins
 * the next group whole; with an odd number of teams, the lowest team without a bye yet gets one.
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
  const groups: SwissRecord[][] = [];
  for (const r of active) {
    const last = groups[groups.length - 1];
    if (last && last[0]!.wins === r.wins && last[0]!.losses === r.losses) last.push(r);
    else groups.push([r]);
  }
  const pairs: [number, number][] = [];
  const floated: number[] = [];
  const rematches: [number, number][] = [];
  let carry: SwissRecord[] = [];
  for (const [i, group] of groups.entries()) {
    const pool = [...carry, ...group];
    const last = i === groups.length - 1;
    carry = [];
    if (pool.length % 2 === 1 && !last) {
      const down = pool.pop()!;
      carry.push(down);
      floated.push(down.teamId);
    }
    const paired = pairGroup(pool);
    if (paired) pairs.push(...paired);
    else if (!last) {
      carry = [...pool, ...carry];
      floated.push(...pool.map((r) => r.teamId));
    } else {
      // Nothing left to merge with: pair in order, rematches allowed as a last resort.
      for (let j = 0; j + 1 < pool.length; j += 2) {
        const pair: [number, number] = [pool[j]!.teamId, pool[j + 1]!.teamId];
        pairs.push(pair);
        if (pool[j]!.opponents.has(pair[1])) rematches.push(pair);
      }
    }
  }
  return { pairs, bye, floated, rematches };
}
