import { createHash } from 'node:crypto';
import type { Server, Socket } from 'socket.io';
import type { ClientToServerEvents, ServerToClientEvents } from '../../shared/realtime';
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
