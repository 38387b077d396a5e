import type { Router } from 'express';
import { api } from '../../shared/api/contract';
import { tags } from '../cache/read-cache';
import { mount } from '../http/route';
import type { HubServices } from '../services';
import { createLeague, deleteLeague, getLeague, listLeagues, updateLeague } from './leagues.service';

export function mountLeagueRoutes(router: Router, hub: HubServices) {
  mount(router, hub, api.listLeagues, () => listLeagues(hub.db), { cache: () => ({ key: 'leagues:list', tags: [tags.leagues()] }) });
  mount(router, hub, api.getLeague, ({ params }) => getLeague(hub.db, params.leagueId), {
    cache: ({ params }) => ({ key: `leagues:one:${params.leagueId}`, tags: [tags.leagues()] }),
  });
  mount(router, hub, api.createLeague, ({ actor, body }) => createLeague(hub, actor, body));
  mount(router, hub, api.updateLeague, ({ actor, params, body }) => updateLeague(hub, actor, params.leagueId, body));
  mount(router, hub, api.deleteLeague, ({ actor, params }) => deleteLeague(hub, actor, params.leagueId));
}
