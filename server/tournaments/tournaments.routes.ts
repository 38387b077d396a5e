import type { Router } from 'express';
import { api } from '../../shared/api/contract';
import { tags } from '../cache/read-cache';
import { mount } from '../http/route';
import type { HubServices } from '../services';
import { readTournamentDetail } from './detail.read';
import { listTournaments } from './tournaments.service';

export function mountTournamentRoutes(router: Router, hub: HubServices) {
  // Not cached: its counts change with every team and pool command, and the query is cheap.
  mount(router, hub, api.listTournaments, ({ query }) => listTournaments(hub.db, query));

  mount(router, hub, api.getTournament, ({ params }) => readTournamentDetail(hub.db, params.tournamentId), {
    // The page also shows users (profile edits) and the league (renames): their tags too.
    cache: ({ params }) => ({
      key: `tournament-detail:${params.tournamentId}`,
      tags: [tags.tournament(params.tournamentId), tags.userList(), tags.leagues()],
    }),
  });
}
