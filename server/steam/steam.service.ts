import type { Knex } from 'knex';
import { normalizeSteamId, steamAccountId } from '../../shared/steamid';
import type { PlayerLookup, SteamProfile, SteamStatus } from '../../shared/schemas/steam';
import { HubError, notFound } from '../commands/errors';
import type { HubServices } from '../services';
import { User, displayName } from '../users/user.model';
import { readPollState } from '../matches/live.service';
import { createMemoryLimiter, createRedisLimiter, type RateLimiter } from './limiter';
import { createOpenDotaClient, type OpenDotaClient } from './opendota.client';
import { createSteamClient, type SteamClient } from './steam.client';
import { type Deadline, deadlineIn } from './deadline';
import { type Fetched, UpstreamError } from './upstream';

export interface SteamContext {
  steam: SteamClient;
  openDota: OpenDotaClient;
  limiter: RateLimiter;
}

/** The hub's Steam and OpenDota clients, sharing one limiter (Redis-backed when the hub has Redis). Built once by createHub. */
export function createSteamContext(deps: Pick<HubServices, 'config' | 'redis' | 'log' | 'metrics'>): SteamContext {
  const s = deps.config.steam;
  const metrics = deps.metrics;
  const observe = (api: string) =>
    metrics && {
      call: (outcome: string) => metrics.steamCalls.inc({ api, outcome }),
      waited: (seconds: number) => metrics.steamRateLimitWaitSeconds.inc({ api }, seconds),
    };
  const limiter = deps.redis ? createRedisLimiter(deps.redis, deps.config.redis!.prefix, deps.log) : createMemoryLimiter();
  return {
    limiter,
    steam: createSteamClient({
      base: s.apiBase,
      apiKey: s.apiKey,
      limiter,
      rateMs: s.rateMs,
      sequenceRateMs: s.sequenceRateMs,
      backoffMs: s.backoffMs,
      log: deps.log,
      observe: observe('steam') || undefined,
    }),
    openDota: createOpenDotaClient({
      base: s.openDotaBase,
      limiter,
      rateMs: s.openDotaRateMs,
      backoffMs: s.backoffMs,
      log: deps.log,
      observe: observe('opendota') || undefined,
    }),
  };
}

const NO_KEY = 'no STEAM_API_KEY is configured on this hub';

const TROUBLE = { rate_limited: 'is limiting us', unavailable: 'is not answering', failed: 'is failing' } as const;

/** "Steam is limiting us since 14:05 UTC": the server's clock is UTC; the client shows local time. */
function pollTrouble(poll: SteamStatus['poll']): string {
  const what = `${poll.errorService ?? 'Steam'} ${TROUBLE[poll.errorKind ?? 'unavailable']}`;
  return poll.errorSince ? `${what} since ${poll.errorSince.slice(11, 16)} UTC` : what;
}

/** What is on and off, and why (ST7). */
export async function steamStatus(hub: HubServices): Promise<SteamStatus> {
  const key = Boolean(hub.config.steam.apiKey);
  const poll = await readPollState(hub.db);
  const live = !key ? NO_KEY : poll.lastError ? `${pollTrouble(poll)} (${poll.lastError}); showing what was last seen` : null;
  return {
    steamKey: key,
    live: { enabled: key, reason: live },
    import: { enabled: key, reason: key ? null : NO_KEY },
    lookup: { enabled: true, reason: key ? null : 'names and custom URLs need a Steam key; SteamID64s, account ids and /profiles/ URLs work through OpenDota' },
    poll,
  };
}

/**
 * An upstream failure as the hub's answer: 503 with what is wrong (and Retry-After when the
 * back-off's end is known), never a 500. A documented 503: the access log has it as a warning.
 */
export function unavailable(err: unknown): never {
  if (err instanceof UpstreamError) {
    if (err.failure === 'not_found') throw notFound('that match or player at the data source');
    throw new HubError('unavailable', `${err.message}; try again later`, undefined, err.retryAfterMs === undefined ? undefined : Math.ceil(err.retryAfterMs));
  }
  throw err;
}

