/**
 * Results: staff report or correct a series, and disqualify a team. A captain's confirmed report
 * is written the same way (captain-reports.service.ts).
 */
import type { z } from 'zod';
import { announceSeriesResult, tellSeriesReady } from '../discord/notices';
import type { DisqualifyInput, ReportInput, Stage as StageDto } from '../../shared/schemas/brackets';
import { type BestOf, scoreOfGames, seriesOutcome, type Side } from '../../shared/rules/series';
import { rooms } from '../../shared/rooms';
import type { Actor } from '../auth/actor';
import type { CommandTx } from '../commands/command';
import { conflict, invalid, notFound } from '../commands/errors';
import type { HubServices } from '../services';
import { lockTournament } from '../tournaments/access';
import { Series, SeriesGame, Stage } from './bracket.model';
import { findStage, loadStage, touchBracket } from './bracket.queries';
import { eliminationTemplate, resolveElimination } from './elimination';
import { refuseWhileDraftsRun } from './running-drafts';
import { drawsAllowed, eliminationOptions, isElimination } from './stage.rules';
import { fixedSeries, resolveStage, storedResults } from './stage.view';
import { pairSwissRound } from './stages.service';

export type Report = z.infer<typeof ReportInput>;

/** The score a report stands for, checked against the series' best-of (BR8). */
export function outcomeOf(input: Report, bestOf: BestOf, allowDraw: boolean) {
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
export interface LockedSeries {
  stage: Stage;
  row: Series;
  rows: Series[];
  teamA: number;
  teamB: number;
  played: boolean;
}

export async function findSeries(tx: CommandTx, tournamentId: number, matchId: number): Promise<LockedSeries> {
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
export async function applyResult(tx: CommandTx, s: LockedSeries, input: Report, reporterId: number, extra: Record<string, unknown> = {}): Promise<StageDto> {
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

  touchBracket(tx, stage.tournamentId);
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

export function checkVersion(row: Series, expected: number | undefined) {
  if (expected !== undefined && expected !== row.version) {
    throw conflict(`series ${row.key} has changed (now at version ${row.version}, you saw ${expected}); reload and try again`);
  }
}

/** Staff report a series, or correct its result (BR4). */
export async function reportSeries(hub: HubServices, actor: Actor, tournamentId: number, matchId: number, input: Report): Promise<StageDto> {
  return hub.commands.run(actor, async (tx) => {
    await lockTournament(tx, tournamentId);
    const s = await findSeries(tx, tournamentId, matchId);
    checkVersion(s.row, input.expectedVersion);
    if (s.played && !input.correct) {
      throw conflict(`series ${s.row.key} was already reported (version ${s.row.version}); to change it, send a correction (correct: true)`);
    }
    await refuseWhileDraftsRun(tx.db, s.row, 'staff', input.ignoreRunningDrafts);
    const stage = await applyResult(tx, s, input, actor.id);
    await announceSeriesResult(tx, hub.config, tournamentId, stage, matchId, s.played);
    await tellSeriesReady(tx, hub.config, tournamentId, stage);
    return stage;
  });
}

/** A disqualified team forfeits every series it has not played; in Swiss it is out of the pairing. */
export async function disqualifyTeam(
  hub: HubServices,
  actor: Actor,
  tournamentId: number,
  stageId: number,
  input: z.infer<typeof DisqualifyInput>,
): Promise<StageDto> {
  return hub.commands.run(actor, async (tx) => {
    await lockTournament(tx, tournamentId);
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
    touchBracket(tx, tournamentId);
    await tx.emit(rooms.tournament(tournamentId), 'bracket.team_disqualified', { stageId, teamId: input.teamId, ...(nextRound ? { nextRound } : {}) });
    const view = await loadStage(tx.db, stage);
    await tellSeriesReady(tx, hub.config, tournamentId, view);
    return view;
  });
}
