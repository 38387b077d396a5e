import type { Logger } from 'pino';
import type { Redis } from 'ioredis';
import type { Config } from './config';
import type { Db } from './db/knex';
import type { ReadCache } from './cache/read-cache';
import type { CommandBus } from './commands/command';
import type { HubMetrics } from './observability/metrics';

/** What features are given: built once per hub by createHub, never imported as globals. */
export interface HubServices {
  config: Config;
  db: Db;
  cache: ReadCache;
  commands: CommandBus;
  log: Logger;
  redis: Redis | undefined;
  /**
   * A second connection to the same Redis, without auto-pipelining (which holds a command until
   * the end of the turn): a command's cache invalidation and its broadcast's PUBLISH go out at
   * once, and in that order, so Redis has forgotten the reads an event makes stale before any
   * other process hears of the event; then the charge of its per-user limit
   * (server/redis/connections.ts).
   */
  redisInOrder: Redis | undefined;
  /** Prometheus series (/metrics): commands, realtime, cache, health, Steam calls. */
  metrics?: HubMetrics;
  /** Set once Socket.IO is attached: /readyz reports it (degraded when Redis fan-out is down). */
  realtime?: {
    status(): 'ok' | 'degraded' | 'draining';
    /** Drops the sockets of a login session on every process (logout). */
    endSession(sessionId: string): void;
  };
}
