import type { ImportResult } from '../../shared/schemas/steam';
import { steamAccountId } from '../../shared/steamid';
import { HubError } from '../commands/errors';
import { League } from '../leagues/league.model';
import type { HubServices } from '../services';
import type { HistoryMatch, SteamMatch } from '../steam/steam.client';
import { personWaiting, unavailable } from '../steam/steam.service';
import { deadlineIn } from '../steam/deadline';
import { UpstreamError } from '../steam/upstream';
import { findTournament } from '../tournaments/access';
import { importMatch } from './import.service';
import { SteamMatchRow } from './match.model';

/**
 * An import makes many calls at the services' rates (up to 50 matches): each call, not the
 * whole import, is bounded by STEAM_REQUEST_TIMEOUT_MS, plus its turn in the slower
 * GetMatchHistoryBySequenceNum bucket, whose spacing alone is longer by default.
 */
const eachCall = (hub: HubServices) => ({ deadline: personWaiting(hub) });
const eachSequenceCall = (hub: HubServices) => ({ deadline: deadlineIn(hub.config.steam.requestTimeoutMs + hub.config.steam.sequenceRateMs) });

/** Captains' recent matches are enough to find a series' games: every game has both captains. */
const MAX_HISTORIES = 16;

/**
 * Staff import a tournament's games: the ids given, or else what the league and the captains
 * played since a day before it started. Games already known are left unchanged.
 */
export async function importForTournament(hub: HubServices, tournamentId: number, matchIds: string[] | undefined): Promise<ImportResult> {
  const tournament = await findTournament(hub.db, tournamentId);
  const { steam, openDota } = hub.steam;
  if (!steam.configured) throw new HubError('unavailable', 'match import is off: no STEAM_API_KEY is configured on this hub');

  // Sequence numbers from the histories, for the Steam fallback when OpenDota cannot answer.
  const seqOf = new Map<string, string>();
  const remember = (ms: HistoryMatch[]) => ms.forEach((m) => seqOf.set(m.matchId, m.matchSeqNum));
  const result: ImportResult = { imported: [], unchanged: [], linked: 0, suggested: 0, failed: [] };
  const league = tournament.leagueId ? await League.query(hub.db).findById(tournament.leagueId) : undefined;

  let wanted = matchIds;
  if (!wanted) {
    const since = Date.parse(String(tournament.startsAt)) / 1000 - 86_400;
    const found = new Set<string>();
    if (league?.steamLeagueId) {
      const history = await steam.matchHistory({ leagueId: league.steamLeagueId, count: 50 }, eachCall(hub)).catch(unavailable);
      remember(history.data.matches);
      history.data.matches.filter((m) => m.startTime >= since).forEach((m) => found.add(m.matchId));
    }
    const captains = await hub
      .db('teams')
      .where({ tournamentId })
      .join('users', 'users.id', 'teams.captain_user_id')
      .whereNotNull('users.steam_id')
      .limit(MAX_HISTORIES)
      .select<{ steamId: string }[]>('users.steam_id as steamId');
    for (const { steamId } of captains) {
      const history = await steam.matchHistory({ accountId: steamAccountId(steamId), count: 20 }, eachCall(hub)).catch(unavailable);
      remember(history.data.matches);
      history.data.matches.filter((m) => m.startTime >= since).forEach((m) => found.add(m.matchId));
    }
    wanted = [...found];
  }
  const known = new Set((wanted.length ? await SteamMatchRow.query(hub.db).whereIn('matchId', wanted).select('matchId') : []).map((r) => r.matchId));

  for (const matchId of wanted) {
    if (known.has(matchId)) {
      result.unchanged.push(matchId);
      continue;
    }
    let match: SteamMatch | null;
    let source: 'opendota' | 'steam' = 'opendota';
    try {
      match = (await openDota.match(matchId, eachCall(hub))).data;
    } catch (err) {
      if (!(err instanceof UpstreamError)) throw err;
      const seq = seqOf.get(matchId);
      if (!seq) {
        result.failed.push({ matchId, reason: err.message });
        continue;
      }
      try {
        match = (await steam.matchesBySequence(seq, 1, eachSequenceCall(hub))).data.find((m) => m.matchId === matchId) ?? null;
        source = 'steam';
      } catch (err2) {
        if (!(err2 instanceof UpstreamError)) throw err2;
        result.failed.push({ matchId, reason: err2.message });
        continue;
      }
      if (!match) {
        result.failed.push({ matchId, reason: 'Steam does not have this match' });
        continue;
      }
    }
    const done = await importMatch(hub, match, source);
    (done.imported ? result.imported : result.unchanged).push(matchId);
    result.linked += done.linked;
    result.suggested += done.suggested;
  }
  return result;
}
