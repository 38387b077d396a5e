import type { z } from 'zod';
import type { SocketCommandName, SocketCommandResults, SocketCommands } from '../../shared/realtime';
import type { Actor } from '../auth/actor';
import { addToPool } from '../pool/pool.service';
import type { HubServices } from '../services';
import { createTeam, renameTeam } from '../teams/teams.service';
import {
  abandonHeroDraft,
  act,
  choose,
  configureHeroDraft,
  createHeroDraft,
  pauseHeroDraft,
  penalize,
  resetHeroDraft,
  resumeHeroDraft,
  setReady,
} from '../herodraft/herodraft.service';
import { configureDraft, openDraft, pauseDraft, pickPlayer, restartDraft, resumeDraft, setQueue, startDraft, undoPick } from '../draft/draft.service';

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
  'herodraft.create': (hub, actor, { tournamentId, ...body }) => createHeroDraft(hub, actor, tournamentId, body),
  'herodraft.configure': (hub, actor, { heroDraftId, ...body }) => configureHeroDraft(hub, actor, heroDraftId, body),
  'herodraft.ready': (hub, actor, { heroDraftId, ...body }) => setReady(hub, actor, heroDraftId, body),
  'herodraft.choose': (hub, actor, { heroDraftId, choice }) => choose(hub, actor, heroDraftId, choice),
  'herodraft.act': (hub, actor, { heroDraftId, ...body }) => act(hub, actor, heroDraftId, body),
  'herodraft.pause': (hub, actor, { heroDraftId, ...body }) => pauseHeroDraft(hub, actor, heroDraftId, body),
  'herodraft.resume': (hub, actor, { heroDraftId, ...body }) => resumeHeroDraft(hub, actor, heroDraftId, body),
  'herodraft.reset': (hub, actor, { heroDraftId, ...body }) => resetHeroDraft(hub, actor, heroDraftId, body),
  'herodraft.abandon': (hub, actor, { heroDraftId, ...body }) => abandonHeroDraft(hub, actor, heroDraftId, body),
  'herodraft.penalty': (hub, actor, { heroDraftId, ...body }) => penalize(hub, actor, heroDraftId, body),
  'team.create': (hub, actor, { tournamentId, ...body }) => createTeam(hub, actor, tournamentId, body),
  'team.rename': (hub, actor, { tournamentId, teamId, name }) => renameTeam(hub, actor, tournamentId, teamId, name),
  'pool.add': (hub, actor, { tournamentId, ...body }) => addToPool(hub, actor, tournamentId, body),
  'draft.configure': (hub, actor, { tournamentId, ...body }) => configureDraft(hub, actor, tournamentId, body),
  'draft.open': (hub, actor, { tournamentId, ...body }) => openDraft(hub, actor, tournamentId, body),
  'draft.start': (hub, actor, { tournamentId, ...body }) => startDraft(hub, actor, tournamentId, body),
  'draft.pause': (hub, actor, { tournamentId, ...body }) => pauseDraft(hub, actor, tournamentId, body),
  'draft.resume': (hub, actor, { tournamentId, ...body }) => resumeDraft(hub, actor, tournamentId, body),
  'draft.undo': (hub, actor, { tournamentId, ...body }) => undoPick(hub, actor, tournamentId, body),
  'draft.restart': (hub, actor, { tournamentId, ...body }) => restartDraft(hub, actor, tournamentId, body),
  'draft.pick': (hub, actor, { tournamentId, ...body }) => pickPlayer(hub, actor, tournamentId, body),
  'draft.queue': (hub, actor, { tournamentId, ...body }) => setQueue(hub, actor, tournamentId, body),
};
