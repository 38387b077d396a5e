import type { Router } from 'express';
import { api } from '../../shared/api/contract';
import { mount } from '../http/route';
import type { HubServices } from '../services';
import { previewDraft, readDraft, readQueue } from './draft.view';

export function mountDraftRoutes(router: Router, hub: HubServices) {
  // Cached inside readDraft: the hub clock is added fresh to every answer, and to every command's.
  mount(router, hub, api.getDraft, ({ params }) => readDraft(hub, params.tournamentId));
  mount(router, hub, api.previewDraft, ({ actor, params }) => previewDraft(hub, actor, params.tournamentId));
  mount(router, hub, api.getDraftQueue, ({ actor, params }) => readQueue(hub, actor, params.tournamentId));
}
