import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { type ReadCache, sharedLoads } from './read-cache';

const TTL_SECONDS = 60;

/**
 * The tag-versioned cache of read-cache.ts, shared by every process through Redis.
 *
 * Redis outages: while Redis is unreachable, reads go to the database. An invalidation that
 * could not reach Redis leaves entries that may be stale, so every entry key also carries a
 * cache generation: after an outage this process bumps the generation before it serves from
 * the cache again, which makes every entry written before the outage unreachable.
 */
/**
 * Reads the generation and the tags' versions, names the entry after them and reads it, in one
 * round trip.
 * KEYS: the generation, then each tag; ARGV: the entry prefix, the key, then each tag's name.
 */
const LOOKUP = `
local parts = {}
for i = 2, #KEYS do parts[#parts + 1] = ARGV[i + 1] .. '@' .. (redis.call('GET', KEYS[i]) or '0') end
local entry = ARGV[1] .. (redis.call('GET', KEYS[1]) or '0') .. ':' .. ARGV[2] .. '|' .. table.concat(parts, ',')
return {entry, redis.call('GET', entry)}`;

type Lookup = (numKeys: number, ...keysThenArgs: string[]) => Promise<[string, string | null]>;

/**
 * `inOrder`: the connection invalidations go out on (default: `redis`). The hub gives the one
 * its broadcasts are published on, so that Redis bumps an event's tags before it publishes
 * the event (command.ts).
 */
export function createRedisCache(redis: Redis, prefix: string, log: Logger, inOrder: Redis = redis): ReadCache {
  // ioredis sends it by SHA once Redis knows it (EVALSHA, falling back to EVAL).
  redis.defineCommand('dtxCacheLookup', { lua: LOOKUP });
  // defineCommand adds the method at run time; ioredis's types cannot know it.
  // eslint-disable-next-line no-restricted-syntax
  const lookupCommand = (redis as unknown as { dtxCacheLookup: Lookup }).dtxCacheLookup.bind(redis);
  const lookup = (generation: string, tagNames: string[], entryPrefix: string, key: string) =>
    lookupCommand(1 + tagNames.length, generation, ...tagNames.map(tagKey), entryPrefix, key, ...tagNames);
  let hits = 0;
  let misses = 0;
  const shared = sharedLoads();
  /** Set when this process may have missed an invalidation; cleared once the generation is bumped. */
  let mustBumpGeneration = false;
  let bumping: Promise<void> | undefined;
  const tagKey = (tag: string) => `${prefix}cache:tag:${tag}`;
  const generationKey = `${prefix}cache:generation`;

  redis.on('error', () => {
    mustBumpGeneration = true;
  });
  const bumpGeneration = () =>
    (bumping ??= redis
      .incr(generationKey)
      .then(() => {
        mustBumpGeneration = false;
        log.info('redis cache is back: generation bumped, entries from before the outage dropped');
      })
      .catch(() => undefined)
      .finally(() => {
        bumping = undefined;
      }));

  // Bump as soon as Redis answers again, not only at the next read of this process.
  redis.on('ready', () => {
    if (mustBumpGeneration) void bumpGeneration();
  });

  const usable = async () => {
    if (redis.status !== 'ready') return false;
    if (mustBumpGeneration) await bumpGeneration();
    return !mustBumpGeneration;
  };

  return {
    async get<T>(key: string, tagNames: string[], load: () => Promise<T>): Promise<T> {
      let entryKey: string;
      try {
        if (!(await usable())) {
          misses++;
          return load();
        }
        let cached: string | null;
        [entryKey, cached] = await lookup(generationKey, tagNames, `${prefix}cache:entry:`, key);
        if (cached !== null) {
          hits++;
          return JSON.parse(cached) as T;
        }
      } catch (err) {
        mustBumpGeneration = true;
        log.warn({ err }, 'redis cache unavailable, reading from the database');
        misses++;
        return load();
      }
      misses++;
      return shared(entryKey, async () => {
        const value = await load();
        redis.set(entryKey, JSON.stringify(value), 'EX', TTL_SECONDS).catch((err: unknown) => log.warn({ err }, 'redis cache write failed'));
        return value;
      });
    },
    async invalidate(tagNames: string[]) {
      try {
        const pipeline = inOrder.pipeline(); // written at once: see command.ts
        for (const t of tagNames) pipeline.incr(tagKey(t));
        const results = await pipeline.exec();
        const failed = results?.find(([err]) => err);
        if (failed) throw failed[0];
      } catch (err) {
        mustBumpGeneration = true;
        log.error({ err, tags: tagNames }, 'redis cache invalidation failed; the cache generation will be bumped when Redis answers');
      }
    },
    stats: () => ({ hits, misses }),
    async close() {},
  };
}
