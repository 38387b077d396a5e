import type { JoinResult, WireEvent } from '../../shared/realtime';
import type { Actor } from '../auth/actor';
import { tags } from '../cache/read-cache';
import { roomTag } from '../commands/command';
import { sqliteConnectionOf } from '../db/knex';
import { RoomEventRow, toRoomEvent } from '../events/event.model';
import { roomSeq } from '../events/snapshot';
import type { HubServices } from '../services';
import type { User } from '../users/user.model';
import type { RoomKindDef } from './room-kinds';

/** What a socket reads: a room it joins (snapshot or the events it missed), and who it is now. */

const ROLE_OF_USER = 'select role from users where id = ?';

/** Room snapshot, or the missed events when the log still has all of them. */
export async function readRoom(hub: HubServices, def: RoomKindDef, room: string, id: number, lastSeq: number | undefined): Promise<JoinResult> {
  const { db } = hub;
  if (lastSeq !== undefined) {
    const head = await roomSeq(db, room);
    if (lastSeq <= head && head - lastSeq <= hub.config.realtime.replayLimit) {
      // Events up to `head` were committed with it: they are all there unless the log was pruned.
      const rows = head === lastSeq ? [] : await RoomEventRow.query(db).where({ room }).where('seq', '>', lastSeq).where('seq', '<=', head).orderBy('seq');
      if (rows.length === head - lastSeq) {
        return { room, seq: head, events: rows.map((r) => toWire(toRoomEvent(r))) };
      }
    }
  }
  // Cached: every event of the room bumps its tag before it is broadcast, so a cached
  // snapshot is never older than an event this socket could have missed.
  const snap = await hub.cache.get(`room-snapshot:${room}`, [roomTag(room), ...(def.tags?.(id) ?? [])], () => def.snapshot(db, id));
  return { room, seq: snap.seq, snapshot: snap.data };
}

/**
 * The actor as of now: a role can change while a socket stays open, and REST reads the
 * user on every request too. In one process, from the in-memory cache (under the user's
 * tag, which a role change touches); with Redis, from the database: a local read there costs
 * less than the cache's round trip to Redis, which every command would wait for.
 */
export async function currentActor(hub: HubServices, id: number | undefined): Promise<Actor | null> {
  const { db } = hub;
  if (id === undefined) return null;
  const load = async () => {
    // On SQLite, straight from the connection when no transaction holds it: a cold knex query
    // costs as much as the Redis round trip this avoids (bench/README.md, "Round trips to Redis").
    const sqlite = sqliteConnectionOf(db);
    const row = sqlite && !sqlite.inTransaction ? sqlite.prepare(ROLE_OF_USER).get(id) : await db('users').where({ id }).first('role');
    return (row as Pick<User, 'role'> | undefined)?.role ?? null;
  };
  const role = hub.redis ? await load() : await hub.cache.get(`actor-role:${id}`, [tags.user(id)], load);
  return role ? { id, role } : null;
}

function toWire(e: ReturnType<typeof toRoomEvent>): WireEvent {
  return { room: e.room, seq: e.seq, type: e.type, payload: e.payload, actorUserId: e.actorUserId, at: e.at };
}
