/**
 * Single and double elimination, pure. A bracket is a fixed template of matches whose slots
 * name where their teams come from (a seed, or the winner/loser of an earlier match); the
 * teams in each match are derived by replaying the stored results over the template. So a
 * correction needs no bookkeeping: replay, and any result whose teams changed is stale.
 */
import type { Side } from '../../shared/rules/series';
import { nextPowerOfTwo, standardOrder } from './seeding';

export type SlotSource = { kind: 'seed'; seed: number } | { kind: 'winner'; match: string } | { kind: 'loser'; match: string };
export type Bracket = 'upper' | 'lower' | 'final' | 'third';

export interface MatchTemplate {
  key: string;
  bracket: Bracket;
  /** 1-based within its bracket. */
  round: number;
  /** 1-based within its round. */
  position: number;
  a: SlotSource;
  b: SlotSource;
  /** The grand-final reset: played only when the lower-bracket team wins the first grand final. */
  resetOf?: string;
}

export interface EliminationOptions {
  double: boolean;
  thirdPlace: boolean;
  grandFinalReset: boolean;
}

export interface EliminationTemplate {
  teamCount: number;
  size: number;
  options: EliminationOptions;
  matches: MatchTemplate[];
}

/** A slot: a team id, 'bye' (nobody will ever come: the match is a walkover) or 'tbd'. */
export type Occupant = number | 'bye' | 'tbd';

export interface StoredResult {
  /** The teams the result was reported for: a replay that puts other teams here makes it stale. */
  teamA: number;
  teamB: number;
  winner: Side;
  scoreA: number;
  scoreB: number;
  /** The side that forfeited (or was disqualified), if the series was not played out. */
  forfeit?: Side | null;
}

export type MatchStatus = 'tbd' | 'ready' | 'done' | 'bye' | 'skipped';

export interface ResolvedMatch extends MatchTemplate {
  teamA: Occupant;
  teamB: Occupant;
  status: MatchStatus;
  winner: Occupant;
  loser: Occupant;
  /** The result in force (null while unplayed, for byes and skipped resets). */
  result: StoredResult | null;
  /** A result is stored for this match but its teams have changed since (a correction upstream). */
  stale: boolean;
}

const key = {
  upper: (r: number, p: number) => `U${r}.${p}`,
  lower: (r: number, p: number) => `L${r}.${p}`,
};

/**
 * Orders of the teams dropping from each upper round into the lower bracket, by bracket size:
 * the first entry is for the losers of upper round 1, the next ones for upper rounds 2, 3, ...
 * They keep teams that met in the upper bracket apart in the lower one for as long as possible
 * (the orders recommended in TL.net's "superior double elimination losers bracket seeding",
 * which brackets-manager also uses; the same orders make the oracle tests comparable).
 */
const DROP_ORDERS: Record<number, DropOrder[]> = {
  4: ['natural', 'reverse'],
  8: ['natural', 'reverse', 'natural'],
  16: ['natural', 'reverse_half_shift', 'reverse', 'natural'],
  32: ['natural', 'reverse', 'half_shift', 'natural', 'natural'],
  64: ['natural', 'reverse', 'half_shift', 'reverse', 'natural', 'natural'],
};
type DropOrder = 'natural' | 'reverse' | 'half_shift' | 'reverse_half_shift';

function reorder<T>(items: T[], order: DropOrder): T[] {
  const half = items.length / 2;
  switch (order) {
    case 'natural':
      return [...items];
    case 'reverse':
      return [...items].reverse();
    case 'half_shift':
      return [...items.slice(half), ...items.slice(0, half)];
    case 'reverse_half_shift':
      return [...items.slice(0, half).reverse(), ...items.slice(half).reverse()];
  }
}

