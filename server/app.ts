import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import compression from 'compression';
import express from 'express';
import type { Logger } from 'pino';
import type { Config } from './config';
import { createDb, migrateLatest } from './db/knex';
import { createMemoryCache } from './cache/read-cache';
import { createRedisCache } from './cache/redis-cache';
import { closeRedis } from './redis/close';
import { createInOrderConnection, createMainConnection } from './redis/connections';
import { createCommandBus } from './commands/command';
import type { HubRandom, HubServices } from './services';
import { createPreviewPages } from './previews/previews.service';
import { type Clock, systemClock } from './deadlines/clock';
import { createSteamContext } from './steam/steam.service';
import { createSessionMiddleware, SESSION_COOKIE } from './auth/session';
import { createPassport } from './auth/passport';
import { csrf } from './auth/csrf';
import { createRateLimits } from './http/rate-limit';
import { fixedSecurityHeaders } from './http/security-headers';
import { apiNotFound, errorHandler } from './http/error-handler';
import { mountRoutes } from './http/routes';
import { createRealtime, type Realtime } from './realtime/realtime';
import { createPresence } from './realtime/presence';
import { NewestReadings } from './realtime/newest-readings';
import { createLogger } from './observability/logger';
import { requestLogging } from './observability/http-log';
import { createMetrics } from './observability/metrics';
import { registerHeroDraftDeadlines } from './herodraft/herodraft.service';
import { createDeadlineScheduler, type DeadlineScheduler } from './deadlines/deadlines';
import { createLivePoller, type LivePoller } from './steam/live.poller';
import { createOutboxDeliverer, type OutboxDeliverer, type OutboxTiming } from './discord/outbox.deliverer';
import { registerDraftDeadlines } from './draft/draft.service';
import { registerCheckInDeadline } from './signups/signups.service';
import { InFlight } from './lifecycle/in-flight';
import { unavailable } from './commands/errors';
import { INTERACTIONS_PATH, interactionsVerifier } from './discord/signature';

export interface Hub {
  services: HubServices;
  app: express.Express;
  server: http.Server;
  /** Socket.IO on the same server: rooms, presence, socket commands. */
  realtime: Realtime;
  /** Pending deadlines (pick timers): rebuilt from the database at start, fired as commands. */
  deadlines: DeadlineScheduler;
  /** Live Steam games: polls on the one process holding the lease (off without a Steam key). */
  livePoller: LivePoller;
  /** Discord notices: delivered by the one process holding the outbox lease (off without a bot token). */
  outbox: OutboxDeliverer;
  /** Listens on config.port (0 = any free port); resolves with the bound port. */
  listen(): Promise<number>;
  close(): Promise<void>;
}

export interface HubOptions {
  logger?: Logger;
  /** Apply migrations before serving (main.ts and tests; production deploys run them once instead). */
  migrate?: boolean;
  /** The hub's time (tests drive it by hand); the system clock otherwise. */
  clock?: Clock;
  /** Dice, coin tosses and random picks (tests script them); crypto otherwise. */
  random?: HubRandom;
  /** The Discord outbox's timing (tests shorten it). */
  discordOutbox?: OutboxTiming;
}

const cryptoRandom: HubRandom = { d6: () => crypto.randomInt(1, 7), int: (n) => crypto.randomInt(0, n) };

