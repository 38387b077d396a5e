import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { ReadCache } from './read-cache';

const TTL_SECONDS = 60;

/**
 * The tag-versioned cache of read-cache.ts, shared by every process through Redis. When Redis
 * fails, reads go to the database (never serve what might be stale) and the error is logged.
 */
export function createRedisCache(redis: Redis, prefix: string, log: Logger): ReadCache {
  let hits = 0;
  let misses = 0;
  const tagKey = (tag: string) => `${prefix}cache:tag:${tag}`;

  return {
    async get<T>(key: string, tagNames: string[], load: () => Promise<T>): Promise<T> {
      let entryKey: string;
      try {
        const versions = tagNames.length ? await redis.mget(tagNames.map(tagKey)) : [];
        entryKey = `${prefix}cache:entry:${key}|${tagNames.map((t, i) => `${t}@${versions[i] ?? 0}`).join(',')}`;
        const cached = await redis.get(entryKey);
        if (cached !== null) {
          hits++;
          return JSON.parse(cached) as T;
        }
      } catch (err) {
        log.warn({ err }, 'redis cache unavailable, reading from the database');
        misses++;
        return load();
      }
      misses++;
      const value = await load();
      redis.set(entryKey, JSON.stringify(value), 'EX', TTL_SECONDS).catch((err: unknown) => log.warn({ err }, 'redis cache write failed'));
      return value;
    },
    async invalidate(tagNames: string[]) {
      try {
        const pipeline = redis.pipeline();
        for (const t of tagNames) pipeline.incr(tagKey(t));
        await pipeline.exec();
      } catch (err) {
        // Entries expire within TTL_SECONDS; until then other processes may serve the old value.
        log.error({ err, tags: tagNames }, 'redis cache invalidation failed');
      }
    },
    stats: () => ({ hits, misses }),
    async close() {},
  };
}
