import { api } from '../../shared/api/contract';
import { siteStaff, siteStaffOn } from '../commands/authority';
import { command } from '../commands/define';
import { createLeague, deleteLeague, getLeague, updateLeague } from './leagues.service';

const staffOnLeague = siteStaffOn((db, { leagueId }: { leagueId: number }) => getLeague(db, leagueId));

export const leagueCommands = [
  command({ name: 'league.create', rest: api.createLeague, allow: siteStaff, run: (hub, actor, input) => createLeague(hub, actor, input) }),
  command({
    name: 'league.update',
    rest: api.updateLeague,
    allow: staffOnLeague,
    run: (hub, actor, { leagueId, ...update }) => updateLeague(hub, actor, leagueId, update),
  }),
  command({ name: 'league.delete', rest: api.deleteLeague, allow: staffOnLeague, run: (hub, actor, { leagueId }) => deleteLeague(hub, actor, leagueId) }),
];
