import crypto from 'node:crypto';
import type { Knex } from 'knex';
import type { z } from 'zod';
import { ReportInput as ReportInputSchema } from '../../shared/schemas/brackets';
import type { BracketMatch, BracketView, DisqualifyInput, ReportInput, Stage as StageDto, StageCreate, StandingRow } from '../../shared/schemas/brackets';
import { rooms } from '../../shared/rooms';
import { type Actor, requireUser } from '../auth/actor';
import { tags } from '../cache/read-cache';
import type { CommandTx } from '../commands/command';
import type { Db } from '../db/knex';
import { readConsistently, roomSeq } from '../events/snapshot';
import { isoTime } from '../db/base.model';
import { conflict, forbidden, invalid, notFound } from '../commands/errors';
import type { HubServices } from '../services';
import { listTeams } from '../teams/teams.queries';
import { findTournament, lockTournamentAsStaff } from '../tournaments/access';
import { Series, SeriesGame, Stage } from './bracket.model';
import { champion, eliminationTemplate, type Occupant, placements, resolveElimination, type StoredResult } from './elimination';
import { roundRobinPairings } from './round-robin';
import { seedByMmr, seededRandom, seedRandom } from './seeding';
import { type BestOf, scoreOfGames, seriesOutcome, type Side } from './series';
import { bestOfFor, checkStage, drawsAllowed, eliminationOptions, isElimination, roundKey } from './stage.rules';
import { standings, type PlayedSeries } from './standings';
import { swissNextRound, swissRecords, type SwissSeries } from './swiss';

type Report = z.infer<typeof ReportInput>;
type CreateInput = z.infer<typeof StageCreate>;
type TeamNames = Map<number, string>;

const FORMAT_NAMES = {
  single_elimination: 'Single elimination',
  double_elimination: 'Double elimination',
  round_robin: 'Round robin',
  swiss: 'Swiss',
} as const;

// ---------------------------------------------------------------- views (pure, from rows)

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
function storedResults(rows: Series[]): Map<string, StoredResult> {
  const out = new Map<string, StoredResult>();
  for (const r of rows) {
    if ((r.winner === 'a' || r.winner === 'b') && r.teamIdA !== null && r.teamIdB !== null) {
      out.set(r.key, { teamA: r.teamIdA, teamB: r.teamIdB, winner: r.winner, scoreA: r.scoreA ?? 0, scoreB: r.scoreB ?? 0, forfeit: r.forfeit });
    }
  }
  return out;
}

function resolveStage(stage: Stage, rows: Series[]) {
  const template = eliminationTemplate(stage.seeding.length, eliminationOptions(stage.format, stage.settings));
  const resolved = resolveElimination(template, { seeds: stage.seeding, results: storedResults(rows), disqualified: new Set(stage.disqualified) });
  return { template, resolved };
}

