import type { Router } from 'express';
import { api } from '../../shared/api/contract';
import { rooms } from '../../shared/rooms';
import { tags } from '../cache/read-cache';
import { roomTag } from '../commands/command';
import { mount } from '../http/route';
import type { HubServices } from '../services';
import { readBracket } from './bracket.queries';

export function mountBracketRoutes(router: Router, hub: HubServices) {
  mount(router, hub, api.getBracket, ({ params }) => readBracket(hub.db, params.tournamentId), {
    // The room's own tag too: every event moves `seq`, which this answer carries.
    cache: ({ params }) => ({
      key: `bracket:${params.tournamentId}`,
      tags: [tags.bracket(params.tournamentId), roomTag(rooms.tournament(params.tournamentId))],
    }),
  });
}
