/**
 * Round robin, pure: teams split into groups, every pair of a group meets once.
 */

export interface Pairing {
  group: number;
  /** 1-based. */
  round: number;
  /** 1-based within the group's round. */
  position: number;
  teamA: number;
  teamB: number;
}

/**
 * Groups by seed: seed s goes to group (s − 1) mod g, so every group gets one team of each
 * "pot" (seeds 1..g, g+1..2g, ...). Team ids come in seed order.
 */
export function splitIntoGroups(teamIds: number[], groupCount: number): number[][] {
  if (groupCount < 1 || groupCount > Math.floor(teamIds.length / 2)) throw new Error('every group needs at least two teams');
  const groups: number[][] = Array.from({ length: groupCount }, () => []);
  teamIds.forEach((id, i) => groups[i % groupCount]!.push(id));
  return groups;
}

/**
 * The circle method in its modular form: with m places (the team count, plus an empty place
 * when odd), the last place is fixed and places i, j of the other m − 1 meet in round r
 * (0-based) when i + j ≡ 2r (mod m − 1); the fixed place meets place r.
 * Every team plays once per round and every pair exactly once in m − 1 rounds.
 * An odd team count leaves one team idle each round (it met the empty place).
 */
export function circleRounds(teamIds: number[]): [number, number][][] {
  const m = teamIds.length % 2 === 0 ? teamIds.length : teamIds.length + 1;
  const mod = m - 1;
  const at = (i: number) => teamIds[i]; // undefined for the empty place
  const rounds: [number, number][][] = [];
  for (let r = 0; r < mod; r++) {
    const pairs: [number, number][] = [];
    // The fixed place first, then the pairs r − k, r + k moving outwards.
    const fixedPartner = r % mod;
    const a = at(fixedPartner);
    const b = at(m - 1);
    if (a !== undefined && b !== undefined) pairs.push([a, b]);
    for (let k = 1; k < m / 2; k++) {
      const i = (((fixedPartner - k) % mod) + mod) % mod;
      const j = (fixedPartner + k) % mod;
      const x = at(i);
      const y = at(j);
      if (x !== undefined && y !== undefined) pairs.push([x, y]);
    }
    rounds.push(pairs);
  }
  return rounds;
}

/** Every pairing of a round-robin stage, group by group. */
export function roundRobinPairings(teamIds: number[], groupCount: number): Pairing[] {
  const out: Pairing[] = [];
  splitIntoGroups(teamIds, groupCount).forEach((group, g) => {
    circleRounds(group).forEach((pairs, r) => {
      pairs.forEach(([teamA, teamB], p) => out.push({ group: g + 1, round: r + 1, position: p + 1, teamA, teamB }));
    });
  });
  return out;
}
