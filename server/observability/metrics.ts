import client from 'prom-client';
import type { ReadCache } from '../cache/read-cache';

/**
 * The hub's Prometheus series, on a registry of its own (several hubs share a test process).
 * Gauges that describe the present (connections, rooms, health) are read when scraped.
 */
export interface HubMetrics {
  registry: client.Registry;
  /** Every command through the bus, by name (route pattern or socket command) and outcome. */
  commands: client.Counter<'command' | 'outcome'>;
  commandSeconds: client.Histogram<'command'>;
  /** For the Steam/OpenDota client: one inc per call (api: steam | opendota, outcome: ok | error | 429 | 503…). */
  steamCalls: client.Counter<'api' | 'outcome'>;
  /** Seconds spent waiting for the Steam/OpenDota rate limit (inc by the wait). */
  steamRateLimitWaitSeconds: client.Counter<'api'>;
  /** Socket.IO's figures, read at scrape time (set once realtime is attached). */
  watchRealtime(read: () => { connections: number; rooms: number; fanoutUp: boolean }): void;
  /** Database and Redis health, checked at scrape time. */
  watchHealth(checks: { database: () => Promise<boolean>; redis?: () => boolean }): void;
  /** The read cache, whose own hit and miss counts are exposed. */
  watchCache(cache: ReadCache): void;
  /** The text /metrics answers. */
  render(): Promise<string>;
}

/** A short timeout so a hung database makes a scrape say 0, not hang. */
const within = <T>(p: Promise<T>, ms: number, fallback: T) => Promise.race([p, new Promise<T>((resolve) => setTimeout(() => resolve(fallback), ms).unref())]);

export function createMetrics(): HubMetrics {
  const registry = new client.Registry();
  client.collectDefaultMetrics({ register: registry }); // CPU, memory, event-loop lag, GC
  const registers = [registry];

  let realtime: (() => { connections: number; rooms: number; fanoutUp: boolean }) | undefined;
  let health: { database: () => Promise<boolean>; redis?: () => boolean } | undefined;

  new client.Gauge({
    name: 'dtx_socket_connections',
    help: 'Socket.IO connections open on this process',
    registers,
    collect() {
      this.set(realtime?.().connections ?? 0);
    },
  });
  new client.Gauge({
    name: 'dtx_rooms',
    help: 'Rooms with at least one member on this process',
    registers,
    collect() {
      this.set(realtime?.().rooms ?? 0);
    },
  });
  new client.Gauge({
    name: 'dtx_fanout_up',
    help: '1 when events from other processes arrive (Redis adapter up, or no Redis configured)',
    registers,
    collect() {
      this.set(realtime && realtime().fanoutUp ? 1 : 0);
    },
  });
  new client.Gauge({
    name: 'dtx_database_up',
    help: '1 when the database answers select 1',
    registers,
    async collect() {
      this.set((await within(health?.database() ?? Promise.resolve(false), 1000, false)) ? 1 : 0);
    },
  });
  new client.Gauge({
    name: 'dtx_redis_up',
    help: '1 when Redis is connected; -1 when no Redis is configured',
    registers,
    collect() {
      this.set(health?.redis ? (health.redis() ? 1 : 0) : -1);
    },
  });
  let cache: ReadCache | undefined;
  new client.Gauge({
    name: 'dtx_cache_hits',
    help: 'Read-cache lookups answered from the cache since start',
    registers,
    collect() {
      this.set(cache?.stats().hits ?? 0);
    },
  });
  new client.Gauge({
    name: 'dtx_cache_misses',
    help: 'Read-cache lookups that loaded from the database since start',
    registers,
    collect() {
      this.set(cache?.stats().misses ?? 0);
    },
  });
  new client.Gauge({
    name: 'dtx_cache_hit_ratio',
    help: 'Hits / lookups since start (0 before the first lookup)',
    registers,
    collect() {
      const { hits, misses } = cache?.stats() ?? { hits: 0, misses: 0 };
      this.set(hits + misses === 0 ? 0 : hits / (hits + misses));
    },
  });

  return {
    registry,
    commands: new client.Counter({
      name: 'dtx_commands_total',
      help: 'Commands run, by name and outcome (ok | rejected | error)',
      labelNames: ['command', 'outcome'],
      registers,
    }),
    commandSeconds: new client.Histogram({
      name: 'dtx_command_duration_seconds',
      help: 'Command latency: transaction, cache invalidation and hand-off to the broadcast',
      labelNames: ['command'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers,
    }),
    steamCalls: new client.Counter({
      name: 'dtx_steam_calls_total',
      help: 'Calls to Steam and OpenDota, by api and outcome',
      labelNames: ['api', 'outcome'],
      registers,
    }),
    steamRateLimitWaitSeconds: new client.Counter({
      name: 'dtx_steam_rate_limit_wait_seconds_total',
      help: 'Time spent waiting for the Steam/OpenDota rate limit',
      labelNames: ['api'],
      registers,
    }),
    watchRealtime(read) {
      realtime = read;
    },
    watchHealth(checks) {
      health = checks;
    },
    watchCache(readCache) {
      cache = readCache;
    },
    render: () => registry.metrics(),
  };
}
