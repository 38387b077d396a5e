import type { Router } from 'express';
import { api } from '../../shared/api/contract';
import { tags } from '../cache/read-cache';
import { mount } from '../http/route';
import type { HubServices } from '../services';
import { addStaff, createTournament, deleteTournament, getTournamentDetail, listTournaments, removeStaff, updateTournament } from './tournaments.service';

export function mountTournamentRoutes(router: Router, hub: HubServices) {
  // Not cached: its counts change with every team and pool command, and the query is cheap.
  mount(router, hub, api.listTournaments, ({ query }) => listTournaments(hub.db, query));

  mount(router, hub, api.getTournament, ({ params }) => getTournamentDetail(hub.db, params.tournamentId), {
    // The page also shows users (profile edits) and the league (renames): their tags too.
    cache: ({ params }) => ({
      key: `tournament-detail:${params.tournamentId}`,
      tags: [tags.tournament(params.tournamentId), tags.userList(), tags.leagues()],
    }),
  });

  mount(router, hub, api.createTournament, ({ actor, body }) => createTournament(hub, actor, body));
  mount(router, hub, api.updateTournament, ({ actor, params, body }) => updateTournament(hub, actor, params.tournamentId, body));
  mount(router, hub, api.deleteTournament, ({ actor, params }) => deleteTournament(hub, actor, params.tournamentId));
  mount(router, hub, api.addStaff, ({ actor, params, body }) => addStaff(hub, actor, params.tournamentId, body.userId));
  mount(router, hub, api.removeStaff, ({ actor, params }) => removeStaff(hub, actor, params.tournamentId, params.userId));
}
