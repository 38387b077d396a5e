import { api } from '../../shared/api/contract';
import { tournamentCaptain, tournamentStaff } from '../commands/authority';
import { command } from '../commands/define';
import { claimResult, confirmClaim, disputeClaim } from './captain-reports.service';
import { disqualifyTeam, reportSeries } from './results.service';
import { createStage, deleteStage } from './stages.service';

const byTournament = (input: { tournamentId: number }) => input.tournamentId;
const staff = tournamentStaff(byTournament);
// Which captains play a series depends on earlier results: checked by the command, under the lock
// (captain-reports.service.ts), with the stage allowing captain reports.
const captain = tournamentCaptain(byTournament);

export const bracketCommands = [
  command({
    name: 'stage.create',
    rest: api.createStage,
    allow: staff,
    run: (hub, actor, { tournamentId, ...stage }) => createStage(hub, actor, tournamentId, stage),
  }),
  command({
    name: 'stage.delete',
    rest: api.deleteStage,
    allow: staff,
    run: (hub, actor, { tournamentId, stageId }) => deleteStage(hub, actor, tournamentId, stageId),
  }),
  command({
    name: 'stage.disqualify',
    rest: api.disqualifyTeam,
    allow: staff,
    run: (hub, actor, { tournamentId, stageId, ...input }) => disqualifyTeam(hub, actor, tournamentId, stageId, input),
  }),
  command({
    name: 'series.report',
    rest: api.reportSeries,
    allow: staff,
    run: (hub, actor, { tournamentId, matchId, ...report }) => reportSeries(hub, actor, tournamentId, matchId, report),
  }),
  command({
    name: 'series.claim',
    rest: api.claimSeries,
    allow: captain,
    run: (hub, actor, { tournamentId, matchId, ...report }) => claimResult(hub, actor, tournamentId, matchId, report),
  }),
  command({
    name: 'series.confirm',
    rest: api.confirmSeries,
    allow: captain,
    run: (hub, actor, { tournamentId, matchId, ...answer }) => confirmClaim(hub, actor, tournamentId, matchId, answer),
  }),
  command({
    name: 'series.dispute',
    rest: api.disputeSeries,
    allow: captain,
    run: (hub, actor, { tournamentId, matchId, ...answer }) => disputeClaim(hub, actor, tournamentId, matchId, answer),
  }),
];
