import type { LivePlayer } from '../../shared/schemas/steam';
import { steamAccountId } from '../../shared/steamid';
import type { HubServices } from '../services';
import { finishVanishedGames, type ObservedGame, type PollError, publishLiveGame, recordPoll } from '../matches/live.service';
import { importMatch } from '../matches/import.service';
import { LiveGameRow, SteamMatchRow } from '../matches/match.model';
import { createLease, type Lease } from './lease';
import { UpstreamError, type UpstreamFailure } from './upstream';

export interface LivePoller {
  start(): void;
  /** Stops polling; `release: false` leaves the lease to expire, as a dead process would. */
  stop(options?: { release?: boolean }): Promise<void>;
  isLeader(): boolean;
  /** One lease check and (if leader and due) one poll round; resolves when it is done. */
  runOnce(): Promise<void>;
}

/** 429: limiting us; 503, 5xx or no answer: not answering; the rest: failing. */
const pollErrorKind = (failure: UpstreamFailure): PollError['kind'] => (failure === 'rate_limited' || failure === 'unavailable' ? failure : 'failed');

/** Longest wait between polls while Steam keeps failing. */
const MAX_BACKOFF_MS = 5 * 60_000;
/** Finished games whose result we still try to import. */
const IMPORT_WINDOW_MS = 3 * 3600_000;

/**
 * The live games feed: on the process that holds the lease, polls the watched leagues
 * (STEAM_LEAGUE_IDS and the leagues of tournaments in progress) and OpenDota's live list for
 * the pool's players, publishes each game that changed into its match room through the
 * command path, marks games that ended finished, and imports their results. Failures back
 * off (doubling, up to 5 min) and are recorded for /api/live; the last data stays served.
 */
