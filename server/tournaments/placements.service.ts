/**
 * Final placements (BR10): staff set them by hand (round-robin or Swiss finals, a
 * disqualification, a tie decided outside the hub); without them, a finished elimination
 * bracket's placements are the tournament's.
 */
import type { Knex } from 'knex';
import type { FinalPlacements, PlacementsInput } from '../../shared/schemas/placements';
import type { Actor } from '../auth/actor';
import { Stage } from '../brackets/bracket.model';
import { loadStage } from '../brackets/bracket.queries';
import { isElimination } from '../brackets/stage.rules';
import { conflict, notFound } from '../commands/errors';
import { isoTime } from '../db/base.model';
import type { HubServices } from '../services';
import { toPublicUser, User } from '../users/user.model';
import { lockTournament, touchTournament } from './access';
import { checkPlacementsSettable } from './tournaments.rules';

interface PlacementRow {
  teamId: number;
  place: number;
  setBy: number | null;
  setAt: Date | string;
}

const byPlace = <T extends { place: number; team: { name: string; id: number } }>(a: T, b: T) =>
  a.place - b.place || a.team.name.localeCompare(b.team.name) || a.team.id - b.team.id;

/** The placements staff set, else the last stage's when it is a finished elimination bracket. */
export async function readFinalPlacements(db: Knex, tournamentId: number): Promise<FinalPlacements> {
  const rows: PlacementRow[] = await db('tournament_placements').where({ tournamentId }).select('teamId', 'place', 'setBy', 'setAt');
  if (rows.length > 0) {
    const names = new Map<number, string>(
      (await db('teams').where({ tournamentId }).select('id', 'name')).map((t: { id: number; name: string }) => [Number(t.id), t.name]),
    );
    const setBy = rows[0]!.setBy === null ? undefined : await User.query(db).findById(rows[0]!.setBy);
    return {
      source: 'staff',
      items: rows.map((r) => ({ team: { id: Number(r.teamId), name: names.get(Number(r.teamId)) ?? '' }, place: Number(r.place) })).sort(byPlace),
      setAt: isoTime(rows[0]!.setAt),
      setBy: setBy ? toPublicUser(setBy) : null,
    };
  }
  const last = await Stage.query(db).where({ tournamentId }).orderBy('number', 'desc').first();
  if (last && isElimination(last.format)) {
    const stage = await loadStage(db, last);
    if (stage.finished) return { source: 'bracket', items: [...stage.placements].sort(byPlace), setAt: null, setBy: null };
  }
  return { source: 'none', items: [], setAt: null, setBy: null };
}

const same = (rows: PlacementRow[], wanted: PlacementsInput['placements']) => {
  const key = (list: { teamId: number; place: number }[]) =>
    list
      .map((p) => `${Number(p.teamId)}:${Number(p.place)}`)
      .sort()
      .join(',');
  return key(rows) === key(wanted);
};

/**
 * Replaces the tournament's final placements with the list (an empty list clears them). The
 * list was checked by its schema (places read 1, 2, 3, 3, 5; no team twice); here: every team
 * is this tournament's (404), and the tournament has results (409). The same list again
 * changes nothing and appends no event.
 */
export function setPlacements(hub: HubServices, actor: Actor, tournamentId: number, input: PlacementsInput): Promise<FinalPlacements> {
  return hub.commands.run(actor, async (tx) => {
    const { room, tournament } = await lockTournament(tx, tournamentId);
    const teamIds = new Set<number>((await tx.db('teams').where({ tournamentId }).pluck('id')).map(Number));
    const unknown = input.placements.find((p) => !teamIds.has(p.teamId));
    if (unknown) throw notFound(`team ${unknown.teamId} in this tournament`);
    const verdict = checkPlacementsSettable(tournament.state);
    if (!verdict.ok) throw conflict(verdict.reason);

    const current: PlacementRow[] = await tx.db('tournament_placements').where({ tournamentId }).select('teamId', 'place', 'setBy', 'setAt');
    if (same(current, input.placements)) return readFinalPlacements(tx.db, tournamentId);

    await tx.db('tournament_placements').where({ tournamentId }).delete();
    if (input.placements.length > 0) {
      const setAt = new Date().toISOString();
      await tx.db('tournament_placements').insert(input.placements.map((p) => ({ tournamentId, teamId: p.teamId, place: p.place, setBy: actor.id, setAt })));
    }
    const placements = await readFinalPlacements(tx.db, tournamentId);
    await tx.emit(room, 'tournament.placements', { placements });
    touchTournament(tx, tournamentId);
    return placements;
  });
}