/** The time a person's request may wait on Steam and OpenDota, from now (STEAM_REQUEST_TIMEOUT_MS). */
export const personWaiting = (hub: HubServices): Deadline => deadlineIn(hub.config.steam.requestTimeoutMs);

const VANITY_URL = /^(?:https?:\/\/)?(?:www\.)?steamcommunity\.com\/id\/([A-Za-z0-9_-]{2,32})\/?$/i;

/** A name, /id/ URL, /profiles/ URL, SteamID64 or account id to a SteamID64 (ST3: unknown names are a 404, not an error page). */
export async function resolveSteamId(hub: HubServices, q: string, deadline: Deadline = personWaiting(hub)): Promise<string> {
  const direct = normalizeSteamId(q);
  if (direct.ok) return direct.steamId64;
  const name = VANITY_URL.exec(q.trim())?.[1] ?? (/^[A-Za-z0-9_-]{2,32}$/.test(q.trim()) ? q.trim() : null);
  if (!name) throw new HubError('invalid_payload', direct.reason, [{ path: ['query', 'q'], message: direct.reason }]);
  const { steam } = hub.steam;
  if (!steam.configured)
    throw new HubError('unavailable', `looking up a Steam name needs a Steam key (${NO_KEY}); enter the SteamID64 or the /profiles/ URL instead`);
  const found = await steam.resolveVanity(name, { deadline }).catch(unavailable);
  if (!found.data) throw notFound(`a Steam account named "${name}"`);
  return found.data;
}

async function linkedUser(db: Knex, steamId64: string) {
  const user = await User.query(db).findOne({ steamId: steamId64 });
  return user ? { id: user.id, displayName: displayName(user) } : null;
}

/**
 * Profile and recent matches of a Steam account: Steam when there is a key, OpenDota otherwise.
 * Every call shares one deadline: the whole lookup answers within STEAM_REQUEST_TIMEOUT_MS.
 */
export async function lookupPlayer(hub: HubServices, q: string, deadline: Deadline = personWaiting(hub)): Promise<PlayerLookup> {
  const steamId64 = await resolveSteamId(hub, q, deadline);
  const accountId = steamAccountId(steamId64);
  const { steam, openDota } = hub.steam;
  const stamps: Fetched<unknown>[] = [];
  let profile: SteamProfile | null = null;
  if (steam.configured) {
    const got = await steam.playerSummaries([steamId64], { deadline }).catch(unavailable);
    stamps.push(got);
    profile = got.data[0] ?? null;
    if (!profile) throw notFound(`Steam account ${steamId64}`);
  } else {
    const got = await openDota.player(accountId, { deadline }).catch(unavailable);
    stamps.push(got);
    if (got.data)
      profile = { steamId64, accountId, personaName: got.data.personaName, profileUrl: got.data.profileUrl, avatarUrl: got.data.avatarUrl, public: true };
  }
  let matchesPrivate = profile ? !profile.public : false;
  if (steam.configured && !matchesPrivate) {
    const history = await steam.matchHistory({ accountId, count: 1 }, { deadline }).catch(unavailable);
    stamps.push(history);
    matchesPrivate = history.data.private;
  }
  let recentMatches: PlayerLookup['recentMatches'] = [];
  if (!matchesPrivate) {
    // Recent games are extra: if OpenDota is down, the profile still answers.
    const recent = await openDota.recentMatches(accountId, { deadline }).catch((err: unknown) => {
      if (err instanceof UpstreamError) return null;
      throw err;
    });
    if (recent) {
      stamps.push(recent);
      recentMatches = recent.data.slice(0, 20);
    }
  }
  const oldest = stamps.map((s) => s.fetchedAt).sort()[0] ?? null;
  const stale = stamps.find((s) => s.stale)?.stale?.reason ?? null;
  return {
    query: q,
    steamId64,
    accountId,
    profile,
    recentMatches,
    matchesPrivate,
    linkedUser: await linkedUser(hub.db, steamId64),
    freshness: { fetchedAt: oldest, stale },
  };
}
