import { z } from 'zod';
import type { Ack } from './errors';
import { PoolAdd, TeamCreate, TeamUpdate, type PoolPlayer, type Team } from './schemas/tournaments';
import {
  HeroDraftAct,
  HeroDraftChoice,
  HeroDraftConfigure,
  HeroDraftControl,
  HeroDraftCreate,
  HeroDraftPause,
  HeroDraftPenalty,
  HeroDraftReady,
  type HeroDraftView,
} from './schemas/herodraft';
import { DraftConfigure, DraftControl, DraftPickInput, DraftQueueInput, type DraftQueue, type DraftView } from './schemas/draft';
import { SignupEvents } from './schemas/signups';

/**
 * The realtime protocol: what clients and the server send each other over Socket.IO.
 * Every client-to-server event carries a payload checked by a schema below and answers
 * through an acknowledgement `Ack<T>` (see errors.ts).
 */

/**
 * The shape of room events this build reads, sent in the Socket.IO handshake as
 * `auth: { protocol }`. 1 (or none): player-draft and hero-draft events carry the whole view.
 * 2: they carry their effect, applied with the room kind's reducer in shared/live. A client
 * older than the server gets, in those rooms, a snapshot at every join and a `room:head` for each
 * event (which makes it join again) instead of events it cannot read.
 */
export const PROTOCOL_VERSION = 2;
export const SocketHello = z.object({ protocol: z.number().int().min(1).max(1000).optional() });

/** Ids in socket payloads are JSON numbers (no string coercion as in URL paths). */
export const SocketId = z.number().int().positive().max(2_147_483_647);

/** A room name as built by rooms.ts: `<kind>:<id>`. */
export const RoomName = z
  .string()
  .max(64)
  .regex(/^(tournament|draft|herodraft|match|user):[1-9]\d{0,9}$/, 'expected a room name like tournament:12');

export const RoomJoin = z
  .object({
    room: RoomName,
    /** The last seq this client applied: the server replays what came after, if it still can. */
    lastSeq: z.number().int().min(0).optional(),
  })
  .strict();
export type RoomJoin = z.infer<typeof RoomJoin>;

export const RoomLeave = z.object({ room: RoomName }).strict();
export type RoomLeave = z.infer<typeof RoomLeave>;

/** A committed event as broadcast to its room and replayed from the log. */
export interface WireEvent {
  room: string;
  seq: number;
  type: string;
  payload: unknown;
  actorUserId: number | null;
  at: string;
}

/**
 * Answer to room:join: the missed events when the client sent a lastSeq the log still
 * covers, else a fresh snapshot. `seq` is the room's seq the answer brings the client to.
 */
export type JoinResult = { room: string; seq: number; snapshot: unknown } | { room: string; seq: number; events: WireEvent[] };

export interface PresenceViewer {
  id: number;
  name: string;
}

/** Who is watching a room, across every process. */
export interface Presence {
  room: string;
  /** Open connections in the room, logged in or not. */
  spectators: number;
  /** Logged-in users watching, each once. */
  viewers: PresenceViewer[];
  /** The room's participants (e.g. captains) and whether each is watching now. */
  participants: { userId: number; connected: boolean }[];
  /**
   * When this was read (one clock for every process: Redis's). Several processes broadcast a
   * room's presence; a client keeps the latest read, whatever order they arrive in.
   */
  version: number;
}

/** Sent before the server goes away: reconnect (the load balancer picks another process). */
export interface ShutdownNotice {
  reason: string;
}

/** Sent when this connection's login session ended (logout): the server then drops the socket. */
export interface SessionEndedNotice {
  reason: string;
}

/**
 * The head of a room, sent when a process's broadcasts may have been lost (Redis was
 * down): a client behind it resyncs from the log.
 */
export interface RoomHead {
  room: string;
  seq: number;
}

/**
 * Payload schemas of room events, by type, for the events the shared contract defines: the
 * tournament room's sign-up and check-in events (issue 21). A `WireEvent` of one of these types
 * carries a payload its schema accepts.
 */
export const RoomEventPayloads = { ...SignupEvents } as const;
export type RoomEventType = keyof typeof RoomEventPayloads;

