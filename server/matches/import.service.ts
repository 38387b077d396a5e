import type { Knex } from 'knex';
import { rooms } from '../../shared/rooms';
import { ReportInput } from '../../shared/schemas/brackets';
import type { ImportedMatch, MatchLink, MatchView, PlayerStats } from '../../shared/schemas/steam';
import { steamAccountId } from '../../shared/steamid';
import type { Actor } from '../auth/actor';
import { readBracket } from '../brackets/bracket.queries';
import { reportSeries } from '../brackets/results.service';
import { Series } from '../brackets/bracket.model';
import { tags } from '../cache/read-cache';
import { isoTime } from '../db/base.model';
import { conflict, HubError, notFound } from '../commands/errors';
import { tellStaffSuggestion } from '../discord/notices';
import type { HubServices } from '../services';
import { Team } from '../teams/team.model';
import { Tournament } from '../tournaments/tournament.model';
import { User } from '../users/user.model';
import type { SteamMatch } from '../steam/steam.client';
import { LIVE_TAG, toLiveGame } from './live.service';
import { LiveGameRow, MatchLinkRow, SteamMatchPlayerRow, SteamMatchRow } from './match.model';
import { rosterOverlap, seriesFromGames, SUGGEST_MIN_OVERLAP, winnerBySide } from './links.rules';

/**
 * Who reports a series the hub linked by itself (10/10 rosters): not a person, so no user id
 * (0 is never a user) and the rights of the hub itself.
 */
export const HUB_ACTOR: Actor = { id: 0, role: 'admin' };

const truthy = (v: boolean | number | null) => v === true || v === 1;

export const matchTag = (matchId: string) => `steam-match:${matchId}`;

// ---------------------------------------------------------------- reads

async function steamUsers(db: Knex, accountIds: number[]): Promise<Map<number, { id: number; name: string }>> {
  const ids = accountIds.map((a) => (BigInt(a) + 76561197960265728n).toString());
  const users = ids.length ? await User.query(db).whereIn('steamId', ids) : [];
  return new Map(users.map((u) => [steamAccountId(u.steamId!), { id: u.id, name: u.guildNickname || u.globalName || u.username }]));
}

export async function readImportedMatch(db: Knex, matchId: string): Promise<ImportedMatch | null> {
  const row = await SteamMatchRow.query(db).findById(matchId);
  if (!row) return null;
  const players = await SteamMatchPlayerRow.query(db).where({ matchId }).orderBy('playerSlot');
  const accounts = players.map((p) => (p.accountId === null ? null : Number(p.accountId)));
  const users = await steamUsers(
    db,
    accounts.filter((a): a is number => a !== null),
  );
  return {
    matchId,
    leagueId: row.leagueId,
    startTime: isoTime(row.startTime),
    durationSeconds: row.duration,
    radiantWin: truthy(row.radiantWin),
    source: row.source,
    players: players.map((p, i): PlayerStats => ({
      accountId: accounts[i]!,
      userId: accounts[i] !== null ? (users.get(accounts[i]!)?.id ?? null) : null,
      name: accounts[i] !== null ? (users.get(accounts[i]!)?.name ?? null) : null,
      side: truthy(p.isRadiant) ? 'radiant' : 'dire',
      heroId: p.heroId,
      kills: p.kills,
      deaths: p.deaths,
      assists: p.assists,
      netWorth: p.netWorth,
      totalGold: p.totalGold,
      gpm: p.gpm,
      xpm: p.xpm,
      lastHits: p.lastHits,
      denies: p.denies,
    })),
  };
}

export async function readLinks(db: Knex, where: { matchId?: string; tournamentId?: number; state?: MatchLinkRow['state'] }): Promise<MatchLink[]> {
  const q = MatchLinkRow.query(db).join('steam_matches as m', 'm.match_id', 'match_links.match_id').select('match_links.*', 'm.start_time as matchStart');
  if (where.matchId) q.where('match_links.match_id', where.matchId);
  if (where.tournamentId) q.where('match_links.tournament_id', where.tournamentId);
  if (where.state) q.where('match_links.state', where.state);
  const rows = (await q.orderBy('match_links.overlap', 'desc').orderBy('match_links.id')) as (MatchLinkRow & { matchStart: string | Date })[];
  const teamIds = [...new Set(rows.flatMap((r) => [r.teamA, r.teamB]))];
  const teams = new Map((teamIds.length ? await Team.query(db).whereIn('id', teamIds) : []).map((t) => [t.id, t.name]));
  return rows.map((r) => ({
    id: r.id,
    matchId: r.matchId,
    tournamentId: r.tournamentId,
    seriesId: r.seriesId,
    teamA: { id: r.teamA, name: teams.get(r.teamA) ?? `team ${r.teamA}` },
    teamB: { id: r.teamB, name: teams.get(r.teamB) ?? `team ${r.teamB}` },
    overlap: r.overlap,
    state: r.state,
    radiant: r.radiant,
    winner: r.winner,
    startTime: isoTime(r.matchStart),
  }));
}

