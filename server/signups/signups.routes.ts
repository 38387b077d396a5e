import type { Router } from 'express';
import { api } from '../../shared/api/contract';
import { unavailable } from '../commands/errors';
import { mount } from '../http/route';
import type { HubServices } from '../services';

/** The sign-up endpoints of the contract, answered 503 until their commands land (issue 21). */
const SIGNUP_ENDPOINTS = [
  api.getSignupSettings,
  api.updateSignupSettings,
  api.listSignups,
  api.signUp,
  api.withdrawSignup,
  api.approveSignup,
  api.declineSignup,
  api.waitlistSignup,
  api.updateSignup,
  api.signupMmrCheck,
  api.openCheckIn,
  api.checkIn,
  api.checkInFor,
  api.mySignups,
] as const;

export function mountSignupRoutes(router: Router, hub: HubServices) {
  for (const endpoint of SIGNUP_ENDPOINTS) {
    mount(router, hub, endpoint, async () => {
      throw unavailable('sign-ups are not served yet', 60_000);
    });
  }
}
