/**
 * Series rules (BR8), pure: a series is best of 1, 2, 3 or 5; it ends when a team has the
 * wins it needs, or 1–1 in a Bo2 where the stage allows draws.
 */
import type { BestOf } from '../schemas/brackets';

export type { BestOf };
export type Side = 'a' | 'b';

/** Wins that end a series: 1, 2, 2, 3. */
export function winsNeeded(bestOf: number): number {
  return bestOf === 2 ? 2 : Math.floor(bestOf / 2) + 1;
}

export type SeriesOutcome =
  | { state: 'ongoing'; scoreA: number; scoreB: number }
  | { state: 'won'; winner: Side; scoreA: number; scoreB: number }
  | { state: 'draw'; scoreA: number; scoreB: number };

/** Reads a score as a series: finished (won or drawn), still ongoing, or impossible (a string saying why). */
export function seriesOutcome(bestOf: BestOf, scoreA: number, scoreB: number, allowDraw: boolean): SeriesOutcome | string {
  const need = winsNeeded(bestOf);
  if (!Number.isInteger(scoreA) || !Number.isInteger(scoreB) || scoreA < 0 || scoreB < 0) return 'scores are whole numbers from 0';
  if (scoreA + scoreB > bestOf) return `a best of ${bestOf} has at most ${bestOf} games`;
  if (scoreA >= need && scoreB >= need) return 'both teams cannot win the series';
  if (scoreA > need || scoreB > need) return `a best of ${bestOf} ends at ${need} wins`;
  if (scoreA === need) return { state: 'won', winner: 'a', scoreA, scoreB };
  if (scoreB === need) return { state: 'won', winner: 'b', scoreA, scoreB };
  if (bestOf === 2 && scoreA === 1 && scoreB === 1) {
    return allowDraw ? { state: 'draw', scoreA, scoreB } : 'a best of 2 cannot end 1–1 in this stage (no draws): play a decider';
  }
  return { state: 'ongoing', scoreA, scoreB };
}

/** The score after a list of game winners; refuses games played after the series was over. */
export function scoreOfGames(bestOf: BestOf, winners: Side[], allowDraw: boolean): SeriesOutcome | string {
  let a = 0;
  let b = 0;
  for (const [i, w] of winners.entries()) {
    const before = seriesOutcome(bestOf, a, b, allowDraw);
    if (typeof before !== 'string' && before.state !== 'ongoing') return `game ${i + 1} was played after the series ended`;
    if (w === 'a') a++;
    else b++;
  }
  return seriesOutcome(bestOf, a, b, allowDraw);
}
