import { Redis } from 'ioredis';

/**
 * How long anything waits for one Redis command before going on without it. A connection can
 * look up while nothing answers (a peer gone without closing it, or commands in flight when it
 * dropped, which ioredis sends again once it is back); what waits on Redis (a read through the
 * cache, a session, a command's cache invalidation) then takes the path it takes when Redis is
 * down, instead of waiting for as long as the connection looks up.
 */
export const REDIS_COMMAND_TIMEOUT_MS = 1000;

/**
 * The hub's main connection: reads (cache, sessions, presence) and everything that need not
 * leave at once. Auto-pipelining: what is issued in the same turn goes in one write. No offline
 * queue: while Redis is down, callers fail at once and take their fallback.
 */
export function createMainConnection(url: string): Redis {
  return new Redis(url, { maxRetriesPerRequest: 2, enableOfflineQueue: false, lazyConnect: false, enableAutoPipelining: true, commandTimeout: REDIS_COMMAND_TIMEOUT_MS });
}

/**
 * The hub's second connection (services.redisInOrder): what a command sends and waits for, in
 * order (its limit's charge, its cache invalidation, its event's PUBLISH). Without
 * auto-pipelining, so each leaves at once. A command's answer waits for its invalidation: after
 * REDIS_COMMAND_TIMEOUT_MS the invalidation counts as failed (the cache starts a new generation
 * when Redis answers again) and the command goes on.
 */
export function createInOrderConnection(redis: Redis): Redis {
  const inOrder = redis.duplicate({ enableAutoPipelining: false, enableOfflineQueue: false, maxRetriesPerRequest: 1, commandTimeout: REDIS_COMMAND_TIMEOUT_MS });
  inOrder.on('error', () => {}); // reported by the main client and the fan-out
  return inOrder;
}
