import type { Logger } from 'pino';
import type { Redis } from 'ioredis';
import type { Config } from './config';
import type { Db } from './db/knex';
import type { ReadCache } from './cache/read-cache';
import type { CommandBus } from './commands/command';
import type { HubMetrics } from './observability/metrics';
import type { Clock } from './deadlines/clock';
import type { DeadlineScheduler } from './deadlines/deadlines';
import type { RandomSource as DraftDice } from './draft/draft.rules';
import type { RandomSource as HeroDraftRandom } from './herodraft/herodraft.rules';
import type { SteamContext } from './steam/steam.service';
import type { PresenceTracker } from './realtime/presence';
import type { NewestReadings } from './realtime/newest-readings';

/** Every random choice the hub makes (d6 tie rolls, the coin toss, a timed-out pick): crypto, or scripted in tests. */
export interface HubRandom extends DraftDice, HeroDraftRandom {}

/**
 * What features are given: built once per hub by createHub, every dependency a field, never
 * reassigned afterwards and never imported as globals.
 */
export interface HubServices {
  readonly config: Config;
  readonly db: Db;
  readonly cache: ReadCache;
  readonly commands: CommandBus;
  readonly log: Logger;
  readonly redis: Redis | undefined;
  /**
   * A second connection to the same Redis, without auto-pipelining (which holds a command until
   * the end of the turn): a command's cache invalidation and its broadcast's PUBLISH go out at
   * once, and in that order, so Redis has forgotten the reads an event makes stale before any
   * other process hears of the event; then the charge of its per-user limit
   * (server/redis/connections.ts).
   */
  readonly redisInOrder: Redis | undefined;
  /** Prometheus series (/metrics): commands, realtime, cache, health, Steam calls. */
  readonly metrics?: HubMetrics;
  /** The hub's time: real in production, driven by hand in tests (deadlines, answers' serverTime). */
  readonly clock: Clock;
  readonly random: HubRandom;
  /** Pending deadlines (pick and step timers, a captain's grace): kept in the database, fired as commands. */
  readonly deadlines: DeadlineScheduler;
  /** The Steam and OpenDota clients, sharing one rate limiter (in Redis when the hub has Redis). */
  readonly steam: SteamContext;
  /**
   * Who is in each room, across processes (Redis) or in this one; the realtime layer feeds it
   * and broadcasts its changes, the hero draft judges a captain's absence by it.
   */
  readonly presence: PresenceTracker;
  /** Presence readings a room's rules act on (a hero draft's captains), taken in one at a time, newest first. */
  readonly presenceReadings: NewestReadings<{ userId: number; connected: boolean }[]>;
}