export function eliminationTemplate(teamCount: number, options: EliminationOptions): EliminationTemplate {
  if (!Number.isInteger(teamCount) || teamCount < 2 || teamCount > 64) throw new Error('an elimination bracket has 2 to 64 teams');
  const size = nextPowerOfTwo(teamCount);
  const rounds = Math.log2(size);
  const matches: MatchTemplate[] = [];
  const order = standardOrder(size);

  for (let r = 1; r <= rounds; r++) {
    const count = size / 2 ** r;
    for (let p = 1; p <= count; p++) {
      const a: SlotSource = r === 1 ? { kind: 'seed', seed: order[2 * p - 2]! } : { kind: 'winner', match: key.upper(r - 1, 2 * p - 1) };
      const b: SlotSource = r === 1 ? { kind: 'seed', seed: order[2 * p - 1]! } : { kind: 'winner', match: key.upper(r - 1, 2 * p) };
      matches.push({ key: key.upper(r, p), bracket: 'upper', round: r, position: p, a, b });
    }
  }
  const upperFinal = key.upper(rounds, 1);

  if (!options.double) {
    if (options.thirdPlace && rounds >= 2) {
      matches.push({
        key: '3RD',
        bracket: 'third',
        round: 1,
        position: 1,
        a: { kind: 'loser', match: key.upper(rounds - 1, 1) },
        b: { kind: 'loser', match: key.upper(rounds - 1, 2) },
      });
    }
    return { teamCount, size, options, matches };
  }

  // Lower bracket: round 1 pairs the upper round-1 losers; then each even round brings in the
  // losers of the next upper round, and each odd round halves the field.
  const drops = DROP_ORDERS[size] ?? [];
  const dropped = (upperRound: number) => {
    const losers = Array.from({ length: size / 2 ** upperRound }, (_, i) => key.upper(upperRound, i + 1));
    return reorder(losers, drops[upperRound - 1] ?? 'natural');
  };
  let lowerFinal: SlotSource = { kind: 'loser', match: upperFinal };
  if (rounds >= 2) {
    const first = dropped(1);
    for (let p = 1; p <= size / 4; p++) {
      matches.push({
        key: key.lower(1, p),
        bracket: 'lower',
        round: 1,
        position: p,
        a: { kind: 'loser', match: first[2 * p - 2]! },
        b: { kind: 'loser', match: first[2 * p - 1]! },
      });
    }
    for (let j = 1; j <= rounds - 1; j++) {
      const count = size / 2 ** (j + 1);
      const incoming = dropped(j + 1);
      for (let p = 1; p <= count; p++) {
        matches.push({
          key: key.lower(2 * j, p),
          bracket: 'lower',
          round: 2 * j,
          position: p,
          a: { kind: 'winner', match: key.lower(2 * j - 1, p) },
          b: { kind: 'loser', match: incoming[p - 1]! },
        });
      }
      if (j <= rounds - 2) {
        for (let p = 1; p <= count / 2; p++) {
          matches.push({
            key: key.lower(2 * j + 1, p),
            bracket: 'lower',
            round: 2 * j + 1,
            position: p,
            a: { kind: 'winner', match: key.lower(2 * j, 2 * p - 1) },
            b: { kind: 'winner', match: key.lower(2 * j, 2 * p) },
          });
        }
      }
    }
    lowerFinal = { kind: 'winner', match: key.lower(2 * (rounds - 1), 1) };
  }
  matches.push({ key: 'GF1', bracket: 'final', round: 1, position: 1, a: { kind: 'winner', match: upperFinal }, b: lowerFinal });
  if (options.grandFinalReset) {
    matches.push({ key: 'GF2', bracket: 'final', round: 2, position: 1, a: { kind: 'winner', match: upperFinal }, b: lowerFinal, resetOf: 'GF1' });
  }
  return { teamCount, size, options, matches };
}

export interface EliminationState {
  /** Team ids in seed order (seed 1 first); seeds past the end are byes. */
  seeds: number[];
  results: ReadonlyMap<string, StoredResult>;
  /** Disqualified teams lose every match they have not played yet, by forfeit. */
  disqualified?: ReadonlySet<number>;
}

const isTeam = (o: Occupant): o is number => typeof o === 'number';

/** Replays the results over the template, in template order (every source comes earlier). */
export function resolveElimination(template: EliminationTemplate, state: EliminationState): ResolvedMatch[] {
  const byKey = new Map<string, ResolvedMatch>();
  const dq = state.disqualified ?? new Set<number>();
  const occupant = (source: SlotSource): Occupant => {
    if (source.kind === 'seed') return state.seeds[source.seed - 1] ?? 'bye';
    const from = byKey.get(source.match)!;
    return source.kind === 'winner' ? from.winner : from.loser;
  };

  for (const t of template.matches) {
    let teamA = occupant(t.a);
    let teamB = occupant(t.b);
    const stored = state.results.get(t.key) ?? null;
    const m: ResolvedMatch = { ...t, teamA, teamB, status: 'tbd', winner: 'tbd', loser: 'tbd', result: null, stale: false };
    byKey.set(t.key, m);

    if (t.resetOf) {
      const first = byKey.get(t.resetOf)!;
      if (first.status === 'done' || first.status === 'bye') {
        // No reset unless the lower-bracket team (side b) won the first grand final.
        if (first.status === 'bye' || first.winner === first.teamA) {
          m.status = 'skipped';
          m.winner = first.winner;
          m.loser = first.loser;
          m.teamA = first.teamA;
          m.teamB = first.teamB;
          m.stale = stored !== null;
          continue;
        }
        teamA = m.teamA = first.teamA;
        teamB = m.teamB = first.teamB;
      } else {
        // Unknown until the first grand final is decided (it may not be played at all).
        m.teamA = m.teamB = 'tbd';
        m.stale = stored !== null;
        continue;
      }
    }

    if (teamA === 'tbd' || teamB === 'tbd') {
      m.stale = stored !== null;
      continue;
    }
    if (!isTeam(teamA) || !isTeam(teamB)) {
      // A walkover: the team present (if any) goes through at once; an empty slot carries on empty.
      m.status = 'bye';
      m.winner = isTeam(teamA) ? teamA : teamB;
      m.loser = 'bye';
      m.stale = stored !== null;
      continue;
    }
    if (stored && stored.teamA === teamA && stored.teamB === teamB) {
      m.status = 'done';
      m.result = stored;
    } else {
      m.stale = stored !== null;
      const outA = dq.has(teamA);
      const outB = dq.has(teamB);
      if (outA || outB) {
        // Both disqualified: nobody goes through (the next slot is empty), both are out.
        if (outA && outB) {
          m.status = 'bye';
          m.winner = 'bye';
          m.loser = 'bye';
          continue;
        }
        m.status = 'done';
        m.result = { teamA, teamB, winner: outA ? 'b' : 'a', scoreA: 0, scoreB: 0, forfeit: outA ? 'a' : 'b' };
      } else {
        m.status = 'ready';
        continue;
      }
    }
    const w = m.result!.winner;
    m.winner = w === 'a' ? teamA : teamB;
    m.loser = w === 'a' ? teamB : teamA;
  }
  return template.matches.map((t) => byKey.get(t.key)!);
}

