import type { Router } from 'express';
import { api } from '../../shared/api/contract';
import { tags } from '../cache/read-cache';
import { mount } from '../http/route';
import type { HubServices } from '../services';
import { playerRecord } from './users.record';
import { audienceFor, getUser, listUsers } from './users.service';

export function mountUserRoutes(router: Router, hub: HubServices) {
  mount(router, hub, api.listUsers, ({ query }) => listUsers(hub.db, query), {
    cache: ({ query }) => ({ key: `users:list:${JSON.stringify([query.q ?? '', query.limit, query.offset])}`, tags: [tags.userList()] }),
  });

  // The audience is part of the key: a private view is never served to a public reader (AU5).
  mount(router, hub, api.getUser, ({ params, actor }) => getUser(hub.db, params.userId, audienceFor(actor, params.userId)), {
    cache: ({ params, actor }) => ({ key: `users:one:${params.userId}:${audienceFor(actor, params.userId)}`, tags: [tags.user(params.userId)] }),
  });

  // Cached inside: its tags depend on the tournaments the player was in (UI106).
  mount(router, hub, api.getPlayerRecord, ({ params }) => playerRecord(hub, params.userId));
}
