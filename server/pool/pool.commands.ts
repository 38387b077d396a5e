import { api } from '../../shared/api/contract';
import { SocketCommands } from '../../shared/realtime';
import { tournamentStaff } from '../commands/authority';
import { command } from '../commands/define';
import { addToPool, importPool, removeFromPool, updatePoolPlayer } from './pool.service';

const byTournament = (input: { tournamentId: number }) => input.tournamentId;

export const poolCommands = [
  command({
    name: 'pool.add',
    rest: api.addToPool,
    socket: SocketCommands['pool.add'],
    allow: tournamentStaff(byTournament),
    run: (hub, actor, { tournamentId, ...player }) => addToPool(hub, actor, tournamentId, player),
  }),
  command({
    name: 'pool.import',
    rest: api.importPool,
    allow: tournamentStaff(byTournament),
    run: (hub, actor, { tournamentId, ...rows }) => importPool(hub, actor, tournamentId, rows),
  }),
  command({
    name: 'pool.update',
    rest: api.updatePoolPlayer,
    allow: tournamentStaff(byTournament),
    run: (hub, actor, { tournamentId, userId, mmr }) => updatePoolPlayer(hub, actor, tournamentId, userId, mmr),
  }),
  command({
    name: 'pool.remove',
    rest: api.removeFromPool,
    allow: tournamentStaff(byTournament),
    run: (hub, actor, { tournamentId, userId }) => removeFromPool(hub, actor, tournamentId, userId),
  }),
];