/** Commands clients may send over the socket; the same service functions serve REST. */
export const SocketCommands = {
  'team.create': TeamCreate.extend({ tournamentId: SocketId }).strict(),
  'team.rename': TeamUpdate.extend({ tournamentId: SocketId, teamId: SocketId }).strict(),
  'pool.add': PoolAdd.extend({ tournamentId: SocketId }).strict(),
  'draft.configure': DraftConfigure.extend({ tournamentId: SocketId }).strict(),
  'draft.open': DraftControl.extend({ tournamentId: SocketId }).strict(),
  'draft.start': DraftControl.extend({ tournamentId: SocketId }).strict(),
  'draft.pause': DraftControl.extend({ tournamentId: SocketId }).strict(),
  'draft.resume': DraftControl.extend({ tournamentId: SocketId }).strict(),
  'draft.undo': DraftControl.extend({ tournamentId: SocketId }).strict(),
  'draft.restart': DraftControl.extend({ tournamentId: SocketId }).strict(),
  'draft.pick': DraftPickInput.extend({ tournamentId: SocketId }).strict(),
  'draft.queue': DraftQueueInput.extend({ tournamentId: SocketId }).strict(),
  'herodraft.create': HeroDraftCreate.extend({ tournamentId: SocketId }).strict(),
  'herodraft.configure': HeroDraftConfigure.extend({ heroDraftId: SocketId }).strict(),
  'herodraft.ready': HeroDraftReady.extend({ heroDraftId: SocketId }).strict(),
  'herodraft.choose': z.object({ heroDraftId: SocketId, choice: HeroDraftChoice }).strict(),
  'herodraft.act': HeroDraftAct.extend({ heroDraftId: SocketId }).strict(),
  'herodraft.pause': HeroDraftPause.extend({ heroDraftId: SocketId }).strict(),
  'herodraft.resume': HeroDraftControl.extend({ heroDraftId: SocketId }).strict(),
  'herodraft.reset': HeroDraftControl.extend({ heroDraftId: SocketId }).strict(),
  'herodraft.abandon': HeroDraftControl.extend({ heroDraftId: SocketId }).strict(),
  'herodraft.penalty': HeroDraftPenalty.extend({ heroDraftId: SocketId }).strict(),
} as const;
export type SocketCommandName = keyof typeof SocketCommands;

/** What each command answers with (in `data` of its ack). */
export interface SocketCommandResults {
  'herodraft.create': HeroDraftView;
  'herodraft.configure': HeroDraftView;
  'herodraft.ready': HeroDraftView;
  'herodraft.choose': HeroDraftView;
  'herodraft.act': HeroDraftView;
  'herodraft.pause': HeroDraftView;
  'herodraft.resume': HeroDraftView;
  'herodraft.reset': HeroDraftView;
  'herodraft.abandon': HeroDraftView;
  'herodraft.penalty': HeroDraftView;
  'team.create': Team;
  'team.rename': Team;
  'pool.add': PoolPlayer;
  'draft.configure': DraftView;
  'draft.open': DraftView;
  'draft.start': DraftView;
  'draft.pause': DraftView;
  'draft.resume': DraftView;
  'draft.undo': DraftView;
  'draft.restart': DraftView;
  'draft.pick': DraftView;
  'draft.queue': DraftQueue;
}

export type SocketCommandInput<K extends SocketCommandName> = z.input<(typeof SocketCommands)[K]>;

type AckFn<T> = (answer: Ack<T>) => void;

export type ClientToServerEvents = {
  'room:join': (payload: RoomJoin, ack: AckFn<JoinResult>) => void;
  'room:leave': (payload: RoomLeave, ack: AckFn<{ room: string }>) => void;
} & {
  [K in SocketCommandName]: (payload: SocketCommandInput<K>, ack: AckFn<SocketCommandResults[K]>) => void;
};

export interface ServerToClientEvents {
  event: (event: WireEvent) => void;
  presence: (presence: Presence) => void;
  'room:head': (head: RoomHead) => void;
  'server:shutdown': (notice: ShutdownNotice) => void;
  'session:ended': (notice: SessionEndedNotice) => void;
}
