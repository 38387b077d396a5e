/** Stage commands: generate a stage (seeding, series, the first Swiss round) and delete one. */
import crypto from 'node:crypto';
import type { z } from 'zod';
import type { Stage as StageDto, StageCreate } from '../../shared/schemas/brackets';
import { rooms } from '../../shared/rooms';
import type { Actor } from '../auth/actor';
import type { CommandTx } from '../commands/command';
import { conflict, invalid } from '../commands/errors';
import { tellSeriesReady } from '../discord/notices';
import type { HubServices } from '../services';
import { listTeams } from '../teams/teams.queries';
import { lockTournament } from '../tournaments/access';
import { Series, Stage } from './bracket.model';
import { findStage, loadStage, touchBracket } from './bracket.queries';
import { eliminationTemplate } from './elimination';
import { roundRobinPairings } from './round-robin';
import { seedByMmr, seededRandom, seedRandom } from './seeding';
import { bestOfFor, checkStage, eliminationOptions, isElimination, roundKey } from './stage.rules';
import { fixedSeries, swissSeries } from './stage.view';
import { swissNextRound, swissRecords } from './swiss';

type CreateInput = z.infer<typeof StageCreate>;

const FORMAT_NAMES = {
  single_elimination: 'Single elimination',
  double_elimination: 'Double elimination',
  round_robin: 'Round robin',
  swiss: 'Swiss',
} as const;

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

/** Generates a stage: its seeding, coin toss and every series it can pair now (BR1, BR7). */
export async function createStage(hub: HubServices, actor: Actor, tournamentId: number, input: CreateInput): Promise<StageDto> {
  return hub.commands.run(actor, async (tx) => {
    const { tournament } = await lockTournament(tx, tournamentId);
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
    touchBracket(tx, tournamentId);
    await tx.emit(rooms.tournament(tournamentId), 'bracket.stage_created', {
      stageId: stage.id,
      number,
      format: input.format,
      name: stage.name,
      teams: seeding.length,
    });
    const view = await loadStage(tx.db, stage);
    await tellSeriesReady(tx, hub.config, tournamentId, view);
    return view;
  });
}

/** Many series at once (a 64-team round robin has 2016), in chunks that fit SQLite's variable limit. */
async function insertSeries(tx: CommandTx, rows: Partial<Series>[]) {
  for (let i = 0; i < rows.length; i += 50) await tx.db('bracket_matches').insert(rows.slice(i, i + 50));
}

/** Inserts the next Swiss round (if any team is still in): pairs of equal records, a bye when odd. */
export async function pairSwissRound(tx: CommandTx, stage: Stage, rows: Series[]): Promise<number | null> {
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

/** Deletes a stage that has no result yet (byes are not results). */
export async function deleteStage(hub: HubServices, actor: Actor, tournamentId: number, stageId: number): Promise<void> {
  await hub.commands.run(actor, async (tx) => {
    await lockTournament(tx, tournamentId);
    const stage = await findStage(tx.db, tournamentId, stageId);
    const played = await Series.query(tx.db).where({ stageId }).whereNotNull('winner').whereNotNull('teamIdB').first();
    if (played) throw conflict(`stage ${stage.number} has results (series ${played.key}); it can no longer be deleted`);
    await Stage.query(tx.db).deleteById(stageId);
    touchBracket(tx, tournamentId);
    await tx.emit(rooms.tournament(tournamentId), 'bracket.stage_deleted', { stageId, number: stage.number });
  });
}
