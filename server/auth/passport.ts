import passport from 'passport';
import type { Request } from 'express';
import type { HubServices } from '../services';
import { User } from '../users/user.model';
import { DiscordStrategy } from './discord';
import { loginWithDiscord } from './login.service';

/** Why the verify step refused a login (passed to the route's callback as `info`). */
export interface LoginRefusal {
  loginError: 'not_in_guild';
}

/** One Passport per hub (several hubs may share a process in tests). */
export function createPassport(hub: HubServices): passport.PassportStatic {
  // @types/passport declares the Passport class without the statics' methods it has at run time.
  // eslint-disable-next-line no-restricted-syntax
  const instance = new passport.Passport() as unknown as passport.PassportStatic;
  instance.serializeUser((user, done) => done(null, (user as User).id));
  instance.deserializeUser((id: number, done) => {
    // Read fresh each request so a role change takes effect at once.
    User.query(hub.db)
      .findById(id)
      .then((user) => done(null, user ?? false), done);
  });
  if (hub.config.discord) {
    const guildId = hub.config.discord.guildId;
    instance.use(
      'discord',
      new DiscordStrategy(hub.config.discord, (_accessToken, _refreshToken, profile, done) => {
        // The tokens are not kept: the hub needs Discord only at login.
        if (guildId && profile.member === null) {
          done(null, false, { loginError: 'not_in_guild' } satisfies LoginRefusal);
          return;
        }
        loginWithDiscord(hub, profile).then(
          (user) => done(null, user),
          (err: unknown) => done(err),
        );
      }),
    );
  }
  return instance;
}

/** Logs the user in; Passport 0.7 regenerates the session first (no session fixation). */
export function logIn(req: Request, user: User): Promise<void> {
  return new Promise((resolve, reject) => req.logIn(user, (err) => (err ? reject(err) : resolve())));
}
