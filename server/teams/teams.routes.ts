import type { Router } from 'express';
import { api } from '../../shared/api/contract';
import { tags } from '../cache/read-cache';
import { mount } from '../http/route';
import type { HubServices } from '../services';
import { readTeams } from './teams.service';

export function mountTeamRoutes(router: Router, hub: HubServices) {
  mount(router, hub, api.listTeams, ({ params }) => readTeams(hub.db, params.tournamentId), {
    cache: ({ params }) => ({ key: `teams:list:${params.tournamentId}`, tags: [tags.tournament(params.tournamentId)] }),
  });
}
