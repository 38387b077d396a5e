import type { Knex } from 'knex';
import { notFound } from '../commands/errors';
import { Team } from '../teams/team.model';
import { User } from '../users/user.model';
import { HeroDraft, HeroDraftStepRow } from './herodraft.model';
import { teamOfStep, type TurnClock } from './herodraft.rules';

/** Everything a hero draft is made of: its row, its two teams (A, B) and captains, its steps done. */
export interface HeroDraftRows {
  draft: HeroDraft;
  teams: [Team, Team];
  captains: [User | undefined, User | undefined];
  done: HeroDraftStepRow[];
}

export async function loadHeroDraftRows(db: Knex, id: number): Promise<HeroDraftRows> {
  const draft = await HeroDraft.query(db).findById(id);
  if (!draft) throw notFound(`hero draft ${id}`);
  // One after another: inside a command `db` is one transaction's connection (pg refuses overlapping queries from pg@9).
  const teamA = await Team.query(db).findById(draft.homeTeamId);
  const teamB = await Team.query(db).findById(draft.awayTeamId);
  const done = await HeroDraftStepRow.query(db).where({ heroDraftId: id }).orderBy('stepIndex');
  const users = await User.query(db).findByIds([teamA!.captainUserId, teamB!.captainUserId]);
  const byId = new Map(users.map((u) => [u.id, u]));
  return { draft, teams: [teamA!, teamB!], captains: [byId.get(teamA!.captainUserId), byId.get(teamB!.captainUserId)], done };
}

/** The hero draft's tournament, or 404. */
export async function heroDraftTournament(db: Knex, id: number): Promise<number> {
  const row = await HeroDraft.query(db).findById(id).select('tournamentId');
  if (!row) throw notFound(`hero draft ${id}`);
  return row.tournamentId;
}

/** Captain user ids of team A and B (presence of the room). */
export async function heroDraftParticipants(db: Knex, id: number): Promise<number[]> {
  const rows = await loadHeroDraftRows(db, id);
  return rows.teams.map((t) => t.captainUserId);
}

/** Millisecond columns come back as text from PostgreSQL's bigint. */
export const msOf = (v: number | string | null) => (v === null ? null : Number(v));
export const reserveOf = (d: HeroDraft, team: 0 | 1) => (team === 0 ? d.homeReserveMs : d.awayReserveMs);
export const reserveColumn = (team: 0 | 1) => (team === 0 ? 'homeReserveMs' : 'awayReserveMs');

/** The acting team (0/1) of the current step, when drafting or paused. */
export function actingTeam(d: HeroDraft): 0 | 1 | null {
  const step = d.steps[d.stepIndex];
  if (!step || d.firstPick === null) return null;
  return teamOfStep(step, d.firstPick);
}

export function turnClock(d: HeroDraft): TurnClock | null {
  const team = actingTeam(d);
  const startedAt = msOf(d.turnStartedAtMs);
  if (team === null || startedAt === null || d.stepMs === null) return null;
  return { startedAt, stepMs: d.stepMs, reserveMs: reserveOf(d, team) };
}

/** The team index (0/1) whose captain this user is, or null. */
export const captainTeam = (rows: HeroDraftRows, userId: number): 0 | 1 | null =>
  rows.teams[0].captainUserId === userId ? 0 : rows.teams[1].captainUserId === userId ? 1 : null;
