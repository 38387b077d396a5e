/**
 * Read-through cache for GET responses, invalidated by tags.
 *
 * Each tag has a version; an entry is stored under its key plus the versions of its tags at
 * the time it was read. Invalidating a tag bumps its version, so every entry read before the
 * change becomes unreachable at once, and a slow reader that loaded old rows can only store
 * them under the old versions, which nobody asks for again. No stale read, no delete races.
 */
export interface ReadCache {
  get<T>(key: string, tags: string[], load: () => Promise<T>): Promise<T>;
  invalidate(tags: string[]): Promise<void>;
  stats(): { hits: number; misses: number };
  close(): Promise<void>;
}

/** Tags, named in one place: a command touches them, a read declares them. */
export const tags = {
  tournament: (id: number) => `tournament:${id}`,
  tournamentList: () => 'tournaments',
  user: (id: number) => `user:${id}`,
  userList: () => 'users',
  leagues: () => 'leagues',
  /** Bracket stages, series and standings of a tournament. */
  bracket: (tournamentId: number) => `bracket:${tournamentId}`,
} as const;

/**
 * Concurrent misses of one entry share one load: after an event, every open page may ask for
 * the same read at once, and without this each of them would run its queries. Keyed by the
 * versioned entry key, so a reader after an invalidation never joins a load from before it.
 * Callers get the same object, as cache hits already do: loaded values are never mutated.
 */
export function sharedLoads() {
  const inFlight = new Map<string, Promise<unknown>>();
  return <T>(entryKey: string, load: () => Promise<T>): Promise<T> => {
    let pending = inFlight.get(entryKey) as Promise<T> | undefined;
    if (!pending) {
      pending = load().finally(() => inFlight.delete(entryKey));
      inFlight.set(entryKey, pending);
    }
    return pending;
  };
}

const TTL_MS = 60_000;
const MAX_ENTRIES = 5_000;

export function createMemoryCache(): ReadCache {
  const versions = new Map<string, number>();
  const entries = new Map<string, { value: unknown; expires: number }>();
  let hits = 0;
  let misses = 0;
  const shared = sharedLoads();
  const versionKey = (key: string, tagNames: string[]) => `${key}|${tagNames.map((t) => `${t}@${versions.get(t) ?? 0}`).join(',')}`;

  return {
    async get<T>(key: string, tagNames: string[], load: () => Promise<T>): Promise<T> {
      const k = versionKey(key, tagNames);
      const hit = entries.get(k);
      if (hit && hit.expires > Date.now()) {
        hits++;
        return hit.value as T;
      }
      misses++;
      return shared(k, async () => {
        const value = await load();
        if (entries.size >= MAX_ENTRIES) entries.delete(entries.keys().next().value!);
        entries.set(k, { value, expires: Date.now() + TTL_MS });
        return value;
      });
    },
    async invalidate(tagNames: string[]) {
      for (const t of tagNames) versions.set(t, (versions.get(t) ?? 0) + 1);
    },
    stats: () => ({ hits, misses }),
    async close() {
      entries.clear();
    },
  };
}
