/**
 * A stage as the API shows it, built from its rows: pure (no I/O), so the read and every
 * command's answer build the same view. Elimination teams are replayed from the seeding and
 * the stored results; group and Swiss series apply disqualifications as forfeits.
 */
import type { BracketMatch, Stage as StageDto, StandingRow } from '../../shared/schemas/brackets';
import { isoTime } from '../db/base.model';
import type { Series, SeriesGame, Stage } from './bracket.model';
import { champion, eliminationTemplate, type Occupant, placements, resolveElimination, type StoredResult } from './elimination';
import { eliminationOptions, isElimination } from './stage.rules';
import { standings, type PlayedSeries } from './standings';
import { swissRecords, type SwissSeries } from './swiss';

export type TeamNames = Map<number, string>;

const ref = (names: TeamNames, id: number | null) => (id === null ? null : { id, name: names.get(id) ?? `team ${id}` });

function bracketOfKey(key: string): BracketMatch['bracket'] {
  if (key.startsWith('U')) return 'upper';
  if (key.startsWith('L')) return 'lower';
  if (key.startsWith('GF')) return 'final';
  if (key === '3RD') return 'third';
  if (key.startsWith('G')) return 'group';
  return 'swiss';
}

function gamesOf(games: SeriesGame[], matchId: number) {
  return games
    .filter((g) => g.matchId === matchId)
    .sort((x, y) => x.number - y.number)
    .map((g) => ({ number: g.number, winner: g.winner, radiant: g.radiant, steamMatchId: g.steamMatchId, draft: g.draft }));
}

/** A captain's report waiting for the other captain (only while the series is unplayed). */
const claimView = (row: Series) =>
  row.claim && row.winner === null
    ? { side: row.claim.side, winner: row.claim.winner, scoreA: row.claim.scoreA, scoreB: row.claim.scoreB, forfeit: row.claim.forfeit }
    : null;

/** Stored elimination results, keyed by match key. */
export function storedResults(rows: Series[]): Map<string, StoredResult> {
  const out = new Map<string, StoredResult>();
  for (const r of rows) {
    if ((r.winner === 'a' || r.winner === 'b') && r.teamIdA !== null && r.teamIdB !== null) {
      out.set(r.key, { teamA: r.teamIdA, teamB: r.teamIdB, winner: r.winner, scoreA: r.scoreA ?? 0, scoreB: r.scoreB ?? 0, forfeit: r.forfeit });
    }
  }
  return out;
}

/** An elimination stage replayed from its seeding and stored results (BR2–BR5). */
export function resolveStage(stage: Stage, rows: Series[]) {
  const template = eliminationTemplate(stage.seeding.length, eliminationOptions(stage.format, stage.settings));
  const resolved = resolveElimination(template, { seeds: stage.seeding, results: storedResults(rows), disqualified: new Set(stage.disqualified) });
  return { template, resolved };
}

/** Group and Swiss series with disqualifications applied: an unplayed series of a disqualified team is its forfeit. */
export function fixedSeries(stage: Stage, rows: Series[]) {
  const dq = new Set(stage.disqualified);
  return rows.map((r) => {
    let { winner, forfeit } = r;
    if (winner === null && r.teamIdB !== null && (dq.has(r.teamIdA!) || dq.has(r.teamIdB))) {
      forfeit = dq.has(r.teamIdA!) ? 'a' : 'b';
      winner = forfeit === 'a' ? 'b' : 'a';
    }
    return { row: r, winner, forfeit };
  });
}