export async function createHub(config: Config, options: HubOptions = {}): Promise<Hub> {
  if (config.production && config.devLogin) {
    // config.ts refuses this already; a hub built by other means must refuse too (AU4).
    throw new Error('refusing to start: the development login is enabled in production');
  }
  const log = options.logger ?? createLogger(config.logLevel, undefined, { env: config.env, isTTY: process.stdout.isTTY });
  const db = createDb(config.database, log);
  if (options.migrate ?? true) await migrateLatest(db);

  // What a command waits for or must send in order goes on redisInOrder (services.ts).
  const redis = config.redis ? createMainConnection(config.redis.url, log) : undefined;
  redis?.on('error', (err) => log.warn({ err: err.message }, 'redis error'));
  const redisInOrder = redis && createInOrderConnection(redis, log);
  const cache = redis ? createRedisCache(redis, config.redis!.prefix, log, redisInOrder) : createMemoryCache();
  const metrics = createMetrics();
  metrics.watchCache(cache);
  metrics.watchHealth({
    database: () =>
      db.raw('select 1').then(
        () => true,
        () => false,
      ),
    redis: redis ? () => redis.status === 'ready' : undefined,
  });
  const commands = createCommandBus({ db, cache, log, metrics });
  const clock = options.clock ?? systemClock;
  const deadlines = createDeadlineScheduler({ db, commands, log, clock });
  const steam = createSteamContext({ config, redis, log, metrics });
  const random = options.random ?? cryptoRandom;
  const presence = createPresence({
    redis,
    prefix: config.redis?.prefix ?? '',
    throttleMs: config.realtime.presenceThrottleMs,
    heartbeatMs: config.realtime.presenceHeartbeatMs,
    log,
  });
  const services: HubServices = {
    config,
    db,
    cache,
    commands,
    log,
    redis,
    redisInOrder,
    metrics,
    clock,
    random,
    deadlines,
    steam,
    presence,
    presenceReadings: new NewestReadings(),
  };
  registerDraftDeadlines(services);
  registerHeroDraftDeadlines(services);
  registerCheckInDeadline(services);

  const app = express();
  app.disable('x-powered-by');
  if (config.trustProxy !== undefined) app.set('trust proxy', config.trustProxy);
  const securityHeaders = fixedSecurityHeaders({
    contentSecurityPolicy: {
      directives: {
        // Hero images come from HERO_IMAGE_BASE, which may point elsewhere than Steam's CDN.
        'img-src': [
          "'self'",
          'data:',
          'https://cdn.discordapp.com',
          'https://cdn.cloudflare.steamstatic.com',
          'https://avatars.steamstatic.com',
          ...(config.heroDraft.imageBase ? [new URL(config.heroDraft.imageBase).origin] : []),
        ],
        'upgrade-insecure-requests': config.publicUrl.startsWith('https://') ? [] : null,
      },
    },
  });
  app.use(requestLogging(log, securityHeaders)); // first: everything after runs with the request's id
  // Shutdown waits for the requests in flight before it closes Redis and the database they read.
  const requests = new InFlight();
  let closing = false;
  app.use(function trackRequests(_req, res, next) {
    if (closing) {
      res.setHeader('Connection', 'close');
      return next(unavailable('this server is shutting down: try again', 1000));
    }
    res.once('close', requests.begin());
    next();
  });
  // gzip or brotli for what is not compressed already (API JSON, including the read cache's
  // prebuilt bytes; the client's assets come precompressed from the build, see serveClient).
  // Brotli at the middleware's quality 4: little CPU per answer for most of the gain.
  app.use(compression());
  // Discord's signed calls: raw bytes checked first (the JSON parser below skips a read body).
  app.use(interactionsVerifier(services));
  const parseBody = express.Router();
  parseBody.use(express.json({ limit: '1mb' }), express.urlencoded({ extended: false, limit: '16kb' }));
  // The parsers skip a request without a body themselves, but only after a few checks each.
  app.use(function bodyParsers(req, res, next) {
    if (req.headers['transfer-encoding'] === undefined && req.headers['content-length'] === undefined) return next();
    return parseBody(req, res, next);
  });

  const session = createSessionMiddleware(services);
  const passport = createPassport(services);
  const withSession = express.Router();
  withSession.use(session.middleware, passport.initialize(), passport.session());
  withSession.use(createRateLimits(services)); // after the session (limits per user), before CSRF (rejected attempts count)
  withSession.use(csrf.csrfSynchronisedProtection);
  app.use(unlessAnonymousRead(withoutSessionForDiscord(withSession)));

  // Socket.IO first: the routes are given what they need of it (readiness, ending a session's sockets).
  const server = http.createServer(app);
  const realtime = await createRealtime(services, { server, session: session.middleware, passport });

  mountRoutes(app, services, passport, realtime);

  app.use(['/api', '/auth'], apiNotFound);
  serveClient(app, config, services);
  app.use(errorHandler(log));
  await deadlines.start(); // after realtime: expiries broadcast like any command
  const livePoller = createLivePoller(services);
  livePoller.start(); // after realtime: what it publishes is broadcast
  const outbox = createOutboxDeliverer(services, options.discordOutbox);
  outbox.start(); // does nothing without a bot token
  return {
    services,
    app,
    server,
    realtime,
    deadlines,
    livePoller,
    outbox,
    listen: () =>
      new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(config.port, config.host, () => {
          const address = server.address();
          resolve(typeof address === 'object' && address ? address.port : config.port);
        });
      }),
    async close() {
      // Graceful: stop accepting (readyz says draining; new requests get 503), let commands
      // and reads in flight finish, answer every socket command, then tell socket clients to
      // reconnect elsewhere; only then close Redis and the database that work was using.
      closing = true;
      realtime.beginDrain();
      deadlines.stop(); // another process (or the next start) fires what is pending
      await livePoller.stop(); // releases the lease: another process polls at once
      await outbox.stop(); // a notice being sent stays queued (its nonce makes the resend harmless)
      const stopped = new Promise<void>((resolve) => (server.listening ? server.close(() => resolve()) : resolve()));
      server.closeIdleConnections?.();
      if (!(await commands.idle(config.realtime.shutdownGraceMs))) log.warn('shutting down with commands still running');
      if (!(await requests.idle(config.realtime.shutdownGraceMs))) log.warn({ requests: requests.size }, 'shutting down with requests still running');
      await realtime.close();
      server.closeAllConnections?.();
      await stopped;
      await cache.close();
      await Promise.all([redis, redisInOrder].map((client) => client && closeRedis(client)));
      await db.destroy();
    },
  };
}