/** Group and Swiss series with disqualifications applied: an unplayed series of a disqualified team is its forfeit. */
function fixedSeries(stage: Stage, rows: Series[]) {
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

function swissSeries(fixed: { row: Series; winner: Series['winner'] }[]): SwissSeries[] {
  return fixed.map(({ row, winner }) => ({ round: row.round, teamA: row.teamIdA!, teamB: row.teamIdB, winner }));
}

async function teamNames(db: Knex, tournamentId: number): Promise<TeamNames> {
  const rows = await db('teams').where({ tournament_id: tournamentId }).select('id', 'name');
  return new Map(rows.map((r: { id: number; name: string }) => [Number(r.id), r.name]));
}

async function loadStage(db: Knex, stage: Stage, names?: TeamNames): Promise<StageDto> {
  const rows = await Series.query(db).where({ stageId: stage.id });
  const games = rows.length
    ? await SeriesGame.query(db).whereIn(
        'matchId',
        rows.map((r) => r.id),
      )
    : [];
  return stageView(stage, rows, games, names ?? (await teamNames(db, stage.tournamentId)));
}

/** Every stage of a tournament, read in one snapshot so `seq` matches the rows. */
export async function readBracket(db: Db, tournamentId: number): Promise<BracketView> {
  const read = async (trx: Knex.Transaction): Promise<BracketView> => {
    const seq = await roomSeq(trx, rooms.tournament(tournamentId));
    await findTournament(trx, tournamentId);
    const names = await teamNames(trx, tournamentId);
    const stages = await Stage.query(trx).where({ tournamentId }).orderBy('number');
    const out: StageDto[] = [];
    for (const stage of stages) out.push(await loadStage(trx, stage, names));
    return { tournamentId, stages: out, seq };
  };
  return readConsistently(db, read);
}

// ---------------------------------------------------------------- commands

function touch(tx: CommandTx, tournamentId: number) {
  tx.touch(tags.bracket(tournamentId), tags.tournament(tournamentId));
}

async function findStage(db: Knex, tournamentId: number, stageId: number): Promise<Stage> {
  const stage = await Stage.query(db).findOne({ id: stageId, tournamentId });
  if (!stage) throw notFound(`stage ${stageId}`);
  return stage;
}

/** Team ids in seed order for a new stage, by the chosen method. */
async function seedTeams(tx: CommandTx, tournamentId: number, input: CreateInput, randomSeed: number): Promise<number[]> {
  const teams = await listTeams(tx.db, tournamentId);
  const known = new Set(teams.map((t) => t.id));
  let ids = input.teamIds ?? teams.map((t) => t.id);
  if (input.teamIds) {
    const unknown = ids.filter((id) => !known.has(id));
    if (unknown.length) throw conflict(`not teams of this tournament: ${unknown.join(', ')}`);
    if (new Set(ids).size !== ids.length) throw conflict('a team is listed more than once');
  }
  switch (input.seeding) {
    case 'ranked':
      return ids;
    case 'manual':
      if (!input.teamIds) throw invalid('manual seeding needs teamIds in seed order', [{ path: ['body', 'teamIds'], message: 'required for manual seeding' }]);
      return ids;
    case 'mmr':
      return seedByMmr(ids.map((id) => ({ id, totalMmr: teams.find((t) => t.id === id)!.totalMmr })));
    case 'random':
      return seedRandom(ids, seededRandom(randomSeed));
    case 'standings': {
      if (input.fromStageId === undefined)
        throw invalid('standings seeding needs fromStageId', [{ path: ['body', 'fromStageId'], message: 'required for standings seeding' }]);
      const from = await loadStage(tx.db, await findStage(tx.db, tournamentId, input.fromStageId));
      if (!from.finished) throw conflict(`stage ${from.number} is not finished yet`);
      // Group tables interleaved by rank (every group winner, then every runner-up, ...); brackets by place.
      if (from.placements.length) ids = from.placements.map((p) => p.team.id);
      else {
        const depth = Math.max(...from.standings.map((g) => g.rows.length));
        ids = [];
        for (let rank = 0; rank < depth; rank++) for (const g of from.standings) if (g.rows[rank]) ids.push(g.rows[rank]!.team.id);
      }
      ids = ids.filter((id) => !from.disqualified.includes(id));
      return ids.slice(0, input.top ?? ids.length);
    }
  }
}

export async function createStage(hub: HubServices, actor: Actor | null, tournamentId: number, input: CreateInput): Promise<StageDto> {
  requireUser(actor);
  return hub.commands.run(actor, async (tx) => {
    const { tournament } = await lockTournamentAsStaff(tx, tournamentId);
    if (tournament.state === 'finished') throw conflict('the tournament is finished');
    const randomSeed = input.randomSeed ?? crypto.randomInt(0, 2_147_483_647);
    const seeding = await seedTeams(tx, tournamentId, input, randomSeed);
    const problem = checkStage(input.format, seeding.length, input);
    if (problem) throw conflict(problem);
    const last = await tx.db(Stage.tableName).where({ tournamentId }).max<{ n: number | null }>('number as n').first();
    const number = Number(last?.n ?? 0) + 1;
    const settings = {
      bestOf: input.bestOf,
      bestOfByRound: input.bestOfByRound,
      thirdPlace: input.thirdPlace,
      grandFinalReset: input.grandFinalReset,
      groups: input.groups,
      stopAt: input.stopAt,
      points: input.points,
      allowDraws: input.allowDraws,
      tiebreaks: input.tiebreaks,
      captainReports: input.captainReports,
    };
    const stage = await Stage.query(tx.db).insertAndFetch({
      tournamentId,
      number,
      name: input.name ?? `${FORMAT_NAMES[input.format]} ${number}`,
      format: input.format,
      settings,
      seedingMethod: input.seeding,
      seeding,
      randomSeed,
      // The coin toss is drawn now, from the recorded seed, and published with the stage.
      coinToss: seedRandom(seeding, seededRandom(randomSeed ^ 0x2545f491)),
      disqualified: [],
    });
    const common = { stageId: stage.id, tournamentId, version: 0 };
    if (isElimination(input.format)) {
      const template = eliminationTemplate(seeding.length, eliminationOptions(input.format, settings));
      await insertSeries(
        tx,
        template.matches.map((m) => ({
          ...common,
          key: m.key,
          groupNumber: null,
          round: m.round,
          position: m.position,
          bestOf: bestOfFor(settings, roundKey(m.bracket, m.round)),
        })),
      );
    } else if (input.format === 'round_robin') {
      await insertSeries(
        tx,
        roundRobinPairings(seeding, settings.groups).map((p) => ({
          ...common,
          key: `G${p.group}R${p.round}.${p.position}`,
          groupNumber: p.group,
          round: p.round,
          position: p.position,
          teamIdA: p.teamA,
          teamIdB: p.teamB,
          bestOf: bestOfFor(settings, roundKey('group', p.round)),
        })),
      );
    } else {
      await pairSwissRound(tx, stage, []);
    }
    touch(tx, tournamentId);
    await tx.emit(rooms.tournament(tournamentId), 'bracket.stage_created', {
      stageId: stage.id,
      number,
      format: input.format,
      name: stage.name,
      teams: seeding.length,
    });
    return loadStage(tx.db, stage);
  });
}

/** Many series at once (a 64-team round robin has 2016), in chunks that fit SQLite's variable limit. */
async function insertSeries(tx: CommandTx, rows: Partial<Series>[]) {
  for (let i = 0; i < rows.length; i += 50) await tx.db('bracket_matches').insert(rows.slice(i, i + 50));
}

/** Inserts the next Swiss round (if any team is still in): pairs of equal records, a bye when odd. */
async function pairSwissRound(tx: CommandTx, stage: Stage, rows: Series[]): Promise<number | null> {
  const fixed = fixedSeries(stage, rows);
  const records = swissRecords(stage.seeding, swissSeries(fixed), stage.settings.stopAt);
  const dq = new Set(stage.disqualified);
  // A disqualified team is out of the pairing.
  for (const r of records) if (dq.has(r.teamId)) r.done = true;
  if (records.filter((r) => !r.done).length < 2) return null;
  const round = Math.max(0, ...rows.map((r) => r.round)) + 1;
  const next = swissNextRound(records);
  const bestOf = bestOfFor(stage.settings, roundKey('swiss', round));
  const common = { stageId: stage.id, tournamentId: stage.tournamentId, groupNumber: 1, round, bestOf, version: 0 };
  for (const [i, [a, b]] of next.pairs.entries())
    await Series.query(tx.db).insert({ ...common, key: `S${round}.${i + 1}`, position: i + 1, teamIdA: a, teamIdB: b });
  if (next.bye !== null) {
    await Series.query(tx.db).insert({ ...common, key: `S${round}.B`, position: next.pairs.length + 1, teamIdA: next.bye, teamIdB: null, winner: 'a' });
  }
  return round;
}

/** The score a report stands for, checked against the series' best-of (BR8). */
function outcomeOf(input: Report, bestOf: BestOf, allowDraw: boolean) {
  if (input.forfeit) {
    return { winner: (input.forfeit === 'a' ? 'b' : 'a') as Side, scoreA: input.scoreA ?? 0, scoreB: input.scoreB ?? 0, forfeit: input.forfeit };
  }
  const out = input.games
    ? scoreOfGames(
        bestOf,
        input.games.map((g) => g.winner),
        allowDraw,
      )
    : seriesOutcome(bestOf, input.scoreA!, input.scoreB!, allowDraw);
  if (typeof out === 'string') throw invalid(out, [{ path: ['body', input.games ? 'games' : 'scoreA'], message: out }]);
  if (out.state === 'ongoing') {
    const message = `the series is not over at ${out.scoreA}–${out.scoreB} (best of ${bestOf}): report it when a team has won`;
    throw invalid(message, [{ path: ['body', input.games ? 'games' : 'scoreA'], message }]);
  }
  return { winner: out.state === 'won' ? out.winner : ('draw' as const), scoreA: out.scoreA, scoreB: out.scoreB, forfeit: null };
}

/** A series inside a command: its stage, every row of the stage, and who plays it now. */
interface LockedSeries {
  stage: Stage;
  row: Series;
  rows: Series[];
  teamA: number;
  teamB: number;
  played: boolean;
}

async function findSeries(tx: CommandTx, tournamentId: number, matchId: number): Promise<LockedSeries> {
  const row = await Series.query(tx.db).findOne({ id: matchId, tournamentId });
  if (!row) throw notFound(`series ${matchId}`);
  const stage = (await Stage.query(tx.db).findById(row.stageId))!;
  const rows = await Series.query(tx.db).where({ stageId: stage.id });
  if (isElimination(stage.format)) {
    const { resolved } = resolveStage(stage, rows);
    const m = resolved.find((x) => x.key === row.key)!;
    if (m.status === 'tbd') throw conflict(`series ${row.key} cannot be reported yet: both teams are not known`);
    if (m.status === 'bye') throw conflict(`series ${row.key} is a bye: nothing to report`);
    if (m.status === 'skipped') throw conflict(`series ${row.key} is not played: the upper-bracket team won the first grand final`);
    return { stage, row, rows, teamA: m.teamA as number, teamB: m.teamB as number, played: m.status === 'done' };
  }
  if (row.teamIdB === null) throw conflict(`series ${row.key} is a bye: nothing to report`);
  return { stage, row, rows, teamA: row.teamIdA!, teamB: row.teamIdB, played: row.winner !== null };
}

/**
 * Writes a result (a staff report, or a captain's report the other captain confirmed): replays
 * the bracket, refuses or clears downstream damage (BR4), stores the games, pairs the next Swiss
 * round when this one is complete, and appends the room's event.
 */
async function applyResult(tx: CommandTx, s: LockedSeries, input: Report, reporterId: number, extra: Record<string, unknown> = {}): Promise<StageDto> {
  const { stage, row, rows, teamA, teamB } = s;
  const outcome = outcomeOf(input, row.bestOf as BestOf, drawsAllowed(stage.format, stage.settings));
  let cleared: string[] = [];
  if (isElimination(stage.format)) {
    // BR4: replay with the new result; any played series whose teams would change is downstream damage.
    const results = storedResults(rows);
    results.set(row.key, { teamA, teamB, winner: outcome.winner as Side, scoreA: outcome.scoreA, scoreB: outcome.scoreB, forfeit: outcome.forfeit });
    const template = eliminationTemplate(stage.seeding.length, eliminationOptions(stage.format, stage.settings));
    const stale = resolveElimination(template, { seeds: stage.seeding, results, disqualified: new Set(stage.disqualified) })
      .filter((x) => x.stale)
      .map((x) => x.key);
    if (stale.length && !input.cascade) {
      throw conflict(`this correction changes series already played: ${stale.join(', ')}; confirm with cascade: true to clear their results`);
    }
    for (const key of stale) {
      const victim = rows.find((r) => r.key === key)!;
      await SeriesGame.query(tx.db).where({ matchId: victim.id }).delete();
      await Series.query(tx.db)
        .findById(victim.id)
        .patch({
          winner: null,
          scoreA: null,
          scoreB: null,
          forfeit: null,
          teamIdA: null,
          teamIdB: null,
          claim: null,
          disputed: false,
          version: victim.version + 1,
          reportedBy: reporterId,
          reportedAt: new Date().toISOString(),
        });
    }
    cleared = stale;
  }

  // The version check makes the write conditional: a racing writer that slipped past the lock cannot both win.
  const updated = await Series.query(tx.db)
    .where({ id: row.id, version: row.version })
    .patch({
      winner: outcome.winner,
      scoreA: outcome.scoreA,
      scoreB: outcome.scoreB,
      forfeit: outcome.forfeit,
      teamIdA: teamA,
      teamIdB: teamB,
      claim: null,
      disputed: false,
      version: row.version + 1,
      reportedBy: reporterId,
      reportedAt: new Date().toISOString(),
    });
  if (updated !== 1) throw conflict(`series ${row.key} has changed; reload and try again`);
  await SeriesGame.query(tx.db).where({ matchId: row.id }).delete();
  for (const [i, g] of (input.games ?? []).entries()) {
    await SeriesGame.query(tx.db).insert({
      matchId: row.id,
      number: i + 1,
      winner: g.winner,
      radiant: g.radiant,
      steamMatchId: g.steamMatchId,
      draft: g.draft,
    });
  }

  let nextRound: number | null = null;
  if (stage.format === 'swiss') {
    const after = await Series.query(tx.db).where({ stageId: stage.id });
    const current = Math.max(...after.map((r) => r.round));
    if (after.filter((r) => r.round === current).every((r) => r.winner !== null)) nextRound = await pairSwissRound(tx, stage, after);
  }

  touch(tx, stage.tournamentId);
  await tx.emit(rooms.tournament(stage.tournamentId), s.played ? 'bracket.series_corrected' : 'bracket.series_reported', {
    stageId: stage.id,
    matchId: row.id,
    key: row.key,
    teamA,
    teamB,
    winner: outcome.winner,
    scoreA: outcome.scoreA,
    scoreB: outcome.scoreB,
    forfeit: outcome.forfeit,
    cleared,
    ...extra,
    ...(nextRound ? { nextRound } : {}),
  });
  return loadStage(tx.db, stage);
}

function checkVersion(row: Series, expected: number | undefined) {
  if (expected !== undefined && expected !== row.version) {
    throw conflict(`series ${row.key} has changed (now at version ${row.version}, you saw ${expected}); reload and try again`);
  }
}

export async function reportSeries(hub: HubServices, actor: Actor | null, tournamentId: number, matchId: number, input: Report): Promise<StageDto> {
  const user = requireUser(actor);
  return hub.commands.run(actor, async (tx) => {
    await lockTournamentAsStaff(tx, tournamentId);
    const s = await findSeries(tx, tournamentId, matchId);
    checkVersion(s.row, input.expectedVersion);
    if (s.played && !input.correct) {
      throw conflict(`series ${s.row.key} was already reported (version ${s.row.version}); to change it, send a correction (correct: true)`);
    }
    return applyResult(tx, s, input, user.id);
  });
}

// ---- captains report, the other captain confirms or disputes (stages with captainReports)

/** Which side of the series the user captains, or null. */
async function captainSide(db: Knex, userId: number, s: LockedSeries): Promise<Side | null> {
  const teams = await db('teams').whereIn('id', [s.teamA, s.teamB]).select('id', 'captain_user_id');
  const captainOf = new Map(teams.map((t: { id: number; captainUserId: number }) => [Number(t.id), Number(t.captainUserId)]));
  if (captainOf.get(s.teamA) === userId) return 'a';
  if (captainOf.get(s.teamB) === userId) return 'b';
  return null;
}

/** Opens a captain command: room lock, the series, and the caller's side in it. */
async function beginCaptain(tx: CommandTx, actor: Actor, tournamentId: number, matchId: number) {
  await tx.lock(rooms.tournament(tournamentId));
  await findTournament(tx.db, tournamentId);
  const s = await findSeries(tx, tournamentId, matchId);
  if (!s.stage.settings.captainReports) throw forbidden('in this stage results are reported by staff');
  const side = await captainSide(tx.db, actor.id, s);
  if (!side) throw forbidden('only the captains of this series may report or confirm it');
  if (s.played) throw conflict(`series ${s.row.key} was already reported`);
  return { s, side };
}

export async function claimResult(hub: HubServices, actor: Actor | null, tournamentId: number, matchId: number, input: Report): Promise<StageDto> {
  const user = requireUser(actor);
  return hub.commands.run(actor, async (tx) => {
    const { s, side } = await beginCaptain(tx, user, tournamentId, matchId);
    checkVersion(s.row, input.expectedVersion);
    if (s.row.claim && s.row.claim.side !== side) throw conflict('the other captain has already reported this series: confirm or dispute their report');
    // Checked now, so a captain learns of an impossible score before the other one sees it.
    const outcome = outcomeOf(input, s.row.bestOf as BestOf, drawsAllowed(s.stage.format, s.stage.settings));
    const report = { scoreA: input.scoreA, scoreB: input.scoreB, games: input.games, forfeit: input.forfeit };
    const claim = { side, userId: user.id, winner: outcome.winner, scoreA: outcome.scoreA, scoreB: outcome.scoreB, forfeit: outcome.forfeit, report };
    const updated = await Series.query(tx.db)
      .where({ id: s.row.id, version: s.row.version })
      .patch({ claim, disputed: false, version: s.row.version + 1 });
    if (updated !== 1) throw conflict(`series ${s.row.key} has changed; reload and try again`);
    touch(tx, tournamentId);
    await tx.emit(rooms.tournament(tournamentId), 'bracket.result_claimed', {
      stageId: s.stage.id,
      matchId,
      key: s.row.key,
      side,
      winner: outcome.winner,
      scoreA: outcome.scoreA,
      scoreB: outcome.scoreB,
    });
    return loadStage(tx.db, s.stage);
  });
}

export async function answerClaim(
  hub: HubServices,
  actor: Actor | null,
  tournamentId: number,
  matchId: number,
  answer: 'confirm' | 'dispute',
  expectedVersion?: number,
): Promise<StageDto> {
  const user = requireUser(actor);
  return hub.commands.run(actor, async (tx) => {
    const { s, side } = await beginCaptain(tx, user, tournamentId, matchId);
    checkVersion(s.row, expectedVersion);
    const claim = s.row.claim;
    if (!claim) throw conflict(`nobody has reported series ${s.row.key} yet`);
    if (claim.side === side) throw conflict('the other captain answers your report');
    if (answer === 'confirm') {
      const report = ReportInputSchema.parse({ ...claim.report, correct: false, cascade: false });
      return applyResult(tx, s, report, claim.userId, { confirmedBy: user.id });
    }
    if (s.row.disputed) throw conflict('this report is already disputed: staff will decide');
    const updated = await Series.query(tx.db)
      .where({ id: s.row.id, version: s.row.version })
      .patch({ disputed: true, version: s.row.version + 1 });
    if (updated !== 1) throw conflict(`series ${s.row.key} has changed; reload and try again`);
    touch(tx, tournamentId);
    await tx.emit(rooms.tournament(tournamentId), 'bracket.result_disputed', { stageId: s.stage.id, matchId, key: s.row.key, side });
    return loadStage(tx.db, s.stage);
  });
}

export async function disqualifyTeam(
  hub: HubServices,
  actor: Actor | null,
  tournamentId: number,
  stageId: number,
  input: z.infer<typeof DisqualifyInput>,
): Promise<StageDto> {
  requireUser(actor);
  return hub.commands.run(actor, async (tx) => {
    await lockTournamentAsStaff(tx, tournamentId);
    const stage = await findStage(tx.db, tournamentId, stageId);
    if (!stage.seeding.includes(input.teamId)) throw notFound(`team ${input.teamId} in this stage`);
    if (stage.disqualified.includes(input.teamId)) throw conflict('that team is already disqualified');
    const disqualified = [...stage.disqualified, input.teamId];
    await Stage.query(tx.db).findById(stage.id).patch({ disqualified });
    stage.disqualified = disqualified;
    let nextRound: number | null = null;
    if (stage.format === 'swiss') {
      const rows = await Series.query(tx.db).where({ stageId: stage.id });
      const fixed = fixedSeries(stage, rows);
      const current = Math.max(...rows.map((r) => r.round));
      if (fixed.filter((f) => f.row.round === current).every((f) => f.winner !== null)) nextRound = await pairSwissRound(tx, stage, rows);
    }
    touch(tx, tournamentId);
    await tx.emit(rooms.tournament(tournamentId), 'bracket.team_disqualified', { stageId, teamId: input.teamId, ...(nextRound ? { nextRound } : {}) });
    return loadStage(tx.db, stage);
  });
}

export async function deleteStage(hub: HubServices, actor: Actor | null, tournamentId: number, stageId: number): Promise<void> {
  requireUser(actor);
  await hub.commands.run(actor, async (tx) => {
    await lockTournamentAsStaff(tx, tournamentId);
    const stage = await findStage(tx.db, tournamentId, stageId);
    const played = await Series.query(tx.db).where({ stageId }).whereNotNull('winner').whereNotNull('teamIdB').first();
    if (played) throw conflict(`stage ${stage.number} has results (series ${played.key}); it can no longer be deleted`);
    await Stage.query(tx.db).deleteById(stageId);
    touch(tx, tournamentId);
    await tx.emit(rooms.tournament(tournamentId), 'bracket.stage_deleted', { stageId, number: stage.number });
  });
}
