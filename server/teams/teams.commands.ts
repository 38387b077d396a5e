import { api } from '../../shared/api/contract';
import { SocketCommands } from '../../shared/realtime';
import { tournamentStaff } from '../commands/authority';
import { command } from '../commands/define';
import { createTeam, deleteTeam, renameTeam, reorderTeams } from './teams.service';

const byTournament = (input: { tournamentId: number }) => input.tournamentId;

export const teamCommands = [
  command({
    name: 'team.create',
    rest: api.createTeam,
    socket: SocketCommands['team.create'],
    allow: tournamentStaff(byTournament),
    run: (hub, actor, { tournamentId, ...team }) => createTeam(hub, actor, tournamentId, team),
  }),
  command({
    name: 'team.reorder',
    rest: api.reorderTeams,
    allow: tournamentStaff(byTournament),
    run: (hub, actor, { tournamentId, teamIds }) => reorderTeams(hub, actor, tournamentId, teamIds),
  }),
  command({
    name: 'team.rename',
    rest: api.updateTeam,
    socket: SocketCommands['team.rename'],
    allow: tournamentStaff(byTournament),
    run: (hub, actor, { tournamentId, teamId, name }) => renameTeam(hub, actor, tournamentId, teamId, name),
  }),
  command({
    name: 'team.delete',
    rest: api.deleteTeam,
    allow: tournamentStaff(byTournament),
    run: (hub, actor, { tournamentId, teamId }) => deleteTeam(hub, actor, tournamentId, teamId),
  }),
];
