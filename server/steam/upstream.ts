import type { Logger } from 'pino';
import { beforeDeadline, type Deadline, remainingMs } from './deadline';
import { parseLossless } from './json';
import type { RateLimiter } from './limiter';

export type UpstreamFailure =
  /** 429: we were told to slow down; the bucket is paused. */
  | 'rate_limited'
  /** 503, 5xx, network error or timeout: the service is down for now. */
  | 'unavailable'
  /** 404 (OpenDota: no such match/player). */
  | 'not_found'
  /** 400/401/403: our request or key is wrong; retrying will not help. */
  | 'rejected'
  /** An answer we cannot read. */
  | 'bad_response';

/** A failed upstream call. The message names the service and path, never the query (the key is in it). */
export class UpstreamError extends Error {
  constructor(
    readonly service: string,
    readonly failure: UpstreamFailure,
    readonly status: number | null,
    message: string,
    /** When a call may be tried again (the rest of a back-off), if known. */
    readonly retryAfterMs?: number,
  ) {
    super(message);
  }
}

/** Why an answer is the last good one: what the failed call said, and how it failed. */
export interface Staleness {
  reason: string;
  failure: UpstreamFailure;
}

/** An answer and when it was fetched; `stale` when the service failed and this is the last good one. */
export interface Fetched<T> {
  data: T;
  fetchedAt: string;
  stale: Staleness | null;
}

export interface UpstreamOptions {
  service: string;
  base: string;
  limiter: RateLimiter;
  bucket: string;
  intervalMs: number;
  backoffMs: number;
  log: Logger;
  /** Query parameters added to every call (the Steam key): never logged, never in errors. */
  secretQuery?: Record<string, string>;
  timeoutMs?: number;
  now?: () => number;
  /** Counts calls by outcome and the time spent waiting for the rate limit (/metrics). */
  observe?: { call(outcome: string): void; waited(seconds: number): void };
}

export interface CallOptions {
  /** Serve a cached answer younger than this (0: always call). */
  ttlMs: number;
  /** Another bucket to pass as well (GetMatchHistoryBySequenceNum's slower one). */
  extraBucket?: { bucket: string; intervalMs: number };
  /**
   * A person is waiting: the call (rate-limit wait, answer, retry) ends by this deadline. A
   * back-off longer than what is left fails at once instead of being waited out.
   */
  deadline?: Deadline;
  /** Caches under this name too: two readings (parses) of one URL must not share an entry. */
  view?: string;
}

const MAX_CACHE = 2_000;

/**
 * A GET client for one JSON service: hub-wide rate limit, back-off on 429 and 503, one retry
 * only for failures a retry can fix (connection errors, 502/504), lossless parsing, and a
 * per-process cache that also serves the last good answer, with its age, when the service fails.
 */
