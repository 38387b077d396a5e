import type { Router } from 'express';
import { api } from '../../shared/api/contract';
import { tags } from '../cache/read-cache';
import { mount } from '../http/route';
import type { HubServices } from '../services';
import { getLeague, listLeagues } from './leagues.service';

export function mountLeagueRoutes(router: Router, hub: HubServices) {
  mount(router, hub, api.listLeagues, () => listLeagues(hub.db), { cache: () => ({ key: 'leagues:list', tags: [tags.leagues()] }) });
  mount(router, hub, api.getLeague, ({ params }) => getLeague(hub.db, params.leagueId), {
    cache: ({ params }) => ({ key: `leagues:one:${params.leagueId}`, tags: [tags.leagues()] }),
  });
}
