import type { Router } from 'express';
import { api } from '../../shared/api/contract';
import type { ImportResult } from '../../shared/schemas/steam';
import { steamAccountId } from '../../shared/steamid';
import { mount } from '../http/route';
import { rooms } from '../../shared/rooms';
import { roomTag } from '../commands/command';
import { tags } from '../cache/read-cache';
import { HubError } from '../commands/errors';
import type { HubServices } from '../services';
import { requireTournamentStaff } from '../tournaments/access';
import { League } from '../leagues/league.model';
import { updateProfile } from '../users/users.service';
import { requireSiteStaff } from '../auth/actor';
import { linkSteamForUser } from '../steam/steam-link.service';
import { lookupPlayer, personWaiting, resolveSteamId, steamStatus, unavailable } from '../steam/steam.service';
import { UpstreamError } from '../steam/upstream';
import { deadlineIn } from '../steam/deadline';
import type { HistoryMatch, SteamMatch } from '../steam/steam.client';
import { decideLink, importMatch, readLinks, readMatchView } from './import.service';
import { readLiveGames } from './live.service';
import { SteamMatchRow } from './match.model';

export function mountMatchRoutes(router: Router, hub: HubServices) {
  mount(router, hub, api.steamStatus, () => steamStatus(hub));
  mount(router, hub, api.steamLookup, ({ query }) => lookupPlayer(hub, query.q));
  // One deadline for the whole request: finding the account and then its profile.
  mount(router, hub, api.linkMySteam, async ({ actor, body }) => {
    const deadline = personWaiting(hub);
    const steamId64 = await resolveSteamId(hub, body.q, deadline);
    await updateProfile(hub, actor, { steamId: steamId64 }); // the users' own command (AU7, uniqueness)
    return lookupPlayer(hub, steamId64, deadline);
  });
  mount(router, hub, api.linkUserSteam, async ({ actor, params, body }) => {
    requireSiteStaff(actor);
    const deadline = personWaiting(hub);
    const steamId64 = await resolveSteamId(hub, body.q, deadline);
    await linkSteamForUser(hub, actor, params.userId, steamId64);
    return lookupPlayer(hub, steamId64, deadline);
  });
  // Not cached: the age of the data is part of the answer (ST7). The reason and the poll state come
  // from one read, so a poll failing between two reads cannot give an error with no reason.
  mount(router, hub, api.liveGames, async () => {
    const status = await steamStatus(hub);
    return { live: status.live, poll: status.poll, games: await readLiveGames(hub.db) };
  });
  // Every change to a match is an event of its room (roomTag); names come from the users.
  mount(
    router,
    hub,
    api.getMatch,
    async ({ params }) => {
      const view = await readMatchView(hub.db, params.matchId);
      if (!view.live && !view.match) throw new HubError('not_found', `match ${params.matchId} not found: it has not been seen live or imported`);
      return view;
    },
    { cache: ({ params }) => ({ key: `match:${params.matchId}`, tags: [roomTag(rooms.match(Number(params.matchId))), tags.userList()] }) },
  );
  mount(router, hub, api.importMatches, ({ actor, params, body }) => importForTournament(hub, actor, params.tournamentId, body.matchIds));
  mount(router, hub, api.listMatchLinks, async ({ actor, params }) => {
    await requireTournamentStaff(hub.db, actor, params.tournamentId);
    const items = await readLinks(hub.db, { tournamentId: params.tournamentId });
    const order = { suggested: 0, linked: 1, dismissed: 2 } as const;
    return { items: items.sort((a, b) => order[a.state] - order[b.state]) };
  });
  mount(router, hub, api.confirmMatchLink, ({ actor, params }) => decideLink(hub, actor, params.tournamentId, params.linkId, 'confirm'));
  mount(router, hub, api.dismissMatchLink, ({ actor, params }) => decideLink(hub, actor, params.tournamentId, params.linkId, 'dismiss'));
}

/**
 * An import makes many calls at the services' rates (up to 50 matches): each call, not the
 * whole import, is bounded by STEAM_REQUEST_TIMEOUT_MS, plus its turn in the slower
 * GetMatchHistoryBySequenceNum bucket, whose spacing alone is longer by default.
 */
const eachCall = (hub: HubServices) => ({ deadline: personWaiting(hub) });
const eachSequenceCall = (hub: HubServices) => ({ deadline: deadlineIn(hub.config.steam.requestTimeoutMs + hub.config.steam.sequenceRateMs) });

/** Captains' recent matches are enough to find a series' games: every game has both captains. */
const MAX_HISTORIES = 16;

async function importForTournament(
  hub: HubServices,
  actor: Parameters<typeof requireTournamentStaff>[1],
  tournamentId: number,
  matchIds: string[] | undefined,
): Promise<ImportResult> {
  const { tournament } = await requireTournamentStaff(hub.db, actor, tournamentId);
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
