/**
 * Roster overlap between a finished match and a series' two teams (pure).
 * ST5: ten of ten, with each side entirely one team's players, links on its own and the side
 * tells who won; anything lower is only a suggestion for staff.
 */
export interface MatchSlot {
  accountId: number | null;
  isRadiant: boolean;
}

export interface Overlap {
  /** How many of the match's players belong to either team. */
  overlap: number;
  /** Which team played Radiant (by majority of the known players), or null when unclear. */
  radiant: 'a' | 'b' | null;
  /** 10/10 and each side is wholly one team. */
  exact: boolean;
}

/** Below this, a match and a series have too little in common to suggest (ours: half the lobby). */
export const SUGGEST_MIN_OVERLAP = 5;

export function rosterOverlap(players: MatchSlot[], teamA: ReadonlySet<number>, teamB: ReadonlySet<number>): Overlap {
  let overlap = 0;
  let radiantA = 0;
  let direB = 0;
  let radiantB = 0;
  let direA = 0;
  for (const p of players) {
    if (p.accountId === null) continue;
    const inA = teamA.has(p.accountId);
    const inB = teamB.has(p.accountId);
    if (!inA && !inB) continue;
    overlap++;
    if (inA && p.isRadiant) radiantA++;
    else if (inA) direA++;
    if (inB && p.isRadiant) radiantB++;
    else if (inB) direB++;
  }
  // votes > 0: team A on Radiant
  const votes = radiantA + direB - (radiantB + direA);
  const radiant = votes > 0 ? 'a' : votes < 0 ? 'b' : null;
  const exact = players.length === 10 && overlap === 10 && ((radiantA === 5 && direB === 5) || (radiantB === 5 && direA === 5));
  return { overlap, radiant, exact };
}

/** Which team won a game, from the side it played. */
export function winnerBySide(radiant: 'a' | 'b', radiantWin: boolean): 'a' | 'b' {
  return radiantWin === (radiant === 'a') ? 'a' : 'b';
}

/** Series result from its linked games, or null while no team has the wins it needs. */
export function seriesFromGames(bestOf: number, winners: ('a' | 'b')[]): { decided: boolean } {
  const need = Math.floor(bestOf / 2) + 1;
  const a = winners.filter((w) => w === 'a').length;
  const b = winners.length - a;
  if (bestOf === 2) return { decided: winners.length >= 2 || a === 2 || b === 2 };
  return { decided: a >= need || b >= need };
}
