import type { Knex } from 'knex';
import type { Team as TeamDto } from '../../shared/schemas/tournaments';
import { toPublicUser, User } from '../users/user.model';
import { Team } from './team.model';

interface RosterRow extends User {
  memberTeamId: number;
  memberPickNumber: number | null;
  poolMmr: number | null;
}

/**
 * Teams of a tournament in draft order, each with its captain first and picks in order; one
 * team when `teamId` is given. Two queries: the teams, then every member with their user and
 * pool MMR joined (a command's answer and a snapshot both read this).
 */
export async function listTeams(db: Knex, tournamentId: number, only?: { teamId: number }): Promise<TeamDto[]> {
  const teamQuery = Team.query(db).where({ tournamentId }).orderBy('draftOrder');
  if (only) teamQuery.where({ id: only.teamId });
  const teams = await teamQuery;
  if (teams.length === 0) return [];
  const rosterQuery = User.query(db)
    .join('team_members as tm', 'tm.user_id', 'users.id')
    .leftJoin('pool_players as pp', (on) => on.on('pp.tournament_id', 'tm.tournament_id').andOn('pp.user_id', 'tm.user_id'))
    .where('tm.tournament_id', tournamentId)
    .select('users.*', 'tm.team_id as memberTeamId', 'tm.pick_number as memberPickNumber', 'pp.mmr as poolMmr');
  if (only) rosterQuery.where('tm.team_id', only.teamId);
  const rows = (await rosterQuery) as RosterRow[];
  return teams.map((team) => {
    const mine = rows.filter((r) => r.memberTeamId === team.id);
    const captain = mine.find((r) => r.id === team.captainUserId)!;
    const picks = mine.filter((r) => r.id !== team.captainUserId).sort((a, b) => (a.memberPickNumber ?? 0) - (b.memberPickNumber ?? 0));
    const roster = [captain, ...picks].map((row) => ({ user: toPublicUser(row), mmr: row.poolMmr ?? 0 }));
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
