import type { z } from 'zod';
import type { SocketCommandName, SocketCommandResults, SocketCommands } from '../../shared/realtime';
import type { Actor } from '../auth/actor';
import { addToPool } from '../pool/pool.service';
import type { HubServices } from '../services';
import { createTeam, renameTeam } from '../teams/teams.service';

type Handler<K extends SocketCommandName> = (
  hub: HubServices,
  actor: Actor | null,
  input: z.output<(typeof SocketCommands)[K]>,
) => Promise<SocketCommandResults[K]>;

/**
 * Socket commands call the very service functions the REST routes call: the transport only
 * parses (with the schema of the same name in shared/realtime.ts) and answers the ack.
 */
export const socketCommandHandlers: { [K in SocketCommandName]: Handler<K> } = {
  'team.create': (hub, actor, { tournamentId, ...body }) => createTeam(hub, actor, tournamentId, body),
  'team.rename': (hub, actor, { tournamentId, teamId, name }) => renameTeam(hub, actor, tournamentId, teamId, name),
  'pool.add': (hub, actor, { tournamentId, ...body }) => addToPool(hub, actor, tournamentId, body),
};
