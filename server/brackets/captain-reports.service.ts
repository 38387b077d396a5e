/** Captain reports (stages with `captainReports`): a captain reports, the other captain confirms or disputes. */
import type { Knex } from 'knex';
import { announceSeriesResult, askToConfirm, tellSeriesReady } from '../discord/notices';
import { queueDiscord } from '../discord/outbox';
import type { z } from 'zod';
import { type ClaimAnswer, ReportInput as ReportInputSchema, type Stage as StageDto } from '../../shared/schemas/brackets';
import type { BestOf, Side } from '../../shared/rules/series';
import { rooms } from '../../shared/rooms';
import type { Actor } from '../auth/actor';
import type { CommandTx } from '../commands/command';
import { conflict, forbidden } from '../commands/errors';
import type { HubServices } from '../services';
import { lockTournament } from '../tournaments/access';
import { Series } from './bracket.model';
import { loadStage, touchBracket } from './bracket.queries';
import { applyResult, checkVersion, findSeries, type LockedSeries, outcomeOf, type Report } from './results.service';
import { refuseWhileDraftsRun } from './running-drafts';
import { drawsAllowed } from './stage.rules';

type Answer = z.infer<typeof ClaimAnswer>;

/** Which side of the series the user captains, or null. */
async function captainSide(db: Knex, userId: number, s: LockedSeries): Promise<Side | null> {
  const teams = await db('teams').whereIn('id', [s.teamA, s.teamB]).select('id', 'captain_user_id');
  const captainOf = new Map(teams.map((t: { id: number; captainUserId: number }) => [Number(t.id), Number(t.captainUserId)]));
  if (captainOf.get(s.teamA) === userId) return 'a';
  if (captainOf.get(s.teamB) === userId) return 'b';
  return null;
}

/**
 * Opens a captain command: room lock, the series, and the caller's side in it. The command table
 * only knows the caller captains a team of the tournament; who plays this series depends on the
 * results before it, so it is read here, under the lock.
 */
async function beginCaptain(tx: CommandTx, actor: Actor, tournamentId: number, matchId: number) {
  await lockTournament(tx, tournamentId);
  const s = await findSeries(tx, tournamentId, matchId);
  if (!s.stage.settings.captainReports) throw forbidden('in this stage results are reported by staff');
  const side = await captainSide(tx.db, actor.id, s);
  if (!side) throw forbidden('only the captains of this series may report or confirm it');
  if (s.played) throw conflict(`series ${s.row.key} was already reported`);
  return { s, side };
}

/** A captain reports their series; it counts once the other captain confirms. */
export async function claimResult(hub: HubServices, actor: Actor, tournamentId: number, matchId: number, input: Report): Promise<StageDto> {
  return hub.commands.run(actor, async (tx) => {
    const { s, side } = await beginCaptain(tx, actor, tournamentId, matchId);
    checkVersion(s.row, input.expectedVersion);
    if (s.row.claim && s.row.claim.side !== side) throw conflict('the other captain has already reported this series: confirm or dispute their report');
    // Checked now, so a captain learns of an impossible score before the other one sees it.
    const outcome = outcomeOf(input, s.row.bestOf as BestOf, drawsAllowed(s.stage.format, s.stage.settings));
    await refuseWhileDraftsRun(tx.db, s.row, 'captain', input.ignoreRunningDrafts);
    const report = { scoreA: input.scoreA, scoreB: input.scoreB, games: input.games, forfeit: input.forfeit };
    const claim = { side, userId: actor.id, winner: outcome.winner, scoreA: outcome.scoreA, scoreB: outcome.scoreB, forfeit: outcome.forfeit, report };
    const updated = await Series.query(tx.db)
      .where({ id: s.row.id, version: s.row.version })
      .patch({ claim, disputed: false, version: s.row.version + 1 });
    if (updated !== 1) throw conflict(`series ${s.row.key} has changed; reload and try again`);
    touchBracket(tx, tournamentId);
    await tx.emit(rooms.tournament(tournamentId), 'bracket.result_claimed', {
      stageId: s.stage.id,
      matchId,
      key: s.row.key,
      side,
      winner: outcome.winner,
      scoreA: outcome.scoreA,
      scoreB: outcome.scoreB,
    });
    const view = await loadStage(tx.db, s.stage);
    await askToConfirm(tx, hub.config, tournamentId, view, matchId);
    return view;
  });
}

/** The captain's report, locked for the other captain's answer. */
async function beginAnswer(tx: CommandTx, actor: Actor, tournamentId: number, matchId: number, expectedVersion: number | undefined) {
  const { s, side } = await beginCaptain(tx, actor, tournamentId, matchId);
  checkVersion(s.row, expectedVersion);
  const claim = s.row.claim;
  if (!claim) throw conflict(`nobody has reported series ${s.row.key} yet`);
  if (claim.side === side) throw conflict('the other captain answers your report');
  return { s, side, claim };
}

/** The other captain confirms: the report is applied as if staff had sent it. */
export async function confirmClaim(hub: HubServices, actor: Actor, tournamentId: number, matchId: number, input: Answer): Promise<StageDto> {
  return hub.commands.run(actor, async (tx) => {
    const { s, claim } = await beginAnswer(tx, actor, tournamentId, matchId, input.expectedVersion);
    await refuseWhileDraftsRun(tx.db, s.row, 'captain', input.ignoreRunningDrafts);
    const report = ReportInputSchema.parse({ ...claim.report, correct: false, cascade: false });
    const stage = await applyResult(tx, s, report, claim.userId, { confirmedBy: actor.id });
    await announceSeriesResult(tx, hub.config, tournamentId, stage, matchId, false);
    await tellSeriesReady(tx, hub.config, tournamentId, stage);
    return stage;
  });
}

/** The other captain disputes: nothing is applied, staff decide by reporting the series. */
export async function disputeClaim(hub: HubServices, actor: Actor, tournamentId: number, matchId: number, input: Answer): Promise<StageDto> {
  return hub.commands.run(actor, async (tx) => {
    const { s, side } = await beginAnswer(tx, actor, tournamentId, matchId, input.expectedVersion);
    if (s.row.disputed) throw conflict('this report is already disputed: staff will decide');
    const updated = await Series.query(tx.db)
      .where({ id: s.row.id, version: s.row.version })
      .patch({ disputed: true, version: s.row.version + 1 });
    if (updated !== 1) throw conflict(`series ${s.row.key} has changed; reload and try again`);
    touchBracket(tx, tournamentId);
    await tx.emit(rooms.tournament(tournamentId), 'bracket.result_disputed', { stageId: s.stage.id, matchId, key: s.row.key, side });
    const staffNotice = `The result claimed for series ${s.row.key} is disputed: staff decide by reporting it.`;
    await queueDiscord(tx, hub.config, {
      kind: 'report.disputed',
      to: { channel: 'staff' },
      content: staffNotice,
      path: `/tournaments/${tournamentId}/bracket`,
    });
    return loadStage(tx.db, s.stage);
  });
}
