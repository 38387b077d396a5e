import { api } from '../../shared/api/contract';
import { siteStaff, siteStaffOn, tournamentStaff } from '../commands/authority';
import { findTournament } from './access';
import { command } from '../commands/define';
import { setPlacements } from './placements.service';
import { addStaff, createTournament, deleteTournament, removeStaff, updateTournament } from './tournaments.service';

const byTournament = (input: { tournamentId: number }) => input.tournamentId;

export const tournamentCommands = [
  command({ name: 'tournament.create', rest: api.createTournament, allow: siteStaff, run: (hub, actor, input) => createTournament(hub, actor, input) }),
  command({
    name: 'tournament.update',
    rest: api.updateTournament,
    allow: tournamentStaff(byTournament),
    run: (hub, actor, { tournamentId, ...update }) => updateTournament(hub, actor, tournamentId, update),
  }),
  command({
    name: 'tournament.delete',
    rest: api.deleteTournament,
    allow: siteStaffOn((db, { tournamentId }: { tournamentId: number }) => findTournament(db, tournamentId)),
    run: (hub, actor, { tournamentId }) => deleteTournament(hub, actor, tournamentId),
  }),
  command({
    name: 'tournament.addStaff',
    rest: api.addStaff,
    allow: tournamentStaff(byTournament),
    run: (hub, actor, { tournamentId, userId }) => addStaff(hub, actor, tournamentId, userId),
  }),
  command({
    name: 'tournament.removeStaff',
    rest: api.removeStaff,
    allow: tournamentStaff(byTournament),
    run: (hub, actor, { tournamentId, userId }) => removeStaff(hub, actor, tournamentId, userId),
  }),
  command({
    name: 'tournament.setPlacements',
    rest: api.setPlacements,
    allow: tournamentStaff(byTournament),
    run: (hub, actor, { tournamentId, placements }) => setPlacements(hub, actor, tournamentId, { placements }),
  }),
];
