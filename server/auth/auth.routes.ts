import type { Request, Response, Router } from 'express';
import type passport from 'passport';
import { api } from '../../shared/api/contract';
import type { LoginErrorCode } from '../../shared/login-errors';
import { notFound } from '../commands/errors';
import { mount } from '../http/route';
import type { HubServices } from '../services';
import type { Realtime } from '../realtime/realtime';
import { toPrivateUser, type User } from '../users/user.model';
import { csrf } from './csrf';
import { SESSION_COOKIE } from './session';
import { mountDevLogin } from './dev-login';
import { DiscordApiError } from './discord';
import { logIn, type LoginRefusal } from './passport';
import { discordBotInfo } from '../discord/roles';

/** Where a failed login lands: the client shows the message for the code. */
export function redirectLoginError(res: Response, code: LoginErrorCode) {
  res.redirect(302, `/?loginError=${code}`);
}

interface Outcome {
  err?: unknown;
  user?: User | false;
  info?: unknown;
}

/**
 * Runs the Discord strategy with a custom callback. Resolves with its outcome, or with null
 * when the strategy answered by itself (the redirect to Discord).
 */
function runDiscord(passportInstance: passport.PassportStatic, hub: HubServices, req: Request, res: Response): Promise<Outcome | null> {
  return new Promise((resolve) => {
    res.once('finish', () => resolve(null));
    // Read at request time: tests (and a proxy setup) learn the public URL after start-up.
    const callbackURL = `${hub.config.publicUrl}/auth/discord/callback`;
    const authenticate = passportInstance.authenticate(
      'discord',
      { callbackURL } as passport.AuthenticateOptions,
      (err: unknown, user?: User | false, info?: unknown) => resolve({ err, user, info }),
    );
    authenticate(req, res, (err?: unknown) => resolve({ err }));
  });
}

/** Which login error a failure is, for the user; the log gets the detail (never a token). */
function failureCode(err: unknown): LoginErrorCode {
  const inner = (err as { oauthError?: unknown })?.oauthError ?? err;
  if (inner instanceof DiscordApiError && inner.status === 429) return 'discord_rate_limited';
  return 'discord_error';
}

export function mountAuthRoutes(router: Router, hub: HubServices, passportInstance: passport.PassportStatic, realtime: Pick<Realtime, 'endSession'>) {
  const requireDiscord = () => {
    if (!hub.config.discord) throw notFound('Discord login');
  };

  mount(router, hub, api.discordLogin, async ({ req, res }) => {
    requireDiscord();
    const outcome = await runDiscord(passportInstance, hub, req, res);
    if (outcome && !res.headersSent) {
      hub.log.error({ err: outcome.err }, 'could not start the Discord login');
      redirectLoginError(res, 'discord_error');
    }
  });

  mount(router, hub, api.discordCallback, async ({ req, res, query }) => {
    requireDiscord();
    if (query.error) {
      redirectLoginError(res, query.error === 'access_denied' ? 'consent_denied' : 'discord_error');
      return;
    }
    // Without a code the strategy would start a new login instead of finishing this one.
    if (!query.code) {
      redirectLoginError(res, 'discord_error');
      return;
    }
    const outcome = await runDiscord(passportInstance, hub, req, res);
    if (!outcome || res.headersSent) return;
    if (outcome.err) {
      const code = failureCode(outcome.err);
      const inner = (outcome.err as { oauthError?: unknown }).oauthError ?? outcome.err;
      if (inner instanceof DiscordApiError) {
        hub.log.warn({ endpoint: inner.endpoint, status: inner.status, retryAfter: inner.retryAfter, discordCode: inner.discordCode }, 'Discord login failed');
      } else {
        hub.log.error({ err: inner instanceof Error ? { name: inner.name, message: inner.message } : String(inner) }, 'Discord login failed');
      }
      redirectLoginError(res, code);
      return;
    }
    if (!outcome.user) {
      // The strategy fails without an error for a missing or wrong `state` (AU1); the verify
      // step refuses people outside the guild.
      const refusal = outcome.info as Partial<LoginRefusal> | undefined;
      redirectLoginError(res, refusal?.loginError ?? 'state_mismatch');
      return;
    }
    await logIn(req, outcome.user);
    res.redirect(302, '/');
  });

  mountDevLogin(router, hub);

  mount(router, hub, api.me, async ({ req }) => ({
    user: req.user ? toPrivateUser(req.user as User) : null,
    csrfToken: csrf.generateToken(req),
    login: { discord: Boolean(hub.config.discord), devLogin: hub.config.devLogin },
    discordBot: discordBotInfo(hub.config),
  }));

  mount(router, hub, api.logout, async ({ req, res }) => {
    const sessionId = req.sessionID;
    await new Promise<void>((resolve, reject) => req.logout((err) => (err ? reject(err) : resolve())));
    // Delete the stored session (not just its user), so the old cookie authenticates nothing.
    await new Promise<void>((resolve, reject) => req.session.destroy((err) => (err ? reject(err) : resolve())));
    res.clearCookie(SESSION_COOKIE, { path: '/' });
    realtime.endSession(sessionId);
    return { ok: true as const };
  });
}
