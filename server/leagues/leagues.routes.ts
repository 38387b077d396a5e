import type { Router } from 'express';
import type { HubServices } from '../services';

export function mountLeagueRoutes(_router: Router, _hub: HubServices) {
  // TODO: mount this feature's endpoints from shared/api/contract.ts
}
