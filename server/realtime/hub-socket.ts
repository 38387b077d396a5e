import { createHash } from 'node:crypto';
import type { Server, Socket } from 'socket.io';
import { type ClientToServerEvents, PROTOCOL_VERSION, type ServerToClientEvents, SocketHello } from '../../shared/realtime';
import type { Actor } from '../auth/actor';
import type { Viewer } from './presence';

/** Who a socket is: set at the handshake; commands re-read the role. */
interface SocketData {
  actor: Actor | null;
  viewer: Viewer;
}
export type HubSocket = Socket<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>;
export type HubIo = Server<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>;

/** Internal rooms (not joinable by clients): the sockets of one login session. */
export const SESSION_ROOM = 'session:';
/** Named by a hash: a session id is a credential, and room names travel through Redis. */
export const sessionRoom = (sessionId: string) => SESSION_ROOM + createHash('sha256').update(sessionId).digest('base64url');

/** Rooms whose events carry deltas since protocol 2 (player drafts, hero drafts). */
export const hasDeltaEvents = (room: string) => room.startsWith('draft:') || room.startsWith('herodraft:');

/** Internal rooms: the sockets of clients older than PROTOCOL_VERSION in a room whose events they cannot read. */
export const LEGACY_ROOM = 'v1:';
export const legacyRoom = (room: string) => LEGACY_ROOM + room;

/**
 * The event shapes a socket's client reads (its handshake's `auth.protocol`; none is 1). A
 * newer client than this server is served this server's version.
 */
export function protocolOf(socket: Pick<HubSocket, 'handshake'>): number {
  const hello = SocketHello.safeParse(socket.handshake.auth ?? {});
  const protocol = hello.success ? (hello.data.protocol ?? 1) : 1;
  return Math.min(protocol, PROTOCOL_VERSION);
}
