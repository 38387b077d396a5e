import pino, { type Logger } from 'pino';
import { createHub, type Hub } from '../../server/app';
import type { Clock } from '../../server/deadlines/clock';
import type { OutboxTiming } from '../../server/discord/outbox.deliverer';
import type { HubRandom } from '../../server/services';
import { loadConfig } from '../../server/config';
import { createTestDatabase, type DbKind, type TestDatabase } from './databases';
import { HttpClient } from './http';

export interface TestHub {
  url: string;
  port: number;
  hub: Hub;
  database: TestDatabase;
  /** A fresh client with its own cookie jar. */
  client(): HttpClient;
  /** A client logged in through the development login. */
  login(username: string, role?: 'admin' | 'staff' | 'member'): Promise<HttpClient & { userId: number }>;
  close(): Promise<void>;
}

export interface StartOptions {
  db?: DbKind;
  /** Reuse an existing database (several hubs on one database). */
  database?: TestDatabase;
  env?: Record<string, string>;
  /** The hub's logger (to read what it logs); default: silent, or TEST_LOG_LEVEL. */
  logger?: Logger;
  /** The hub's clock (a ManualClock to drive deadlines by hand); default: the system clock. */
  clock?: Clock;
  /** Dice and coin tosses (tests/support/random.ts to script them); default: crypto. */
  random?: HubRandom;
  /** The Discord outbox's timing (fast in tests that watch deliveries). */
  discordOutbox?: OutboxTiming;
}

/** Boots the real hub (real database, real HTTP server on a free port) for one test file. */
export async function startHub(options: StartOptions = {}): Promise<TestHub> {
  const database = options.database ?? (await createTestDatabase(options.db ?? 'sqlite'));
  const config = loadConfig({
    NODE_ENV: 'test',
    HOST: '127.0.0.1',
    PORT: '0',
    LOG_LEVEL: 'silent',
    SESSION_SECRET: 'test-session-secret-that-is-long-enough-0123456789',
    CLIENT_DIST: './dist/client',
    RATE_LIMIT_LOGIN_PER_MINUTE: '10000',
    RATE_LIMIT_MUTATIONS_PER_MINUTE: '100000',
    // The fan-out path of the run (vitest.config.ts runs the realtime and browser tests on both); a test may pin one.
    ...(process.env.RT_FANOUT ? { RT_FANOUT: process.env.RT_FANOUT } : {}),
    ...database.env,
    ...options.env,
  });
  const logger = options.logger ?? pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });
  const hub = await createHub(config, { logger, clock: options.clock, random: options.random, discordOutbox: options.discordOutbox });
  const port = await hub.listen();
  const url = `http://127.0.0.1:${port}`;
  // The port is known only now: make the hub's public URL (OAuth redirect_uri) match it.
  if (!options.env?.PUBLIC_URL) hub.services.config.publicUrl = url;
  return {
    url,
    port,
    hub,
    database,
    client: () => new HttpClient(url),
    async login(username, role = 'member') {
      const client = new HttpClient(url) as HttpClient & { userId: number };
      const user = await client.devLogin(username, role);
      client.userId = user.id;
      return client;
    },
    async close() {
      await hub.close();
      if (!options.database) await database.drop();
    },
  };
}
