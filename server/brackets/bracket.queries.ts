import type { Knex } from 'knex';
import type { BracketView, Stage as StageDto } from '../../shared/schemas/brackets';
import { rooms } from '../../shared/rooms';
import { tags } from '../cache/read-cache';
import type { CommandTx } from '../commands/command';
import type { Db } from '../db/knex';
import { notFound } from '../commands/errors';
import { readConsistently, roomSeq } from '../events/snapshot';
import { findTournament } from '../tournaments/access';
import { Series, SeriesGame, Stage } from './bracket.model';
import { stageView, type TeamNames } from './stage.view';

async function teamNames(db: Knex, tournamentId: number): Promise<TeamNames> {
  const rows = await db('teams').where({ tournament_id: tournamentId }).select('id', 'name');
  return new Map(rows.map((r: { id: number; name: string }) => [Number(r.id), r.name]));
}

export async function findStage(db: Knex, tournamentId: number, stageId: number): Promise<Stage> {
  const stage = await Stage.query(db).findOne({ id: stageId, tournamentId });
  if (!stage) throw notFound(`stage ${stageId}`);
  return stage;
}

/** One stage's view from its rows (a command's answer reads it inside its transaction). */
export async function loadStage(db: Knex, stage: Stage, names?: TeamNames): Promise<StageDto> {
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

/** What every bracket change makes stale: the bracket read above and the tournament's detail. */
export function touchBracket(tx: CommandTx, tournamentId: number) {
  tx.touch(tags.bracket(tournamentId), tags.tournament(tournamentId));
}