/** The match page: live scoreboard, imported stats and bracket links, as of the room's seq. */
export async function readMatchView(db: Knex, matchId: string): Promise<MatchView> {
  const live = await LiveGameRow.query(db).findById(matchId);
  return {
    matchId,
    live: live ? toLiveGame(live) : null,
    match: await readImportedMatch(db, matchId),
    links: (await readLinks(db, { matchId })).filter((l) => l.state !== 'dismissed'),
  };
}

// ---------------------------------------------------------------- import

/**
 * Stores a finished match with its players' stats (ST4: a second import of the same match
 * changes nothing and sends nothing), marks its live game's result, then links it to bracket
 * series. Answers whether it was new.
 */
export async function importMatch(
  hub: HubServices,
  match: SteamMatch,
  source: 'opendota' | 'steam',
): Promise<{ imported: boolean; linked: number; suggested: number }> {
  const imported = await hub.commands.run(null, async (tx) => {
    const room = rooms.match(Number(match.matchId));
    await tx.lock(room);
    if (await SteamMatchRow.query(tx.db).findById(match.matchId)) return false;
    await SteamMatchRow.query(tx.db).insert({
      matchId: match.matchId,
      leagueId: match.leagueId,
      startTime: new Date(match.startTime * 1000).toISOString(),
      duration: match.duration,
      radiantWin: match.radiantWin,
      source,
      importedAt: new Date().toISOString(),
    });
    for (const p of match.players) {
      await SteamMatchPlayerRow.query(tx.db).insert({
        matchId: match.matchId,
        playerSlot: p.playerSlot,
        accountId: p.accountId,
        isRadiant: p.playerSlot < 128,
        heroId: p.heroId,
        kills: p.kills,
        deaths: p.deaths,
        assists: p.assists,
        netWorth: p.netWorth,
        totalGold: p.totalGold,
        gpm: p.gpm,
        xpm: p.xpm,
        lastHits: p.lastHits,
        denies: p.denies,
      });
    }
    const live = await LiveGameRow.query(tx.db).findById(match.matchId);
    if (live) {
      await LiveGameRow.query(tx.db)
        .findById(match.matchId)
        .patch({ status: 'finished', radiantWin: match.radiantWin, finishedAt: live.finishedAt ?? new Date().toISOString() });
      tx.touch(LIVE_TAG);
    }
    tx.touch(matchTag(match.matchId));
    await tx.emit(room, 'match.imported', await readImportedMatch(tx.db, match.matchId));
    return true;
  });
  if (!imported) return { imported: false, linked: 0, suggested: 0 };
  return { imported: true, ...(await linkMatch(hub, match.matchId)) };
}

/** Account ids of each team's players (captain and picks) with a Steam id. */
async function rosters(db: Knex, tournamentId: number): Promise<Map<number, Set<number>>> {
  const rows = await db('team_members')
    .join('users', 'users.id', 'team_members.user_id')
    .where('team_members.tournament_id', tournamentId)
    .whereNotNull('users.steam_id')
    .select<{ teamId: number; steamId: string }[]>('team_members.team_id as teamId', 'users.steam_id as steamId');
  const out = new Map<number, Set<number>>();
  for (const r of rows) {
    if (!out.has(r.teamId)) out.set(r.teamId, new Set());
    out.get(r.teamId)!.add(steamAccountId(r.steamId));
  }
  return out;
}

/**
 * Compares the match's ten players with every series waiting for a result in tournaments
 * being played (ST5). 10/10 links and feeds the bracket; 5–9 becomes a suggestion.
 */
