import { Redis } from 'ioredis';
import type { Logger } from 'pino';

/**
 * How long anything waits for one Redis command before going on without it. A connection can
 * look up while nothing answers (a peer gone without closing it, or commands in flight when it
 * dropped, which ioredis sends again once it is back); what waits on Redis (a read through the
 * cache, a session, a command's cache invalidation) then takes the path it takes when Redis is
 * down, instead of waiting for as long as the connection looks up.
 */
export const REDIS_COMMAND_TIMEOUT_MS = 1000;

/** How often a connection that looks up must answer a PING, and how long it has to. */
export const REDIS_PROBE_EVERY_MS = 2000;
export const REDIS_PROBE_DEADLINE_MS = 1500;

/**
 * Drops and reopens a connection that looks up but does not answer a PING in time. Until it is
 * back it does not look up, so everything takes its Redis-down path at once instead of each
 * waiting out its command timeout; TCP itself notices a silent peer only after minutes.
 */
export function reconnectWhenSilent(client: Redis, log: Logger, name: string): void {
  let probing = false;
  const probe = async () => {
    let deadline: NodeJS.Timeout | undefined;
    const late = new Promise<'late'>((resolve) => (deadline = setTimeout(() => resolve('late'), REDIS_PROBE_DEADLINE_MS)));
    const answer = await Promise.race([client.ping().catch((err: Error) => (/timed out/i.test(err.message) ? 'late' : 'failed')), late]);
    clearTimeout(deadline);
    if (answer === 'late' && client.status === 'ready') {
      log.warn({ connection: name }, 'redis did not answer a ping in time: reconnecting');
      client.disconnect(true);
    }
  };
  const timer = setInterval(() => {
    if (probing || client.status !== 'ready') return;
    probing = true;
    void probe().finally(() => (probing = false));
  }, REDIS_PROBE_EVERY_MS);
  timer.unref();
  client.once('end', () => clearInterval(timer));
}

/**
 * The hub's main connection: reads (cache, sessions, presence) and everything that need not
 * leave at once. Auto-pipelining: what is issued in the same turn goes in one write. No offline
 * queue: while Redis is down, callers fail at once and take their fallback.
 */
export function createMainConnection(url: string, log: Logger): Redis {
  const redis = new Redis(url, {
    maxRetriesPerRequest: 2,
    enableOfflineQueue: false,
    lazyConnect: false,
    enableAutoPipelining: true,
    commandTimeout: REDIS_COMMAND_TIMEOUT_MS,
  });
  reconnectWhenSilent(redis, log, 'main');
  return redis;
}

/**
 * The hub's second connection (services.redisInOrder): what a command sends and waits for, in
 * order (its cache invalidation, its event's PUBLISH, then its limit's charge). Without
 * auto-pipelining, so each leaves at once. A command's answer waits for its invalidation: after
 * REDIS_COMMAND_TIMEOUT_MS the invalidation counts as failed (the cache starts a new generation
 * when Redis answers again) and the command goes on.
 */
export function createInOrderConnection(redis: Redis, log: Logger): Redis {
  const inOrder = redis.duplicate({
    enableAutoPipelining: false,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    commandTimeout: REDIS_COMMAND_TIMEOUT_MS,
  });
  inOrder.on('error', () => {}); // reported by the main client and the fan-out
  reconnectWhenSilent(inOrder, log, 'in order');
  return inOrder;
}
