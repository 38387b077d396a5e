import type { Router } from 'express';
import { api } from '../../shared/api/contract';
import { tags } from '../cache/read-cache';
import { mount } from '../http/route';
import type { HubServices } from '../services';
import { getPool } from './pool.service';

export function mountPoolRoutes(router: Router, hub: HubServices) {
  mount(router, hub, api.listPool, ({ params }) => getPool(hub.db, params.tournamentId), {
    // Pool rows show users' public profiles: a profile edit makes them stale too.
    cache: ({ params }) => ({ key: `pool:${params.tournamentId}`, tags: [tags.tournament(params.tournamentId), tags.userList()] }),
  });
}
