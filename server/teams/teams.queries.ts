import type { Knex } from 'knex';
import type { Team as TeamDto } from '../../shared/schemas/tournaments';
import { PoolPlayer } from '../pool/pool-player.model';
import { toPublicUser, User } from '../users/user.model';
import { Team, TeamMember } from './team.model';

/** Teams of a tournament in draft order, each with its captain first and picks in order. */
export async function listTeams(db: Knex, tournamentId: number): Promise<TeamDto[]> {
  const teams = await Team.query(db).where({ tournamentId }).orderBy('draftOrder');
  if (teams.length === 0) return [];
  const members = await TeamMember.query(db).where({ tournamentId });
  const pool = new Map((await PoolPlayer.query(db).where({ tournamentId })).map((p) => [p.userId, p.mmr]));
  const userIds = [...new Set([...teams.map((t) => t.captainUserId), ...members.map((m) => m.userId)])];
  const users = new Map((await User.query(db).findByIds(userIds)).map((u) => [u.id, u]));
  return teams.map((team) => {
    const picks = members
      .filter((m) => m.teamId === team.id && m.userId !== team.captainUserId)
      .sort((a, b) => (a.pickNumber ?? 0) - (b.pickNumber ?? 0));
    const roster = [team.captainUserId, ...picks.map((m) => m.userId)].map((userId) => ({
      user: toPublicUser(users.get(userId)!),
      mmr: pool.get(userId) ?? 0,
    }));
    return {
      id: team.id,
      tournamentId: team.tournamentId,
      name: team.name,
      captain: roster[0]!.user,
      draftOrder: team.draftOrder,
      members: roster,
      totalMmr: roster.reduce((sum, m) => sum + m.mmr, 0),
    };
  });
}
