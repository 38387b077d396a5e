import type { Knex } from 'knex';
import type { Team as TeamDto } from '../../shared/schemas/tournaments';
import { rooms } from '../../shared/rooms';
import type { Actor } from '../auth/actor';
import type { CommandTx } from '../commands/command';
import { conflict, notFound } from '../commands/errors';
import { PoolPlayer } from '../pool/pool-player.model';
import type { HubServices } from '../services';
import { findTournament, lockTournament, touchTournament } from '../tournaments/access';
import { displayName, User } from '../users/user.model';
import { Team, TeamMember } from './team.model';
import { listTeams } from './teams.queries';
import { checkTeamOrder, defaultTeamName, nextDraftOrder, teamsEditable } from './teams.rules';

// ---- reads

export async function readTeams(db: Knex, tournamentId: number): Promise<{ items: TeamDto[] }> {
  await findTournament(db, tournamentId);
  return { items: await listTeams(db, tournamentId) };
}

async function readTeam(db: Knex, tournamentId: number, teamId: number): Promise<TeamDto> {
  const [team] = await listTeams(db, tournamentId, { teamId });
  if (!team) throw notFound(`team ${teamId}`);
  return team;
}

// ---- commands: each one locks the tournament's room, so team changes of one tournament run in turn

function requireEditable(state: Parameters<typeof teamsEditable>[0]) {
  if (!teamsEditable(state)) throw conflict(`teams are frozen once drafting starts (the tournament is ${state})`);
}

async function findTeam(tx: CommandTx, tournamentId: number, teamId: number): Promise<Team> {
  const team = await Team.query(tx.db).findOne({ id: teamId, tournamentId });
  if (!team) throw notFound(`team ${teamId}`);
  return team;
}

async function refuseDuplicateName(tx: CommandTx, tournamentId: number, name: string) {
  const taken = await Team.query(tx.db).where({ tournamentId }).whereRaw('lower(name) = ?', [name.toLowerCase()]).first();
  if (taken) throw duplicateName(name);
}

const duplicateName = (name: string) => conflict(`a team named "${name}" already exists in this tournament`);

/**
 * Writes draft orders 1..n in the given order. draft_order is unique per tournament and
 * PostgreSQL checks that row by row, so park every team on a negative number first.
 */
async function renumber(tx: CommandTx, tournamentId: number, teamIds: number[]) {
  for (const [i, id] of teamIds.entries())
    await Team.query(tx.db)
      .where({ id, tournamentId })
      .patch({ draftOrder: -(i + 1) });
  for (const [i, id] of teamIds.entries())
    await Team.query(tx.db)
      .where({ id, tournamentId })
      .patch({ draftOrder: i + 1 });
}

export async function createTeam(
  hub: HubServices,
  actor: Actor,
  tournamentId: number,
  input: { captainUserId: number; name?: string | undefined },
): Promise<TeamDto> {
  return hub.commands.run(actor, async (tx) => {
    const { tournament } = await lockTournament(tx, tournamentId);
    const captain = await User.query(tx.db).findById(input.captainUserId);
    if (!captain) throw notFound(`user ${input.captainUserId}`);
    requireEditable(tournament.state);
    if (!(await PoolPlayer.query(tx.db).findById([tournamentId, captain.id]))) {
      throw conflict(`${displayName(captain)} is not in the pool of this tournament: add them as a player first`);
    }
    if (await Team.query(tx.db).findOne({ tournamentId, captainUserId: captain.id })) {
      throw conflict(`${displayName(captain)} already captains a team in this tournament`);
    }
    if (await TeamMember.query(tx.db).findOne({ tournamentId, userId: captain.id })) {
      throw conflict(`${displayName(captain)} is already on a team in this tournament`);
    }
    const name = input.name ?? defaultTeamName(displayName(captain));
    await refuseDuplicateName(tx, tournamentId, name);
    const orders = (await Team.query(tx.db).where({ tournamentId }).select('draftOrder')).map((t) => t.draftOrder);
    const team = await Team.query(tx.db).insertAndFetch({ tournamentId, name, captainUserId: captain.id, draftOrder: nextDraftOrder(orders) });
    await TeamMember.query(tx.db).insert({ teamId: team.id, tournamentId, userId: captain.id, pickNumber: null });
    const dto = await readTeam(tx.db, tournamentId, team.id);
    touchTournament(tx, tournamentId);
    await tx.emit(rooms.tournament(tournamentId), 'team.created', { team: dto });
    return dto;
  });
}

export async function renameTeam(hub: HubServices, actor: Actor, tournamentId: number, teamId: number, name: string): Promise<TeamDto> {
  await hub.commands.run(actor, async (tx) => {
    const { tournament } = await lockTournament(tx, tournamentId);
    // The team and any other team already called `name`, in one query (plain knex: see requireTournamentStaff in tournaments/access.ts).
    const named: Pick<Team, 'id' | 'name'>[] = await tx
      .db('teams')
      .where({ tournamentId })
      .where((q) => q.where({ id: teamId }).orWhereRaw('lower(name) = ?', [name.toLowerCase()]))
      .select('id', 'name');
    const team = named.find((t) => t.id === teamId);
    if (!team) throw notFound(`team ${teamId}`);
    requireEditable(tournament.state);
    if (team.name === name) return;
    if (named.some((t) => t.id !== teamId)) throw duplicateName(name);
    await tx.db('teams').where({ id: teamId }).update({ name });
    touchTournament(tx, tournamentId);
    await tx.emit(rooms.tournament(tournamentId), 'team.renamed', { teamId, name });
  });
  // The answer is read once the event is out, so spectators do not wait for it (it shows the
  // team as it is then, like any read).
  return readTeam(hub.db, tournamentId, teamId);
}

export async function reorderTeams(hub: HubServices, actor: Actor, tournamentId: number, teamIds: number[]): Promise<{ items: TeamDto[] }> {
  return hub.commands.run(actor, async (tx) => {
    const { tournament } = await lockTournament(tx, tournamentId);
    requireEditable(tournament.state);
    const current = await Team.query(tx.db).where({ tournamentId }).orderBy('draftOrder').select('id');
    const problem = checkTeamOrder(
      current.map((t) => t.id),
      teamIds,
    );
    if (problem) throw conflict(problem);
    await renumber(tx, tournamentId, teamIds);
    touchTournament(tx, tournamentId);
    await tx.emit(rooms.tournament(tournamentId), 'teams.reordered', { teamIds });
    return { items: await listTeams(tx.db, tournamentId) };
  });
}

export async function deleteTeam(hub: HubServices, actor: Actor, tournamentId: number, teamId: number): Promise<void> {
  await hub.commands.run(actor, async (tx) => {
    const { tournament } = await lockTournament(tx, tournamentId);
    const team = await findTeam(tx, tournamentId, teamId);
    requireEditable(tournament.state);
    // Members go, pool rows stay: the captain is a pool player again.
    await TeamMember.query(tx.db).where({ teamId }).delete();
    await Team.query(tx.db).deleteById(teamId);
    const rest = await Team.query(tx.db).where({ tournamentId }).orderBy('draftOrder').select('id');
    await renumber(
      tx,
      tournamentId,
      rest.map((t) => t.id),
    );
    touchTournament(tx, tournamentId);
    await tx.emit(rooms.tournament(tournamentId), 'team.deleted', { teamId, captainUserId: team.captainUserId });
  });
}
