import { BaseModel, isoTime } from '../db/base.model';

/** One row of the append-only event log. */
export class RoomEventRow extends BaseModel {
  static override tableName = 'events';
  static override get jsonAttributes() {
    return ['payload'];
  }
  id!: number;
  room!: string;
  seq!: number;
  type!: string;
  payload!: unknown;
  actorUserId!: number | null;
  createdAt!: Date | string;
}

/** What is broadcast to a room and replayed from the log. */
export interface RoomEvent {
  room: string;
  seq: number;
  type: string;
  payload: unknown;
  actorUserId: number | null;
  at: string;
}

export function toRoomEvent(row: RoomEventRow): RoomEvent {
  return { room: row.room, seq: row.seq, type: row.type, payload: row.payload, actorUserId: row.actorUserId, at: isoTime(row.createdAt) };
}
