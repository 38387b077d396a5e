import type { MmrCheck } from '../../shared/schemas/signups';
import { steamAccountId } from '../../shared/steamid';
import { notFound } from '../commands/errors';
import type { HubServices } from '../services';
import { personWaiting } from '../steam/steam.service';
import { UpstreamError } from '../steam/upstream';
import { medalName } from './signups.rules';

/**
 * What OpenDota says about a sign-up's Steam account, for staff beside the declared MMR. A read
 * of its own (a sign-up never waits for it), through the hub's OpenDota client: its rate limiter
 * and its cache (a few minutes per account), and its last good answer when OpenDota fails.
 */
export async function mmrCheck(hub: HubServices, tournamentId: number, userId: number): Promise<MmrCheck> {
  const row = (await hub.db('signups').where({ tournamentId, userId }).first('steamId')) as { steamId: string | null } | undefined;
  if (!row) throw notFound(`sign-up of user ${userId} to tournament ${tournamentId}`);
  const at = () => new Date(hub.clock.now()).toISOString();
  if (!row.steamId) return { available: false, reason: 'no_steam', message: 'this sign-up has no Steam account', fetchedAt: at() };
  const accountId = steamAccountId(row.steamId);
  const od = hub.steam.openDota;
  const deadline = personWaiting(hub);
  try {
    const rank = await od.rank(accountId, { deadline });
    if (!rank.data.known) {
      return {
        available: false,
        reason: 'unknown_account',
        message: 'OpenDota has no public profile for this account (private or never played)',
        fetchedAt: rank.fetchedAt,
      };
    }
    const [wl, recent] = await Promise.all([od.winLoss(accountId, { deadline }), od.recentMatches(accountId, { deadline })]);
    const { wins, losses } = wl.data;
    const last = recent.data.reduce<string | null>((latest, m) => (latest === null || m.startTime > latest ? m.startTime : latest), null);
    return {
      available: true,
      accountId,
      personaName: rank.data.personaName,
      rankTier: rank.data.rankTier,
      medal: medalName(rank.data.rankTier),
      leaderboardRank: rank.data.leaderboardRank,
      gamesPlayed: wins === null || losses === null ? null : wins + losses,
      wins,
      losses,
      lastMatchAt: last,
      // The oldest of the answers it is made of.
      fetchedAt: [rank.fetchedAt, wl.fetchedAt, recent.fetchedAt].sort()[0]!,
    };
  } catch (err) {
    if (!(err instanceof UpstreamError)) throw err;
    return { available: false, reason: 'upstream', message: `${err.message}; try again later`, fetchedAt: at() };
  }
}