export async function linkMatch(hub: HubServices, matchId: string): Promise<{ linked: number; suggested: number }> {
  const players = await SteamMatchPlayerRow.query(hub.db).where({ matchId });
  const slots = players.map((p) => ({ accountId: p.accountId === null ? null : Number(p.accountId), isRadiant: truthy(p.isRadiant) }));
  const match = (await SteamMatchRow.query(hub.db).findById(matchId))!;
  const tournaments = await Tournament.query(hub.db).whereNot({ state: 'finished' }).select('id');
  let linked = 0;
  let suggested = 0;
  for (const { id: tournamentId } of tournaments) {
    const teams = await rosters(hub.db, tournamentId);
    const bracket = await readBracket(hub.db, tournamentId);
    for (const series of bracket.stages.flatMap((s) => s.matches)) {
      if (series.status !== 'ready' || !series.teamA || !series.teamB) continue;
      const found = rosterOverlap(slots, teams.get(series.teamA.id) ?? new Set(), teams.get(series.teamB.id) ?? new Set());
      if (found.overlap < SUGGEST_MIN_OVERLAP) continue;
      const state = found.exact ? 'linked' : 'suggested';
      const created = await hub.commands.run(null, async (tx) => {
        await tx.lock(rooms.match(Number(matchId)));
        if (await MatchLinkRow.query(tx.db).findOne({ matchId, seriesId: series.id })) return false;
        await MatchLinkRow.query(tx.db).insert({
          matchId,
          tournamentId,
          seriesId: series.id,
          teamA: series.teamA!.id,
          teamB: series.teamB!.id,
          overlap: found.overlap,
          state,
          radiant: found.radiant,
          winner: found.radiant ? winnerBySide(found.radiant, truthy(match.radiantWin)) : null,
          decidedBy: null,
          createdAt: new Date().toISOString(),
        });
        tx.touch(matchTag(matchId), tags.bracket(tournamentId));
        await tx.emit(rooms.match(Number(matchId)), state === 'linked' ? 'match.linked' : 'match.suggested', {
          matchId,
          tournamentId,
          seriesId: series.id,
          overlap: found.overlap,
        });
        if (state === 'suggested') {
          await tellStaffSuggestion(tx, hub.config, {
            tournamentId,
            matchId,
            seriesKey: series.key,
            teamA: series.teamA!.name,
            teamB: series.teamB!.name,
            overlap: found.overlap,
          });
        }
        return true;
      });
      if (!created) continue;
      if (state === 'linked') {
        linked++;
        await feedSeries(hub, HUB_ACTOR, tournamentId, series.id);
      } else suggested++;
    }
  }
  return { linked, suggested };
}

/**
 * Reports a series through the brackets' own command once its linked games decide it:
 * the games in the order they were played, each with its winner and Radiant team.
 */
async function feedSeries(hub: HubServices, actor: Actor, tournamentId: number, seriesId: number): Promise<void> {
  const series = await Series.query(hub.db).findById(seriesId);
  if (!series || series.winner !== null) return;
  const links = (await readLinks(hub.db, { tournamentId, state: 'linked' })).filter((l) => l.seriesId === seriesId && l.winner && l.radiant);
  links.sort((a, b) => a.startTime.localeCompare(b.startTime));
  const winners = links.map((l) => l.winner!);
  if (!seriesFromGames(series.bestOf, winners).decided) return;
  // Games Steam saw played decide the series even if a hero draft of it is still open in the hub (BR9).
  const report = ReportInput.parse({
    games: links.map((l) => ({ winner: l.winner, radiant: l.radiant, steamMatchId: l.matchId })),
    ignoreRunningDrafts: true,
  });
  try {
    await reportSeries(hub, actor, tournamentId, seriesId, report);
  } catch (err) {
    // Staff reported it by hand meanwhile, or the bracket moved on: theirs stands.
    if (err instanceof HubError) hub.log.info({ seriesId, err: err.message }, 'linked games not reported');
    else throw err;
  }
}

/** Staff confirm a suggestion (it becomes a link and may decide the series) or dismiss it. */
export async function decideLink(hub: HubServices, staff: Actor, tournamentId: number, linkId: number, decision: 'confirm' | 'dismiss'): Promise<MatchLink> {
  const link = await MatchLinkRow.query(hub.db).findOne({ id: linkId, tournamentId });
  if (!link) throw notFound(`link ${linkId}`);
  await hub.commands.run(staff, async (tx) => {
    await tx.lock(rooms.match(Number(link.matchId)));
    const row = await MatchLinkRow.query(tx.db).findById(linkId);
    if (!row || row.state !== 'suggested') throw conflict(`this suggestion was already ${row?.state === 'linked' ? 'confirmed' : 'dismissed'}`);
    if (decision === 'confirm' && !row.radiant) throw conflict('the sides cannot be told from the rosters: report this game on the series instead');
    await MatchLinkRow.query(tx.db)
      .findById(linkId)
      .patch({ state: decision === 'confirm' ? 'linked' : 'dismissed', decidedBy: staff.id });
    tx.touch(matchTag(row.matchId), tags.bracket(tournamentId));
    await tx.emit(rooms.match(Number(row.matchId)), decision === 'confirm' ? 'match.linked' : 'match.dismissed', {
      matchId: row.matchId,
      tournamentId,
      seriesId: row.seriesId,
      linkId,
    });
  });
  if (decision === 'confirm') await feedSeries(hub, staff, tournamentId, link.seriesId);
  return (await readLinks(hub.db, { tournamentId })).find((l) => l.id === linkId)!;
}
