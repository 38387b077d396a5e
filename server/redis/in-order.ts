import type { Redis } from 'ioredis';

/** How long a command waits for Redis on the in-order connection before going on without it. */
export const IN_ORDER_TIMEOUT_MS = 1000;

/**
 * The hub's second connection to Redis (services.redisInOrder): what a command sends and waits
 * for, in order. Without auto-pipelining, so each command leaves at once; without an offline
 * queue, so nothing waits for a Redis that is down; and with a timeout, because a connection can
 * look up while nothing answers (a peer gone without closing it, or commands in flight when it
 * dropped, which ioredis would send again once it is back): the command's answer waits for its
 * cache invalidation, so the invalidation counts as failed after IN_ORDER_TIMEOUT_MS (the cache
 * then starts a new generation when Redis answers again) and the command goes on.
 */
export function createInOrderConnection(redis: Redis): Redis {
  const inOrder = redis.duplicate({ enableAutoPipelining: false, enableOfflineQueue: false, maxRetriesPerRequest: 1, commandTimeout: IN_ORDER_TIMEOUT_MS });
  inOrder.on('error', () => {}); // reported by the main client and the fan-out
  return inOrder;
}
