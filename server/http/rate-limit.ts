import type { Request, RequestHandler, Response } from 'express';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import { api } from '../../shared/api/contract';
import { LOGIN_ERRORS } from '../../shared/login-errors';
import type { HubServices } from '../services';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
/** Login routes that answer with a redirect, so a refusal is a redirect too. */
const LOGIN_REDIRECTS = new Set<string>([api.discordLogin.path, api.discordCallback.path]);

/**
 * A limiter of `points` per minute: in Redis when the hub has it (the limit holds across every
 * process), with an in-memory insurance limiter that takes over while Redis is unreachable, so
 * an outage never blocks logins or mutations.
 */
function limiter(hub: HubServices, name: string, points: number): RateLimiterAbstract {
  const memory = new RateLimiterMemory({ keyPrefix: name, points, duration: 60 });
  if (!hub.redis) return memory;
  return new RateLimiterRedis({
    storeClient: hub.redis,
    keyPrefix: `${hub.config.redis!.prefix}rl:${name}`,
    points,
    duration: 60,
    // Go to the insurance limiter at once instead of waiting on a dead connection.
    rejectIfRedisNotReady: true,
    insuranceLimiter: memory,
  });
}

/**
 * Rate limits on the HTTP side: logins (GET /auth/discord, its callback, POST /auth/dev) per IP,
 * and every mutation under /api per user (per IP when anonymous). Mount it after the session
 * (to know the user) and before CSRF (so rejected attempts count too).
 */
export function createRateLimits(hub: HubServices): RequestHandler {
  const logins = limiter(hub, 'login', hub.config.rateLimits.loginPerMinute);
  const mutations = limiter(hub, 'mutation', hub.config.rateLimits.mutationsPerMinute);

  return async function rateLimits(req, res, next) {
    // Matched as the router matches (any case, an optional trailing slash): /Auth/Dev/ is a login too.
    const path = routePath(req.path);
    const isLogin = (req.method === 'GET' && LOGIN_REDIRECTS.has(path)) || (req.method === 'POST' && path === api.devLogin.path);
    const isMutation = !isLogin && !SAFE_METHODS.has(req.method) && (path === '/api' || path.startsWith('/api/'));
    if (!isLogin && !isMutation) return next();

    const user = req.user as { id: number } | undefined;
    const key = isLogin || !user ? `ip:${req.ip ?? 'unknown'}` : `user:${user.id}`;
    try {
      await (isLogin ? logins : mutations).consume(key);
    } catch (err) {
      if (!(err instanceof RateLimiterRes)) {
        // Both Redis and the insurance limiter failed: let the request through rather than lock everyone out.
        hub.log.warn({ err: err instanceof Error ? err.message : String(err) }, 'rate limiter unavailable');
        return next();
      }
      refuse(req, res, isLogin, err.msBeforeNext);
      return;
    }
    next();
  };
}

const routePath = (path: string) => (path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path).toLowerCase();

function refuse(req: Request, res: Response, isLogin: boolean, msBeforeNext: number) {
  const seconds = Math.max(1, Math.ceil(msBeforeNext / 1000));
  res.set('Retry-After', String(seconds));
  if (isLogin && req.method === 'GET') {
    res.redirect(302, '/?loginError=rate_limited');
    return;
  }
  const message = isLogin ? LOGIN_ERRORS.rate_limited : `Too many changes at once. Please wait ${seconds} s and try again.`;
  res.status(429).json({ error: { code: 'rate_limited', message } });
}
