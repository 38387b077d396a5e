import type { Knex } from 'knex';
import type { PlayerRecord, PlayerTeam } from '../../shared/schemas/player-record';
import { tags } from '../cache/read-cache';
import { notFound } from '../commands/errors';
import type { HubServices } from '../services';
import { displayName, toPublicUser, User } from './user.model';

interface MembershipRow {
  teamId: number;
  teamName: string;
  captainUserId: number;
  tournamentId: number;
  tournamentName: string;
  tournamentState: PlayerTeam['tournament']['state'];
  pickNumber: number | null;
}

/** The tournaments a user played in and their captains: one indexed query, run on every read to name the cache tags. */
async function tagSourcesOf(db: Knex, userId: number): Promise<{ tournamentId: number; captainUserId: number }[]> {
  return db('team_members as m')
    .join('teams as t', 't.id', 'm.teamId')
    .where('m.userId', userId)
    .orderBy('m.tournamentId')
    .orderBy('m.teamId')
    .select('m.tournamentId', 't.captainUserId');
}

/**
 * A player's public record. Cached under the user's tag, their captains' tags (names) and, for
 * each tournament they played in, the tournament's tag (teams, picks) and its bracket tag (series
 * results), so a reported or corrected result shows at once. Joining a new team changes the rows
 * read before the cache, so the entry's key changes too.
 */
export async function playerRecord(hub: Pick<HubServices, 'db' | 'cache'>, userId: number): Promise<PlayerRecord> {
  const sources = await tagSourcesOf(hub.db, userId);
  const tournamentIds = [...new Set(sources.map((s) => s.tournamentId))];
  const captainIds = [...new Set(sources.map((s) => s.captainUserId))].filter((id) => id !== userId);
  const cacheTags = [tags.user(userId), ...captainIds.map(tags.user), ...tournamentIds.flatMap((id) => [tags.tournament(id), tags.bracket(id)])];
  const key = `users:record:${userId}:${sources.map((s) => `${s.tournamentId}/${s.captainUserId}`).join(',')}`;
  return hub.cache.get(key, cacheTags, () => loadRecord(hub.db, userId));
}

async function loadRecord(db: Knex, userId: number): Promise<PlayerRecord> {
  const user = await User.query(db).findById(userId);
  if (!user) throw notFound('user');

  const memberships: MembershipRow[] = await db('team_members as m')
    .join('teams as t', 't.id', 'm.teamId')
    .join('tournaments as tr', 'tr.id', 'm.tournamentId')
    .where('m.userId', userId)
    .orderBy('tr.startsAt', 'desc')
    .orderBy('tr.id', 'desc')
    .select('m.teamId', 't.name as teamName', 't.captainUserId', 'm.tournamentId', 'tr.name as tournamentName', 'tr.state as tournamentState', 'm.pickNumber');
  const teamIds = memberships.map((m) => m.teamId);

  // Who drafted the player: the pick row names the team; its captain is the one credited.
  const captainIds = [...new Set(memberships.map((m) => m.captainUserId))];
  const captains = captainIds.length ? await User.query(db).findByIds(captainIds) : [];
  const captainName = new Map(captains.map((c) => [c.id, displayName(c)]));

  const series: { teamIdA: number | null; teamIdB: number | null; winner: 'a' | 'b' | 'draw' | null }[] = teamIds.length
    ? await db('bracket_matches')
        .whereNotNull('winner')
        .where((w) => w.whereIn('teamIdA', teamIds).orWhereIn('teamIdB', teamIds))
        .select('teamIdA', 'teamIdB', 'winner')
    : [];

  const teams: PlayerTeam[] = memberships.map((m) => {
    let won = 0;
    let lost = 0;
    for (const s of series) {
      const side = s.teamIdA === m.teamId ? 'a' : s.teamIdB === m.teamId ? 'b' : null;
      if (!side || s.winner === 'draw' || s.winner === null) continue;
      if (s.winner === side) won++;
      else lost++;
    }
    const captain = m.captainUserId === userId;
    return {
      tournament: { id: m.tournamentId, name: m.tournamentName, state: m.tournamentState },
      team: { id: m.teamId, name: m.teamName },
      captain,
      drafted:
        captain || m.pickNumber === null
          ? null
          : { pickNumber: m.pickNumber, byCaptain: { id: m.captainUserId, displayName: captainName.get(m.captainUserId) ?? '' } },
      series: { won, lost },
    };
  });

  return {
    user: toPublicUser(user),
    teams,
    series: { won: teams.reduce((n, t) => n + t.series.won, 0), lost: teams.reduce((n, t) => n + t.series.lost, 0) },
  };
}
