import passport from 'passport';
import type { HubServices } from '../services';
import { User } from '../users/user.model';

/** One Passport per hub (several hubs may share a process in tests). */
export function createPassport(hub: HubServices): passport.PassportStatic {
  const instance = new passport.Passport() as unknown as passport.PassportStatic;
  instance.serializeUser((user, done) => done(null, (user as User).id));
  instance.deserializeUser((id: number, done) => {
    // Read fresh each request so a role change takes effect at once.
    User.query(hub.db)
      .findById(id)
      .then((user) => done(null, user ?? false), done);
  });
  return instance;
}

/** Logs the user in; Passport 0.7 regenerates the session first (no session fixation). */
export function logIn(req: import('express').Request, user: User): Promise<void> {
  return new Promise((resolve, reject) => req.logIn(user, (err) => (err ? reject(err) : resolve())));
}
