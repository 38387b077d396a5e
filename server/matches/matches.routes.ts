import type { Router } from 'express';
import { api } from '../../shared/api/contract';
import { mount } from '../http/route';
import { rooms } from '../../shared/rooms';
import { roomTag } from '../commands/command';
import { tags } from '../cache/read-cache';
import { HubError } from '../commands/errors';
import type { HubServices } from '../services';
import { requireTournamentStaff } from '../tournaments/access';
import { lookupPlayer, steamStatus } from '../steam/steam.service';
import { readLinks, readMatchView } from './import.service';
import { readLiveGames } from './live.service';

export function mountMatchRoutes(router: Router, hub: HubServices) {
  mount(router, hub, api.steamStatus, () => steamStatus(hub));
  mount(router, hub, api.steamLookup, ({ query }) => lookupPlayer(hub, query.q));
  // Not cached: the age of the data is part of the answer (ST7). The reason and the poll state come
  // from one read, so a poll failing between two reads cannot give an error with no reason.
  mount(router, hub, api.liveGames, async () => {
    const status = await steamStatus(hub);
    return { live: status.live, poll: status.poll, games: await readLiveGames(hub.db) };
  });
  // Every change to a match is an event of its room (roomTag); names come from the users.
  mount(
    router,
    hub,
    api.getMatch,
    async ({ params }) => {
      const view = await readMatchView(hub.db, params.matchId);
      if (!view.live && !view.match) throw new HubError('not_found', `match ${params.matchId} not found: it has not been seen live or imported`);
      return view;
    },
    { cache: ({ params }) => ({ key: `match:${params.matchId}`, tags: [roomTag(rooms.match(Number(params.matchId))), tags.userList()] }) },
  );
  mount(router, hub, api.listMatchLinks, async ({ actor, params }) => {
    await requireTournamentStaff(hub.db, actor, params.tournamentId);
    const items = await readLinks(hub.db, { tournamentId: params.tournamentId });
    const order = { suggested: 0, linked: 1, dismissed: 2 } as const;
    return { items: items.sort((a, b) => order[a.state] - order[b.state]) };
  });
}