export function createLivePoller(hub: HubServices, options: { now?: () => number } = {}): LivePoller {
  const now = options.now ?? Date.now;
  const { livePollMs, leaseMs } = hub.config.steam;
  const lease: Lease = createLease(hub.redis, `${hub.config.redis?.prefix ?? ''}steam:live-poller`, leaseMs, now);
  // Check the lease often enough to renew it well before it runs out.
  const tickMs = Math.max(10, Math.min(livePollMs, Math.floor(leaseMs / 3)));
  let leader = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let stopped = true;
  let nextPollAt = 0;
  let failures = 0;

  async function watched(): Promise<{ leagues: number[]; pool: Map<number, number> }> {
    const fromLeagues = await hub
      .db('leagues')
      .join('tournaments', 'tournaments.league_id', 'leagues.id')
      .whereNotNull('leagues.steam_league_id')
      .whereNot('tournaments.state', 'finished')
      .distinct('leagues.steam_league_id as id');
    const leagues = [...new Set([...hub.config.steam.leagueIds, ...fromLeagues.map((r: { id: number }) => Number(r.id))])];
    const users = await hub
      .db('pool_players')
      .join('users', 'users.id', 'pool_players.user_id')
      .join('tournaments', 'tournaments.id', 'pool_players.tournament_id')
      .whereNot('tournaments.state', 'finished')
      .whereNotNull('users.steam_id')
      .distinct('users.id as id', 'users.steam_id as steamId');
    return { leagues, pool: new Map(users.map((u: { id: number; steamId: string }) => [steamAccountId(u.steamId), u.id])) };
  }

  async function pollRound() {
    const { steam, openDota } = hub.steam;
    const { leagues, pool } = await watched();
    const games = new Map<string, ObservedGame>();
    const userOf = (accountId: number | null) => (accountId === null ? null : (pool.get(accountId) ?? null));
    let error: PollError | null = null;
    // Set once Steam refuses (429, 503, no answer): no more Steam calls this round.
    let steamRefused = false;
    let recorded = false;
    /**
     * Keeps the round's first failure. A refusal is recorded at once: the round must not first
     * wait out the back-off league after league before /api/live says so (ST3, ST7).
     */
    const failed = async (service: PollError['service'], failure: UpstreamFailure, message: string) => {
      const kind = pollErrorKind(failure);
      error ??= { service, kind, message };
      if (service === 'Steam' && kind !== 'failed') steamRefused = true;
      if (!recorded && kind !== 'failed') {
        recorded = true;
        await recordPoll(hub, { service, kind, message });
      }
    };
    // Which sources answered this round: only they can say a game has ended.
    const answered = new Set<number>();
    let openDotaAnswered = pool.size === 0;

    for (const leagueId of leagues) {
      // The other leagues wait for the next round, after the back-off.
      if (steamRefused) break;
      try {
        const got = await steam.liveLeagueGames(leagueId);
        // A stale answer is the service failing: keep what was published, do not finish anything.
        if (got.stale) {
          await failed('Steam', got.stale.failure, got.stale.reason);
          continue;
        }
        answered.add(leagueId);
        for (const g of got.data) {
          games.set(g.matchId, {
            matchId: g.matchId,
            leagueId: g.leagueId,
            lobbyId: g.lobbyId,
            radiantName: g.radiantName,
            direName: g.direName,
            gameTimeSeconds: g.gameTime,
            radiantScore: g.radiantScore,
            direScore: g.direScore,
            towers: g.towers,
            barracks: g.barracks,
            players: g.players.map((p): LivePlayer => ({ ...p, userId: userOf(p.accountId) })),
          });
        }
      } catch (err) {
        if (!(err instanceof UpstreamError)) throw err;
        await failed('Steam', err.failure, err.message);
      }
    }
    if (pool.size > 0) {
      try {
        const got = await openDota.live();
        if (got.stale) throw new UpstreamError('OpenDota', got.stale.failure, null, got.stale.reason);
        openDotaAnswered = true;
        for (const g of got.data) {
          if (games.has(g.matchId) || !g.players.some((p) => p.accountId !== null && pool.has(p.accountId))) continue;
          games.set(g.matchId, {
            matchId: g.matchId,
            leagueId: g.leagueId,
            lobbyId: g.lobbyId,
            radiantName: g.radiantName ?? 'Radiant',
            direName: g.direName ?? 'Dire',
            gameTimeSeconds: g.gameTime,
            radiantScore: g.radiantScore,
            direScore: g.direScore,
            goldLead: g.radiantLead,
            towers: { radiant: 0, dire: 0 },
            barracks: { radiant: 0, dire: 0 },
            players: g.players.map((p) => ({
              accountId: p.accountId,
              name: p.name,
              userId: userOf(p.accountId),
              side: p.side,
              heroId: p.heroId,
              kills: 0,
              deaths: 0,
              assists: 0,
              netWorth: 0,
              lastHits: 0,
              gpm: 0,
              xpm: 0,
              level: 0,
            })),
          });
        }
      } catch (err) {
        if (!(err instanceof UpstreamError)) throw err;
        await failed('OpenDota', err.failure, err.message);
      }
    }

    for (const game of games.values()) await publishLiveGame(hub, game);
    // Only when every source answered can a missing game be told apart from a failed call.
    // A league's games are judged by that league's answer; other games by OpenDota's live list.
    const watchedLeagues = new Set(leagues);
    await finishVanishedGames(hub, new Set(games.keys()), (leagueId) =>
      leagueId !== null && watchedLeagues.has(leagueId) ? answered.has(leagueId) : openDotaAnswered,
    );
    // Always run (not `??=`): finished games are imported whatever else failed this round.
    const importError = await importFinished(steamRefused);
    error ??= importError;
    await recordPoll(hub, error);
    if (error) {
      failures++;
      const limiterWait = await hub.steam.limiter.waitFor('steam');
      nextPollAt = now() + Math.max(limiterWait, Math.min(MAX_BACKOFF_MS, livePollMs * 2 ** failures));
      hub.log.warn({ err: error.message, failures }, 'live poller: backing off');
    } else {
      failures = 0;
      nextPollAt = now() + livePollMs;
    }
  }

  /**
   * Results of games that ended: from OpenDota (GetMatchDetails is broken), else for league
   * games from GetMatchHistoryBySequenceNum (the league's history gives the sequence number),
   * unless Steam refused this round. A result not out yet is tried again next round.
   */
  async function importFinished(steamRefused: boolean): Promise<PollError | null> {
    const since = new Date(now() - IMPORT_WINDOW_MS).toISOString();
    const ended = await LiveGameRow.query(hub.db)
      .where({ status: 'finished' })
      .where('finishedAt', '>=', since)
      .whereNotIn('matchId', SteamMatchRow.query(hub.db).select('matchId'));
    const { openDota, steam } = hub.steam;
    let error: PollError | null = null;
    const failure = (service: PollError['service'], err: UpstreamError): PollError => ({ service, kind: pollErrorKind(err.failure), message: err.message });
    for (const game of ended.slice(0, 3)) {
      try {
        await importMatch(hub, (await openDota.match(game.matchId)).data, 'opendota');
        continue;
      } catch (err) {
        if (!(err instanceof UpstreamError)) throw err;
        if (err.failure !== 'not_found') error ??= failure('OpenDota', err);
        if (!game.leagueId || steamRefused) continue;
      }
      try {
        const history = await steam.matchHistory({ leagueId: game.leagueId, count: 25 });
        const seq = history.data.matches.find((m) => m.matchId === game.matchId)?.matchSeqNum;
        const match = seq ? (await steam.matchesBySequence(seq, 1)).data.find((m) => m.matchId === game.matchId) : undefined;
        if (match) {
          await importMatch(hub, match, 'steam');
          error = null; // the fallback answered: nothing is missing
        }
      } catch (err) {
        if (!(err instanceof UpstreamError)) throw err;
        error ??= failure('Steam', err);
      }
    }
    return error;
  }

  let round: Promise<void> | undefined;

  async function pollSafely() {
    try {
      await pollRound();
    } catch (err) {
      // A bug or the database: log, back off, keep the process and the poller alive.
      hub.log.error({ err }, 'live poller round failed');
      nextPollAt = now() + livePollMs;
    }
  }

  /**
   * Renews (or tries to take) the lease, then starts a poll round if one is due. The round is
   * not awaited here, so a slow round never delays the renewal and loses the lease.
   */
  async function tick(): Promise<void> {
    leader = await lease.hold();
    if (!leader || round || now() < nextPollAt) return;
    round = pollSafely().finally(() => {
      round = undefined;
    });
  }

  async function runOnce() {
    await tick();
    await round;
  }

  function schedule() {
    if (stopped) return;
    timer = setTimeout(() => {
      running = tick().finally(() => {
        running = undefined;
        schedule();
      });
    }, tickMs);
    timer.unref?.();
  }

  return {
    start() {
      if (!stopped || !hub.config.steam.apiKey) return; // ST7: no key, no poller; /api/live says why
      stopped = false;
      running = tick().finally(() => {
        running = undefined;
        schedule();
      });
    },
    async stop(opts = {}) {
      if (stopped) return;
      stopped = true;
      clearTimeout(timer);
      await running;
      await round;
      if (opts.release ?? true) await lease.release();
      leader = false;
    },
    isLeader: () => leader,
    runOnce,
  };
}