/** The champion once the last deciding match is played, else null. */
export function champion(template: EliminationTemplate, resolved: ResolvedMatch[]): number | null {
  const last = template.options.double
    ? (resolved.find((m) => m.key === 'GF2' && m.status !== 'skipped') ?? resolved.find((m) => m.key === 'GF1'))
    : resolved.find((m) => m.bracket === 'upper' && m.round === Math.log2(template.size));
  if (!last || (last.status !== 'done' && last.status !== 'bye')) return null;
  return isTeam(last.winner) ? last.winner : null;
}

/**
 * Which match put each eliminated team out, as a number that grows the later the exit:
 * the loss that ends a team's run (any loss in single elimination, a lower-bracket or grand-final
 * loss in double elimination).
 */
function exits(template: EliminationTemplate, resolved: ResolvedMatch[]): Map<number, number> {
  const rounds = Math.log2(template.size);
  const out = new Map<number, number>();
  for (const m of resolved) {
    if (m.status !== 'done' || !isTeam(m.loser)) continue;
    if (m.bracket === 'upper' && !template.options.double) {
      const semiWithThird = template.options.thirdPlace && rounds >= 2 && m.round === rounds - 1;
      if (!semiWithThird) out.set(m.loser, m.round);
    } else if (m.bracket === 'third') {
      out.set(m.loser, rounds - 0.5);
    } else if (m.bracket === 'lower') {
      out.set(m.loser, m.round);
    } else if (m.bracket === 'final') {
      // The first grand final eliminates only the upper-bracket team when there is no reset to play.
      const decides = m.key === 'GF2' || !template.options.grandFinalReset || m.winner === m.teamA;
      if (decides) out.set(m.loser, 1000);
    }
  }
  // A double-elimination upper-bracket team out of a bracket with only two teams has no lower bracket.
  return out;
}

export interface Placement {
  teamId: number;
  /** Shared places repeat: 1, 2, 3, 3, 5, 5, 5, 5. */
  place: number;
}

/**
 * Places from the bracket: the champion 1st, then by how late each team went out; teams that
 * went out in the same round share the place (3rd–4th shared without a third-place match).
 * Teams still in the running get no place yet.
 */
export function placements(template: EliminationTemplate, resolved: ResolvedMatch[]): Placement[] {
  const out = exits(template, resolved);
  const rounds = Math.log2(template.size);
  const third = resolved.find((m) => m.bracket === 'third');
  if (third && third.status === 'done' && isTeam(third.winner)) out.set(third.winner, rounds - 0.25);
  if (third && third.status === 'bye' && isTeam(third.winner)) out.set(third.winner, rounds - 0.25);
  const winner = champion(template, resolved);
  const finished = [...out.entries()];
  const alive = template.teamCount - finished.length - (winner === null ? 0 : 1);
  const list: Placement[] = finished.map(([teamId, exit]) => ({
    teamId,
    place: 1 + alive + (winner === null ? 0 : 1) + finished.filter(([, e]) => e > exit).length,
  }));
  if (winner !== null) list.push({ teamId: winner, place: 1 });
  return list.sort((x, y) => x.place - y.place || x.teamId - y.teamId);
}

/**
 * What a new result would do to matches already played downstream: the keys whose stored
 * results would become stale (their teams change), in template order.
 */
export function staleAfter(template: EliminationTemplate, state: EliminationState): string[] {
  return resolveElimination(template, state)
    .filter((m) => m.stale)
    .map((m) => m.key);
}
