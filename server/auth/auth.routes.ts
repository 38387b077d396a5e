import type { Router } from 'express';
import type passport from 'passport';
import { api } from '../../shared/api/contract';
import { mount } from '../http/route';
import type { HubServices } from '../services';
import { toPrivateUser, type User } from '../users/user.model';
import { csrf } from './csrf';
import { mountDevLogin } from './dev-login';

export function mountAuthRoutes(router: Router, hub: HubServices, _passport: passport.PassportStatic) {
  // TODO(auth helper): Discord login and callback.
  mountDevLogin(router, hub);

  mount(router, hub, api.me, async ({ req }) => ({
    user: req.user ? toPrivateUser(req.user as User) : null,
    csrfToken: csrf.generateToken(req),
    login: { discord: Boolean(hub.config.discord), devLogin: hub.config.devLogin },
  }));

  mount(router, hub, api.logout, async ({ req }) => {
    await new Promise<void>((resolve, reject) => req.logout((err) => (err ? reject(err) : resolve())));
    await new Promise<void>((resolve, reject) => req.session.destroy((err) => (err ? reject(err) : resolve())));
    return { ok: true as const };
  });
}
