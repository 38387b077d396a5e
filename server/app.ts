import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import express from 'express';
import helmet from 'helmet';
import { Redis } from 'ioredis';
import pino, { type Logger } from 'pino';
import type { Config } from './config';
import { createDb, migrateLatest } from './db/knex';
import { createMemoryCache } from './cache/read-cache';
import { createRedisCache } from './cache/redis-cache';
import { createCommandBus } from './commands/command';
import type { HubServices } from './services';
import { createSessionMiddleware } from './auth/session';
import { createPassport } from './auth/passport';
import { csrf } from './auth/csrf';
import { createRateLimits } from './http/rate-limit';
import { apiNotFound, errorHandler } from './http/error-handler';
import { mountRoutes } from './http/routes';
import { createRealtime, type Realtime } from './realtime/realtime';

export interface Hub {
  services: HubServices;
  app: express.Express;
  server: http.Server;
  /** Socket.IO on the same server: rooms, presence, socket commands. */
  realtime: Realtime;
  /** Listens on config.port (0 = any free port); resolves with the bound port. */
  listen(): Promise<number>;
  close(): Promise<void>;
}

export interface HubOptions {
  logger?: Logger;
  /** Apply migrations before serving (main.ts and tests; production deploys run them once instead). */
  migrate?: boolean;
}

export async function createHub(config: Config, options: HubOptions = {}): Promise<Hub> {
  if (config.production && config.devLogin) {
    // config.ts refuses this already; a hub built by other means must refuse too (AU4).
    throw new Error('refusing to start: the development login is enabled in production');
  }
  const log = options.logger ?? pino({ level: config.logLevel, redact: ['req.headers.cookie', 'req.headers.authorization', '*.clientSecret', '*.sessionSecret', '*.accessToken'] });
  const db = createDb(config.database);
  if (options.migrate ?? true) await migrateLatest(db);

  const redis = config.redis ? new Redis(config.redis.url, { maxRetriesPerRequest: 2, enableOfflineQueue: false, lazyConnect: false }) : undefined;
  redis?.on('error', (err) => log.warn({ err: err.message }, 'redis error'));
  const cache = redis ? createRedisCache(redis, config.redis!.prefix, log) : createMemoryCache();
  const commands = createCommandBus({ db, cache, log });
  const services: HubServices = { config, db, cache, commands, log, redis };

  const app = express();
  app.disable('x-powered-by');
  if (config.trustProxy !== undefined) app.set('trust proxy', config.trustProxy);
  app.use(
    helmet({
      contentSecurityPolicy: {
        directives: {
          'img-src': ["'self'", 'data:', 'https://cdn.discordapp.com', 'https://cdn.cloudflare.steamstatic.com', 'https://avatars.steamstatic.com'],
          'upgrade-insecure-requests': config.publicUrl.startsWith('https://') ? [] : null,
        },
      },
    }),
  );
  app.use(express.json({ limit: '1mb' }));
  app.use(express.urlencoded({ extended: false, limit: '16kb' }));

  const session = createSessionMiddleware(services);
  const passport = createPassport(services);
  app.use(session.middleware);
  app.use(passport.initialize());
  app.use(passport.session());
  app.use(createRateLimits(services)); // after the session (limits per user), before CSRF (rejected attempts count)
  app.use(csrf.csrfSynchronisedProtection);

  mountRoutes(app, services, passport);

  app.use(['/api', '/auth'], apiNotFound);
  serveClient(app, config);
  app.use(errorHandler(log));

  const server = http.createServer(app);
  const realtime = await createRealtime(services, { server, session: session.middleware, passport });
  return {
    services,
    app,
    server,
    realtime,
    listen: () =>
      new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(config.port, config.host, () => {
          const address = server.address();
          resolve(typeof address === 'object' && address ? address.port : config.port);
        });
      }),
    async close() {
      // Graceful: stop accepting (readyz says draining), let commands in flight commit and
      // broadcast, then tell socket clients to reconnect elsewhere and close everything.
      realtime.beginDrain();
      const stopped = new Promise<void>((resolve) => (server.listening ? server.close(() => resolve()) : resolve()));
      server.closeIdleConnections?.();
      if (!(await commands.idle(config.realtime.shutdownGraceMs))) log.warn('shutting down with commands still running');
      await realtime.close();
      server.closeAllConnections?.();
      await stopped;
      await cache.close();
      redis?.disconnect();
      await db.destroy();
    },
  };
}

/** The built Svelte client, with an SPA fallback for its routes. */
function serveClient(app: express.Express, config: Config) {
  const dist = path.resolve(config.clientDist);
  const index = path.join(dist, 'index.html');
  app.use(express.static(dist, { index: false, maxAge: '1h' }));
  app.get('/{*splat}', function spaFallback(_req, res) {
    if (fs.existsSync(index)) res.sendFile(index, { maxAge: 0 });
    else res.status(503).type('text').send('The client is not built: run `npm run build` (npm start does it for you).');
  });
}