/** The stage as the API answers it: series with their teams and results, standings or placements. */
export function stageView(stage: Stage, rows: Series[], games: SeriesGame[], names: TeamNames): StageDto {
  const byKey = new Map(rows.map((r) => [r.key, r]));
  const base = {
    id: stage.id,
    tournamentId: stage.tournamentId,
    number: stage.number,
    name: stage.name,
    format: stage.format,
    settings: stage.settings,
    seedingMethod: stage.seedingMethod,
    seeds: stage.seeding.map((id) => ref(names, id)!),
    randomSeed: stage.randomSeed,
    coinToss: stage.coinToss,
    disqualified: stage.disqualified,
    createdAt: isoTime(stage.createdAt),
  };
  if (isElimination(stage.format)) {
    const { template, resolved } = resolveStage(stage, rows);
    const slot = (o: Occupant) => (typeof o === 'number' ? ('team' as const) : o);
    const team = (o: Occupant) => (typeof o === 'number' ? ref(names, o) : null);
    const matches: BracketMatch[] = resolved.map((m) => {
      const row = byKey.get(m.key)!;
      const result = m.status === 'done' ? m.result : null;
      const played = result !== null && row.winner !== null && !m.stale;
      return {
        id: row.id,
        key: m.key,
        bracket: m.bracket,
        group: null,
        round: m.round,
        position: m.position,
        slotA: slot(m.teamA),
        slotB: slot(m.teamB),
        teamA: team(m.teamA),
        teamB: team(m.teamB),
        status: m.status,
        bestOf: row.bestOf,
        scoreA: result?.scoreA ?? null,
        scoreB: result?.scoreB ?? null,
        winner: result?.winner ?? null,
        forfeit: result?.forfeit ?? null,
        version: row.version,
        claim: claimView(row),
        disputed: Boolean(row.disputed),
        games: played ? gamesOf(games, row.id) : [],
      };
    });
    const winner = champion(template, resolved);
    return {
      ...base,
      matches,
      standings: [],
      placements: placements(template, resolved).map((p) => ({ team: ref(names, p.teamId)!, place: p.place })),
      finished: winner !== null,
    };
  }

  const fixed = fixedSeries(stage, rows).sort(
    (x, y) => (x.row.groupNumber ?? 0) - (y.row.groupNumber ?? 0) || x.row.round - y.row.round || x.row.position - y.row.position,
  );
  const matches: BracketMatch[] = fixed.map(({ row, winner, forfeit }) => ({
    id: row.id,
    key: row.key,
    bracket: bracketOfKey(row.key),
    group: row.groupNumber,
    round: row.round,
    position: row.position,
    slotA: 'team',
    slotB: row.teamIdB === null ? 'bye' : 'team',
    teamA: ref(names, row.teamIdA),
    teamB: ref(names, row.teamIdB),
    status: row.teamIdB === null ? 'bye' : winner ? 'done' : 'ready',
    bestOf: row.bestOf,
    scoreA: row.scoreA ?? (winner && row.teamIdB !== null ? 0 : null),
    scoreB: row.scoreB ?? (winner && row.teamIdB !== null ? 0 : null),
    winner,
    forfeit,
    version: row.version,
    claim: claimView(row),
    disputed: Boolean(row.disputed),
    games: gamesOf(games, row.id),
  }));
  const groupNumbers = [...new Set(fixed.map((f) => f.row.groupNumber ?? 1))].sort((a, b) => a - b);
  const table = (group: number): StandingRow[] => {
    const inGroup = fixed.filter((f) => (f.row.groupNumber ?? 1) === group);
    const teamIds = stage.format === 'swiss' ? stage.seeding : stage.seeding.filter((id) => inGroup.some((f) => f.row.teamIdA === id || f.row.teamIdB === id));
    const series: PlayedSeries[] = inGroup
      .filter((f) => f.winner !== null)
      .map((f) => ({
        teamA: f.row.teamIdA!,
        teamB: f.row.teamIdB,
        scoreA: f.row.scoreA ?? 0,
        scoreB: f.row.scoreB ?? 0,
        winner: f.winner === 'draw' ? null : f.winner,
      }));
    return standings({ teamIds, series, points: stage.settings.points, tiebreaks: stage.settings.tiebreaks, coinToss: stage.coinToss }).map((r) => ({
      team: ref(names, r.teamId)!,
      rank: r.rank,
      played: r.played,
      wins: r.wins,
      draws: r.draws,
      losses: r.losses,
      gamesWon: r.gamesWon,
      gamesLost: r.gamesLost,
      points: r.points,
      buchholz: r.buchholz,
    }));
  };
  const allPlayed = matches.every((m) => m.status === 'done' || m.status === 'bye');
  const swissOver = stage.format !== 'swiss' || swissRecords(stage.seeding, swissSeries(fixed), stage.settings.stopAt).every((r) => r.done);
  return {
    ...base,
    matches,
    standings: groupNumbers.map((group) => ({ group, rows: table(group) })),
    placements: [],
    finished: allPlayed && swissOver,
  };
}

export function swissSeries(fixed: { row: Series; winner: Series['winner'] }[]): SwissSeries[] {
  return fixed.map(({ row, winner }) => ({ round: row.round, teamA: row.teamIdA!, teamB: row.teamIdB, winner }));
}