/**
 * The built Svelte client, with an SPA fallback for its routes. Vite names every file under
 * assets/ after its content, so a browser may keep one for a year (a new build has new names);
 * index.html, which names them, is revalidated on every load.
 */
function serveClient(app: express.Express, config: Config, hub: HubServices) {
  const dist = path.resolve(config.clientDist);
  const index = path.join(dist, 'index.html');
  const renderPage = createPreviewPages(hub, index);
  const assets = path.join(dist, 'assets');
  const forever = { index: false, maxAge: '1y', immutable: true } as const;
  app.use('/assets', precompressedAssets(assets, forever), express.static(assets, forever), function noSuchAsset(_req, res) {
    // Not the SPA's HTML: a browser would try to run it as a script (an old tab after a deploy).
    res.status(404).type('text').send('No such asset: reload the page.');
  });
  app.use(
    express.static(dist, {
      index: false,
      maxAge: '1h',
      setHeaders: (res, file) => {
        if (file.endsWith('.html')) res.setHeader('Cache-Control', 'no-cache');
      },
    }),
  );
  // Every page is the SPA's index.html, with the link-preview card of what it shows in its head.
  app.get('/{*splat}', async function spaFallback(req, res, next) {
    if (!fs.existsSync(index)) {
      res.status(503).type('text').send('The client is not built: run `npm run build` (npm start does it for you).');
      return;
    }
    try {
      const html = await renderPage(req.path);
      res.setHeader('Cache-Control', 'no-cache');
      res.type('html').send(html);
    } catch (err) {
      next(err);
    }
  });
}

const ASSET_TYPES: Record<string, string> = { '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8' };

/** Whether an Accept-Encoding header accepts `coding` (named, with a q above 0). */
function acceptsCoding(header: string | undefined, coding: string): boolean {
  return (header ?? '').split(',').some((part) => {
    const [token, ...params] = part.split(';').map((p) => p.trim());
    if (token?.toLowerCase() !== coding) return false;
    const q = params.find((p) => p.startsWith('q='));
    return q === undefined || Number(q.slice(2)) > 0;
  });
}

/**
 * assets/x.js as x.js.br or x.js.gz, which the build writes next to it (client/vite.config.ts):
 * brotli at its best quality once per build, instead of the middleware's quick one per request.
 */
function precompressedAssets(dir: string, options: { maxAge: string; immutable: boolean }): express.RequestHandler {
  return function precompressedAsset(req, res, next) {
    const type = ASSET_TYPES[path.extname(req.path)];
    if ((req.method !== 'GET' && req.method !== 'HEAD') || !type || !/^\/[\w.-]+$/.test(req.path)) return next();
    const accepted = req.headers['accept-encoding'];
    const coding = acceptsCoding(accepted, 'br') ? 'br' : acceptsCoding(accepted, 'gzip') ? 'gzip' : null;
    res.vary('Accept-Encoding');
    if (!coding) return next();
    const file = path.join(dir, `${req.path.slice(1)}.${coding === 'br' ? 'br' : 'gz'}`);
    res.setHeader('Content-Type', type);
    res.setHeader('Content-Encoding', coding);
    res.sendFile(file, { ...options, dotfiles: 'deny' }, (err) => {
      if (!err || res.headersSent) return;
      // No compressed copy (an older build): the plain file, compressed on the fly.
      res.removeHeader('Content-Type');
      res.removeHeader('Content-Encoding');
      next();
    });
  };
}

/**
 * Discord calls the interactions endpoint without our cookie and without a CSRF token; its
 * Ed25519 signature (checked before this) is what authenticates it. Exempt exactly that POST,
 * spelled as the verifier matched it, so that no other path slips past the CSRF check.
 */
function withoutSessionForDiscord(chain: express.RequestHandler): express.RequestHandler {
  return function sessionUnlessDiscordInteraction(req, res, next) {
    if (req.method === 'POST' && req.path === INTERACTIONS_PATH && (req as { discordVerified?: boolean }).discordVerified) return next();
    return chain(req, res, next);
  };
}

/**
 * An anonymous read (GET/HEAD without our session cookie) needs no session: skipping it spares
 * a session id, a store lookup and Passport on every public read (the cached REST hot path).
 * The rate limits and CSRF check after it let every such read through anyway, so they are
 * skipped with it. /api/me (which hands out the CSRF token) and the login routes always get one.
 */
function unlessAnonymousRead(chain: express.RequestHandler): express.RequestHandler {
  const cookie = `${SESSION_COOKIE}=`;
  // As loosely as the router matches: any case, an optional trailing slash (/API/ME/ is /api/me).
  const needsSession = /^\/(?:api\/me\/?$|auth\/)/i;
  return function sessionUnlessAnonymousRead(req, res, next) {
    const read = req.method === 'GET' || req.method === 'HEAD';
    if (read && !req.headers.cookie?.includes(cookie) && !needsSession.test(req.path)) return next();
    return chain(req, res, next);
  };
}
