import type { Router } from 'express';
import { api } from '../../shared/api/contract';
import { mount } from '../http/route';
import type { HubServices } from '../services';
import { heroList, listHeroDrafts, readHeroDraft } from './herodraft.view';

export function mountHeroDraftRoutes(router: Router, hub: HubServices) {
  mount(router, hub, api.listHeroes, async ({ query }) => heroList(hub, query.scope));
  mount(router, hub, api.listHeroDrafts, ({ params }) => listHeroDrafts(hub, params.tournamentId));
  mount(router, hub, api.getHeroDraft, ({ params }) => readHeroDraft(hub, params.heroDraftId));
}
