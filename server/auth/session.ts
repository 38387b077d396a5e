import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import session from 'express-session';
import { ConnectSessionKnexStore } from 'connect-session-knex';
import type { RequestHandler } from 'express';
import { HubError } from '../commands/errors';
import type { HubServices } from '../services';
import { DurableSessionStore } from './session-store';

export const SESSION_COOKIE = 'dtx.sid';
const THIRTY_DAYS_MS = 30 * 24 * 3600 * 1000;
const FIRST_CONNECT_WAIT_MS = 3000;
/** How often a session's stored expiry is moved forward (see touchAtMostEvery). */
export const TOUCH_EVERY_MS = 10 * 60 * 1000;

/**
 * The session secret: from SESSION_SECRET, else (development only) generated once and kept
 * beside the SQLite file so a restart does not log everyone out.
 */
export function sessionSecret(hub: HubServices): string {
  if (hub.config.sessionSecret) return hub.config.sessionSecret;
  const dir = hub.config.database.client === 'sqlite' ? path.dirname(path.resolve(hub.config.database.filename)) : path.resolve('data');
  const file = path.join(dir, '.session-secret');
  try {
    return fs.readFileSync(file, 'utf8').trim();
  } catch {
    const secret = crypto.randomBytes(32).toString('hex');
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(file, secret, { mode: 0o600 });
    hub.log.warn('SESSION_SECRET is not set: generated one for development in %s', file);
    return secret;
  }
}

/**
 * Sessions in the hub's database, with Redis in front when configured (shared by every process,
 * and a Redis outage logs nobody out: see session-store.ts).
 */
export function createSessionMiddleware(hub: HubServices) {
  const store = touchAtMostEvery(
    hub.redis
      ? new DurableSessionStore(hub.redis, `${hub.config.redis!.prefix}sess:`, hub.db, hub.log)
      : new ConnectSessionKnexStore({ knex: hub.db, tableName: 'sessions', createTable: false, cleanupInterval: 3600_000 }),
    TOUCH_EVERY_MS,
  );
  const secure = hub.config.publicUrl.startsWith('https://');
  const loadSession = session({
    name: SESSION_COOKIE,
    secret: sessionSecret(hub),
    store,
    resave: false,
    saveUninitialized: false,
    rolling: true,
    proxy: hub.config.trustProxy !== undefined,
    cookie: { httpOnly: true, sameSite: 'lax', secure, maxAge: THIRTY_DAYS_MS },
  });
  const middleware = resilient(hub, loadSession);
  if (!hub.redis) return { middleware, store };

  // The Redis client connects in the background and fails writes fast while it is not ready
  // (no offline queue): a session saved in the first moments after start-up would be lost.
  // So requests wait for the first connection, a few seconds at most; later outages never wait.
  const redis = hub.redis;
  let connected: Promise<void> | null =
    redis.status === 'ready'
      ? null
      : new Promise<void>((resolve) => {
          const done = () => {
            clearTimeout(timer);
            redis.off('ready', done);
            connected = null;
            resolve();
          };
          const timer = setTimeout(done, FIRST_CONNECT_WAIT_MS);
          timer.unref();
          redis.once('ready', done);
        });
  const waitingMiddleware: typeof middleware = (req, res, next) => {
    if (!connected) return middleware(req, res, next);
    connected.then(() => middleware(req, res, next), next);
  };
  return { middleware: waitingMiddleware, store };
}

/**
 * A rolling session is touched after every response: one database write per logged-in request
 * (and one in Redis), each taking SQLite's single write lock from commands. The expiry moves by
 * 30 days each time, so moving it once every few minutes per session loses nothing; the cookie
 * itself is still renewed on every response.
 */
function touchAtMostEvery<S extends session.Store>(store: S, everyMs: number): S {
  const touch = store.touch?.bind(store);
  if (!touch) return store;
  const lastTouched = new Map<string, number>();
  store.touch = (sid, sess, callback) => {
    const now = Date.now();
    if (now - (lastTouched.get(sid) ?? 0) < everyMs) return callback?.();
    if (lastTouched.size >= 100_000) lastTouched.clear(); // bounded: forgetting only means one more touch
    lastTouched.set(sid, now);
    touch(sid, sess, callback);
  };
  return store;
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * When the store cannot load a session (the database is down and Redis has no copy, or is down), reads
 * go on as anonymous and changes get a clear 503, instead of every request with a cookie failing.
 * The stand-in session has no id, so express-session neither saves it nor sends a cookie:
 * the browser keeps its real session for when the store is back.
 */
function resilient(hub: HubServices, loadSession: RequestHandler): RequestHandler {
  return (req, res, next) =>
    loadSession(req, res, (err?: unknown) => {
      if (!err) return next();
      hub.log.warn({ err: err instanceof Error ? err.message : String(err) }, 'session store unavailable');
      // A save that failed after the response went out: the request is over, nothing to answer.
      if (res.headersSent) return;
      if (!SAFE_METHODS.has(req.method)) {
        next(new HubError('unavailable', 'Sessions are unavailable for a moment; please try again shortly.'));
        return;
      }
      (req as { sessionID?: string }).sessionID = undefined;
      // A stand-in with the methods express-session's consumers call, not its whole class.
      // eslint-disable-next-line no-restricted-syntax
      req.session = standInSession() as unknown as typeof req.session;
      next();
    });
}

/** A session that holds values for this request only and refuses to be stored. */
function standInSession() {
  const refuse = (callback?: (err: unknown) => void) =>
    callback?.(new HubError('unavailable', 'Sessions are unavailable for a moment; please try again shortly.'));
  return { cookie: {}, touch() {}, save: refuse, regenerate: refuse, destroy: refuse, reload: refuse };
}
