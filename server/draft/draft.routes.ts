import type { Router } from 'express';
import { api } from '../../shared/api/contract';
import { mount } from '../http/route';
import type { HubServices } from '../services';
import {
  configureDraft, openDraft, pauseDraft, pickPlayer, previewDraft, readDraft, readQueue, restartDraft, resumeDraft, setQueue, startDraft,
  undoPick,
} from './draft.service';

export function mountDraftRoutes(router: Router, hub: HubServices) {
  // Cached inside readDraft: the hub clock is added fresh to every answer.
  mount(router, hub, api.getDraft, ({ params }) => readDraft(hub, params.tournamentId));
  mount(router, hub, api.previewDraft, ({ actor, params }) => previewDraft(hub, actor, params.tournamentId));
  mount(router, hub, api.configureDraft, ({ actor, params, body }) => configureDraft(hub, actor, params.tournamentId, body));
  mount(router, hub, api.openDraft, ({ actor, params, body }) => openDraft(hub, actor, params.tournamentId, body));
  mount(router, hub, api.startDraft, ({ actor, params, body }) => startDraft(hub, actor, params.tournamentId, body));
  mount(router, hub, api.pauseDraft, ({ actor, params, body }) => pauseDraft(hub, actor, params.tournamentId, body));
  mount(router, hub, api.resumeDraft, ({ actor, params, body }) => resumeDraft(hub, actor, params.tournamentId, body));
  mount(router, hub, api.undoDraftPick, ({ actor, params, body }) => undoPick(hub, actor, params.tournamentId, body));
  mount(router, hub, api.restartDraft, ({ actor, params, body }) => restartDraft(hub, actor, params.tournamentId, body));
  mount(router, hub, api.pickPlayer, ({ actor, params, body }) => pickPlayer(hub, actor, params.tournamentId, body));
  mount(router, hub, api.getDraftQueue, ({ actor, params }) => readQueue(hub, actor, params.tournamentId));
  mount(router, hub, api.setDraftQueue, ({ actor, params, body }) => setQueue(hub, actor, params.tournamentId, body));
}
