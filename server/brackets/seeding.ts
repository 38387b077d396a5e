/**
 * Seeding, pure (BR1). The result is always team ids in seed order (seed 1 first); the bracket
 * places seeds in the standard order.
 */

/**
 * Seed numbers in bracket order for a power-of-two size: 2 → [1,2]; 4 → [1,4,2,3];
 * 8 → [1,8,4,5,2,7,3,6] (matches 1v8, 4v5, 2v7, 3v6). Each step splits every seed s into
 * s and (its mirror at the doubled size), so the top two seeds can only meet in the final.
 */
export function standardOrder(size: number): number[] {
  if (size < 2 || (size & (size - 1)) !== 0) throw new Error(`bracket size must be a power of two, got ${size}`);
  let order = [1, 2];
  while (order.length < size) {
    const doubled = order.length * 2;
    order = order.flatMap((s) => [s, doubled + 1 - s]);
  }
  return order;
}

export function nextPowerOfTwo(n: number): number {
  let p = 1;
  while (p < n) p *= 2;
  return Math.max(p, 2);
}

export interface SeedTeam {
  id: number;
  /** Sum of the team's players' MMR (captain included). */
  totalMmr: number;
}

/** By MMR total, highest first; equal totals keep the given order (e.g. draft order). */
export function seedByMmr(teams: SeedTeam[]): number[] {
  return teams
    .map((t, i) => ({ t, i }))
    .sort((x, y) => y.t.totalMmr - x.t.totalMmr || x.i - y.i)
    .map((x) => x.t.id);
}

/** A uniform shuffle (Fisher–Yates) driven by the given source of numbers in [0, 1). */
export function seedRandom(teamIds: number[], random: () => number): number[] {
  const out = [...teamIds];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

/** A small seeded generator (mulberry32) so a random seeding can be recorded and replayed from its seed. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Manual seeding must list every team exactly once; returns a problem or null. */
export function checkManualSeeding(teamIds: number[], order: number[]): string | null {
  const known = new Set(teamIds);
  const seen = new Set<number>();
  for (const id of order) {
    if (!known.has(id)) return `team ${id} is not in this tournament`;
    if (seen.has(id)) return `team ${id} is listed more than once`;
    seen.add(id);
  }
  const missing = teamIds.filter((id) => !seen.has(id));
  return missing.length ? `the seeding misses teams ${missing.join(', ')}` : null;
}
