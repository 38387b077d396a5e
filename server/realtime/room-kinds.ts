import type { RoomKind } from '../../shared/rooms';
import type { Actor } from '../auth/actor';
import { tags } from '../cache/read-cache';
import type { Db } from '../db/knex';
import { forbidden, unauthenticated } from '../http/errors';
import { Team } from '../teams/team.model';
import { findTournament } from '../tournaments/access';
import { getTournamentDetail, roomSeq } from '../tournaments/tournaments.service';

/**
 * What the realtime layer needs to know about each kind of room. Features add their kind
 * here (draft, herodraft, match) when they have a snapshot to give.
 */
export interface RoomKindDef {
  /** Throws a HubError (not_found, forbidden, unauthenticated) when this actor may not watch. */
  canJoin(db: Db, actor: Actor | null, id: number): Promise<void>;
  /**
   * The room's state and the seq it reflects, read consistently (one transaction): events
   * with a higher seq apply on top of it.
   */
  snapshot(db: Db, id: number): Promise<{ seq: number; data: unknown }>;
  /** Cache tags the snapshot depends on besides the room's own events. */
  tags?(id: number): string[];
  /** Users whose presence the room reports as participants (e.g. captains). */
  participants?(db: Db, id: number): Promise<number[]>;
}

export const roomKinds: Partial<Record<RoomKind, RoomKindDef>> = {
  tournament: {
    async canJoin(db, _actor, id) {
      await findTournament(db, id); // public: anyone may spectate an existing tournament
    },
    async snapshot(db, id) {
      const detail = await getTournamentDetail(db, id);
      return { seq: detail.seq, data: detail };
    },
    tags: (id) => [tags.tournament(id)],
    async participants(db, id) {
      const teams = await Team.query(db).where({ tournamentId: id }).orderBy('draftOrder').select('captainUserId');
      return teams.map((t) => t.captainUserId);
    },
  },
  user: {
    // Private notices: only that user.
    async canJoin(_db, actor, id) {
      if (!actor) throw unauthenticated('log in to receive your notices');
      if (actor.id !== id) throw forbidden('this is another user’s private room');
    },
    async snapshot(db, id) {
      return { seq: await roomSeq(db, `user:${id}`), data: { userId: id } };
    },
  },
};

/** Splits `kind:id`; the name was already checked by the RoomName schema. */
export function parseRoom(room: string): { kind: RoomKind; id: number } {
  const i = room.indexOf(':');
  const prefix = room.slice(0, i);
  const kind = (prefix === 'herodraft' ? 'heroDraft' : prefix) as RoomKind;
  return { kind, id: Number(room.slice(i + 1)) };
}
