import type { Knex } from 'knex';
import type { DraftStatus, DraftStyle } from '../../shared/schemas/draft';
import { PoolPlayer } from '../pool/pool-player.model';
import { Team } from '../teams/team.model';
import { findTournament } from '../tournaments/access';
import type { Tournament } from '../tournaments/tournament.model';
import { beforeDrafting } from '../tournaments/tournaments.rules';
import { derivePosition, type DraftBoard, type DraftPosition, storedRosters } from './draft.rules';
import { Draft, DraftPickRow, DraftRollRow } from './draft.model';

export const DEFAULT_STYLE: DraftStyle = 'snake';

/** Everything a player draft is made of: its tournament, teams, pool, picks and dice rolls. */
export interface DraftRows {
  tournament: Tournament;
  /** Absent until the draft's first command. */
  draft: Draft | undefined;
  teams: Team[];
  pool: PoolPlayer[];
  picks: DraftPickRow[];
  rolls: DraftRollRow[];
}

export async function loadDraftRows(db: Knex, tournamentId: number): Promise<DraftRows> {
  const tournament = await findTournament(db, tournamentId);
  // One after another: a transaction is one connection (pg warns about overlapping queries).
  const draft = await Draft.query(db).findById(tournamentId);
  const teams = await Team.query(db).where({ tournamentId }).orderBy('draftOrder');
  const pool = await PoolPlayer.query(db).where({ tournamentId });
  const picks = await DraftPickRow.query(db).where({ tournamentId }).orderBy('pickNumber');
  const rolls = await DraftRollRow.query(db)
    .where({ tournamentId })
    .orderBy([{ column: 'pickNumber' }, { column: 'round' }, { column: 'teamId' }]);
  return { tournament, draft, teams, pool, picks, rolls };
}

/**
 * The draft's status. A draft not yet completed whose tournament staff moved back before
 * 'drafting' is in setup again: teams and pool may change, and opening it again starts over.
 */
export function draftStatus(rows: DraftRows): DraftStatus {
  const stored = rows.draft?.status ?? 'setup';
  const reopened = beforeDrafting(rows.tournament.state);
  return reopened && stored !== 'completed' ? 'setup' : stored;
}

export const draftStyle = (rows: DraftRows): DraftStyle => rows.draft?.style ?? DEFAULT_STYLE;

/** The draft as its pure rules see it. */
export function draftBoard(rows: DraftRows): DraftBoard {
  const mmr = new Map(rows.pool.map((p) => [p.userId, p.mmr]));
  const captains = new Set(rows.teams.map((t) => t.captainUserId));
  const setup = draftStatus(rows) === 'setup';
  return {
    style: draftStyle(rows),
    teamSize: rows.tournament.teamSize,
    teams: rows.teams.map((t) => ({ id: t.id, captain: { userId: t.captainUserId, mmr: mmr.get(t.captainUserId) ?? 0 } })),
    pool: rows.pool.filter((p) => !captains.has(p.userId)).map((p) => ({ userId: p.userId, mmr: p.mmr })),
    // Picks left over from before a return to setup are void: opening again clears them.
    picks: setup ? [] : rows.picks.map((p) => ({ pickNumber: p.pickNumber, teamId: p.teamId, userId: p.userId })),
    rolls: setup ? [] : rows.rolls.map((r) => ({ pickNumber: r.pickNumber, round: r.round, teamId: r.teamId, value: r.value })),
  };
}

/** Where the draft stands; a view never fails on stored picks that no longer replay. */
export function draftPosition(rows: DraftRows): DraftPosition {
  const board = draftBoard(rows);
  try {
    return derivePosition(board);
  } catch {
    return storedRosters(board);
  }
}

/** Captains of a tournament, in draft order (presence of the draft room). */
export async function draftParticipants(db: Knex, tournamentId: number): Promise<number[]> {
  const teams = await Team.query(db).where({ tournamentId }).orderBy('draftOrder').select('captainUserId');
  return teams.map((t) => t.captainUserId);
}
