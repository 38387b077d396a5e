import type { Router } from 'express';
import { api } from '../../shared/api/contract';
import { requireUser } from '../auth/actor';
import { mount } from '../http/route';
import type { HubServices } from '../services';
import { requireTournamentStaff } from '../tournaments/access';
import { mmrCheck } from './mmr-check';
import { getSignupSettings, listSignups, mySignups } from './signups.service';

/** The sign-up reads; the changes are commands (signups.commands.ts). */
export function mountSignupRoutes(router: Router, hub: HubServices) {
  // Not cached: `open` and the check-in window depend on the clock, and the list on who reads it.
  mount(router, hub, api.getSignupSettings, ({ params }) => getSignupSettings(hub, params.tournamentId));
  mount(router, hub, api.listSignups, ({ params, actor }) => listSignups(hub.db, actor, params.tournamentId));
  mount(router, hub, api.mySignups, ({ actor }) => mySignups(hub, requireUser(actor)));
  mount(router, hub, api.signupMmrCheck, async ({ params, actor }) => {
    await requireTournamentStaff(hub.db, actor, params.tournamentId);
    return mmrCheck(hub, params.tournamentId, params.userId);
  });
}
