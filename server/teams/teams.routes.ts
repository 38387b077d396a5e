import type { Router } from 'express';
import { api } from '../../shared/api/contract';
import { tags } from '../cache/read-cache';
import { mount } from '../http/route';
import type { HubServices } from '../services';
import { createTeam, deleteTeam, readTeams, renameTeam, reorderTeams } from './teams.service';

export function mountTeamRoutes(router: Router, hub: HubServices) {
  mount(router, hub, api.listTeams, ({ params }) => readTeams(hub.db, params.tournamentId), {
    cache: ({ params }) => ({ key: `teams:list:${params.tournamentId}`, tags: [tags.tournament(params.tournamentId)] }),
  });
  mount(router, hub, api.createTeam, ({ actor, params, body }) => createTeam(hub, actor, params.tournamentId, body));
  mount(router, hub, api.reorderTeams, ({ actor, params, body }) => reorderTeams(hub, actor, params.tournamentId, body.teamIds));
  mount(router, hub, api.updateTeam, ({ actor, params, body }) => renameTeam(hub, actor, params.tournamentId, params.teamId, body.name));
  mount(router, hub, api.deleteTeam, ({ actor, params }) => deleteTeam(hub, actor, params.tournamentId, params.teamId));
}
