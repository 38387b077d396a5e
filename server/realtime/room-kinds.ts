import { rooms, type RoomKind } from '../../shared/rooms';
import { readMatchView } from '../matches/import.service';
import type { Actor } from '../auth/actor';
import { tags } from '../cache/read-cache';
import type { Db } from '../db/knex';
import { forbidden, unauthenticated } from '../commands/errors';
import { Team } from '../teams/team.model';
import { readTournamentDetail, requireTournament } from '../tournaments/detail.read';
import { readConsistently, roomSeq } from '../events/snapshot';
import type { HubServices } from '../services';
import { heroDraftParticipants } from '../herodraft/herodraft.load';
import { onCaptainPresence } from '../herodraft/herodraft.presence';
import { heroDraftSnapshot } from '../herodraft/herodraft.view';
import { draftParticipants } from '../draft/draft.load';
import { draftSnapshot } from '../draft/draft.view';

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
  /** Told each time this process broadcasts the room's presence (e.g. a captain's connection dropped). */
  onPresence?(hub: HubServices, id: number, participants: { userId: number; connected: boolean }[], version: number): Promise<void>;
}

export const roomKinds: Partial<Record<RoomKind, RoomKindDef>> = {
  heroDraft: {
    async canJoin(db, _actor, id) {
      await heroDraftSnapshot(db, id); // public: 404 for an unknown draft
    },
    async snapshot(db, id) {
      const view = await heroDraftSnapshot(db, id);
      return { seq: view.seq, data: view };
    },
    // Captains never change once a draft exists; the tournament tag covers renames.
    tags: () => [tags.userList()],
    participants: (db, id) => heroDraftParticipants(db, id),
    onPresence: (hub, id, participants, version) => onCaptainPresence(hub, id, participants, version),
  },
  tournament: {
    async canJoin(db, _actor, id) {
      await requireTournament(db, id); // public: anyone may spectate an existing tournament
    },
    async snapshot(db, id) {
      const detail = await readTournamentDetail(db, id);
      return { seq: detail.seq, data: detail };
    },
    tags: (id) => [tags.tournament(id)],
    async participants(db, id) {
      const teams = await Team.query(db).where({ tournamentId: id }).orderBy('draftOrder').select('captainUserId');
      return teams.map((t) => t.captainUserId);
    },
  },
  draft: {
    async canJoin(db, _actor, id) {
      await requireTournament(db, id); // public: spectators need no login; the captains' queues are never in it
    },
    async snapshot(db, id) {
      const view = await draftSnapshot(db, id);
      return { seq: view.seq, data: view };
    },
    tags: (id) => [tags.tournament(id), tags.userList()],
    participants: (db, id) => draftParticipants(db, id),
  },
  match: {
    async canJoin() {
      // public: a live game's room exists before its first event, so anyone may wait in it
    },
    async snapshot(db, id) {
      // One snapshot: the view and the seq it reflects.
      return readConsistently(db, async (trx) => ({ seq: await roomSeq(trx, rooms.match(id)), data: await readMatchView(trx, String(id)) }));
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