export function createUpstream(options: UpstreamOptions) {
  const now = options.now ?? Date.now;
  const cache = new Map<string, { data: unknown; at: number }>();

  const tooLate = (path: string, deadline: Deadline) =>
    new UpstreamError(options.service, 'unavailable', null, `${options.service} ${path}: no answer within ${deadline.ms} ms`);

  async function once(path: string, query: Record<string, string | number | undefined>, deadline: Deadline | undefined): Promise<unknown> {
    const url = new URL(options.base + path);
    for (const [k, v] of Object.entries(query)) if (v !== undefined) url.searchParams.set(k, String(v));
    for (const [k, v] of Object.entries(options.secretQuery ?? {})) url.searchParams.set(k, v);
    const timeout = AbortSignal.timeout(options.timeoutMs ?? 10_000);
    const signal = deadline ? AbortSignal.any([timeout, deadline.signal]) : timeout;
    let res: Response;
    try {
      res = await fetch(url, { headers: { accept: 'application/json' }, signal });
    } catch (err) {
      if (deadline?.signal.aborted) throw tooLate(path, deadline);
      throw new UpstreamError(options.service, 'unavailable', null, `${options.service} ${path}: no answer (${(err as Error).name})`);
    }
    const text = await res.text().catch(() => '');
    if (deadline?.signal.aborted) throw tooLate(path, deadline);
    if (res.status === 429) {
      const retryAfter = Number(res.headers.get('retry-after'));
      const wait = Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter * 1000 : options.backoffMs;
      await options.limiter.pause(options.bucket, wait);
      throw new UpstreamError(
        options.service,
        'rate_limited',
        429,
        `${options.service} ${path}: rate limited (429), backing off ${Math.round(wait / 1000)} s`,
        wait,
      );
    }
    if (res.status === 503) {
      await options.limiter.pause(options.bucket, options.backoffMs);
      throw new UpstreamError(
        options.service,
        'unavailable',
        503,
        `${options.service} ${path}: service unavailable (503), backing off ${Math.round(options.backoffMs / 1000)} s`,
        options.backoffMs,
      );
    }
    if (res.status === 404) throw new UpstreamError(options.service, 'not_found', 404, `${options.service} ${path}: not found`);
    if (res.status === 400 || res.status === 401 || res.status === 403) {
      throw new UpstreamError(
        options.service,
        'rejected',
        res.status,
        `${options.service} ${path}: request refused (${res.status})${res.status === 403 ? ': check the API key' : ''}`,
      );
    }
    if (res.status >= 500) throw new UpstreamError(options.service, 'unavailable', res.status, `${options.service} ${path}: server error (${res.status})`);
    if (res.status !== 200) throw new UpstreamError(options.service, 'bad_response', res.status, `${options.service} ${path}: unexpected status ${res.status}`);
    try {
      return parseLossless(text);
    } catch {
      throw new UpstreamError(options.service, 'bad_response', 200, `${options.service} ${path}: the answer is not JSON`);
    }
  }

  /** Fails at once when the buckets will not have a slot before the deadline (a back-off after 429/503). */
  async function slotInTime(path: string, extra: CallOptions['extraBucket'], deadline: Deadline) {
    const wait = Math.max(extra ? await options.limiter.waitFor(extra.bucket) : 0, await options.limiter.waitFor(options.bucket));
    // The bound ran out before any call (a stalled process): that is the bound, not a back-off.
    if (remainingMs(deadline) <= 0) throw tooLate(path, deadline);
    if (wait >= remainingMs(deadline)) {
      throw new UpstreamError(options.service, 'rate_limited', null, `${options.service} ${path}: backing off, no call for ${Math.ceil(wait / 1000)} s`, wait);
    }
  }

  async function call(
    path: string,
    query: Record<string, string | number | undefined>,
    extra: CallOptions['extraBucket'],
    deadline: Deadline | undefined,
  ): Promise<unknown> {
    for (let attempt = 1; ; attempt++) {
      const waitStart = performance.now();
      const acquire = async () => {
        if (extra) await options.limiter.acquire(extra.bucket, extra.intervalMs);
        await options.limiter.acquire(options.bucket, options.intervalMs);
      };
      if (deadline) {
        await slotInTime(path, extra, deadline);
        // A slot reserved and then given up only leaves a gap: the rate holds (ST1).
        await beforeDeadline(acquire(), deadline, () => tooLate(path, deadline));
      } else await acquire();
      options.observe?.waited((performance.now() - waitStart) / 1000);
      try {
        const answer = await once(path, query, deadline);
        options.observe?.call('ok');
        return answer;
      } catch (err) {
        options.observe?.call(err instanceof UpstreamError ? (err.status ? String(err.status) : err.failure) : 'error');
        const retryable = err instanceof UpstreamError && err.failure === 'unavailable' && (err.status === null || err.status === 502 || err.status === 504);
        if (!retryable || attempt >= 2 || (deadline && remainingMs(deadline) === 0)) throw err;
        options.log.debug({ service: options.service, path }, 'upstream: retrying once');
      }
    }
  }

  return {
    /**
     * `parse` turns the raw answer into ours (throwing UpstreamError for protocol-level
     * failures); only parsed answers are cached.
     */
    async get<T>(path: string, query: Record<string, string | number | undefined>, call_: CallOptions, parse: (raw: any) => T): Promise<Fetched<T>> {
      const key = `${path}?${new URLSearchParams(
        Object.entries(query)
          .filter(([, v]) => v !== undefined)
          .map(([k, v]) => [k, String(v)] as [string, string]),
      )}${call_.view ? `#${call_.view}` : ''}`;
      const hit = cache.get(key);
      if (hit && call_.ttlMs > 0 && now() - hit.at < call_.ttlMs) return { data: hit.data as T, fetchedAt: new Date(hit.at).toISOString(), stale: null };
      try {
        const data = parse(await call(path, query, call_.extraBucket, call_.deadline));
        if (cache.size >= MAX_CACHE) cache.delete(cache.keys().next().value!);
        cache.delete(key);
        cache.set(key, { data, at: now() });
        return { data, fetchedAt: new Date(now()).toISOString(), stale: null };
      } catch (err) {
        // ST7: the last good answer, with its age, beats an error page when the service is down.
        if (hit && err instanceof UpstreamError && (err.failure === 'unavailable' || err.failure === 'rate_limited')) {
          return { data: hit.data as T, fetchedAt: new Date(hit.at).toISOString(), stale: { reason: err.message, failure: err.failure } };
        }
        throw err;
      }
    },
  };
}

export type Upstream = ReturnType<typeof createUpstream>;
