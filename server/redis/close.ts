import type { Redis } from 'ioredis';

/**
 * Closes a Redis connection without failing what is in flight: QUIT is answered after the
 * commands sent before it, so none of them is rejected with "Connection is closed" (ioredis
 * itself sends some without handling their failure, e.g. its resubscription after a
 * reconnect, which would be an unhandled rejection). A connection that is not up, or does
 * not answer within `timeoutMs`, is cut at once.
 */
export async function closeRedis(client: Redis, timeoutMs = 500): Promise<void> {
  if (client.status === 'ready') {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([client.quit().catch(() => undefined), new Promise((resolve) => (timer = setTimeout(resolve, timeoutMs)))]);
    clearTimeout(timer);
  }
  client.disconnect();
}
