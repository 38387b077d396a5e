import type { Router } from 'express';
import { api } from '../../shared/api/contract';
import { mount } from '../http/route';
import { withServerTime } from '../deadlines/deadlines';
import type { HubServices } from '../services';
import {
  configureDraft,
  openDraft,
  pauseDraft,
  pickPlayer,
  previewDraft,
  readDraft,
  readQueue,
  restartDraft,
  resumeDraft,
  setQueue,
  startDraft,
  undoPick,
} from './draft.service';

export function mountDraftRoutes(router: Router, hub: HubServices) {
  // Cached inside readDraft: the hub clock is added fresh to every answer, and to every command's.
  mount(router, hub, api.getDraft, ({ params }) => readDraft(hub, params.tournamentId));
  mount(router, hub, api.previewDraft, ({ actor, params }) => previewDraft(hub, actor, params.tournamentId));
  mount(router, hub, api.configureDraft, ({ actor, params, body }) => withServerTime(hub, configureDraft(hub, actor, params.tournamentId, body)));
  mount(router, hub, api.openDraft, ({ actor, params, body }) => withServerTime(hub, openDraft(hub, actor, params.tournamentId, body)));
  mount(router, hub, api.startDraft, ({ actor, params, body }) => withServerTime(hub, startDraft(hub, actor, params.tournamentId, body)));
  mount(router, hub, api.pauseDraft, ({ actor, params, body }) => withServerTime(hub, pauseDraft(hub, actor, params.tournamentId, body)));
  mount(router, hub, api.resumeDraft, ({ actor, params, body }) => withServerTime(hub, resumeDraft(hub, actor, params.tournamentId, body)));
  mount(router, hub, api.undoDraftPick, ({ actor, params, body }) => withServerTime(hub, undoPick(hub, actor, params.tournamentId, body)));
  mount(router, hub, api.restartDraft, ({ actor, params, body }) => withServerTime(hub, restartDraft(hub, actor, params.tournamentId, body)));
  mount(router, hub, api.pickPlayer, ({ actor, params, body }) => withServerTime(hub, pickPlayer(hub, actor, params.tournamentId, body)));
  mount(router, hub, api.getDraftQueue, ({ actor, params }) => readQueue(hub, actor, params.tournamentId));
  mount(router, hub, api.setDraftQueue, ({ actor, params, body }) => setQueue(hub, actor, params.tournamentId, body));
}
