import { io, type ManagerOptions, type Socket, type SocketOptions } from 'socket.io-client';
import type { Ack } from '../../../../shared/errors';
import {
  type ClientToServerEvents,
  type JoinResult,
  PROTOCOL_VERSION,
  type ServerToClientEvents,
  type SocketCommandInput,
  type SocketCommandName,
  type SocketCommandResults,
} from '../../../../shared/realtime';
import { RoomStore, type RoomOptions, type RoomTransport } from './room';
import { Value, type Readable } from './store';

export type ConnectionState = 'connecting' | 'connected' | 'reconnecting' | 'resyncing' | 'closed';

export interface RealtimeOptions {
  /** The hub's URL; the page's own origin when left out (browser). */
  url?: string;
  /** Extra handshake headers, e.g. a session cookie (Node only; browsers send their cookies). */
  headers?: Record<string, string>;
  /** How long a command or a join waits for its ack. */
  ackTimeoutMs?: number;
  /** How long an out-of-order event waits for the missing ones before the room resyncs. */
  gapWaitMs?: number;
  /** Called when the server ends this connection's login session (a logout, maybe in another tab). */
  onSessionEnded?: () => void;
  /** Passed to socket.io-client (transports, reconnection delays...). */
  socket?: Partial<ManagerOptions & SocketOptions>;
}

type HubClientSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

/**
 * One connection to the hub per page, shared by every room and command. It rejoins every
 * room with its last seq after a reconnect (to the same server, another one, or a restarted
 * one), and reports one connection state: connecting, connected, reconnecting, resyncing.
 */
export class RealtimeClient {
  readonly socket: HubClientSocket;
  private readonly stateValue = new Value<ConnectionState>('connecting');
  // Each room's store has its own snapshot type; the map cannot say which.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  private readonly rooms = new Map<string, RoomStore<any>>();
  /** How many callers hold each room: the socket leaves it when the last one lets go. */
  private readonly holders = new Map<string, number>();
  private readonly syncingRooms = new Set<RoomStore<unknown>>();
  private readonly ackTimeoutMs: number;
  private everConnected = false;
  private shuttingDown = false;
  private sessionEnded = false;
  private closed = false;

  constructor(private readonly options: RealtimeOptions = {}) {
    this.ackTimeoutMs = options.ackTimeoutMs ?? 10_000;
    const socketOptions: Partial<ManagerOptions & SocketOptions> = {
      // WebSocket first (no sticky sessions needed behind a load balancer), polling if blocked.
      transports: ['websocket', 'polling'],
      tryAllTransports: true,
      withCredentials: true,
      // The event shapes this build reads: an older server or client gets snapshots instead.
      auth: { protocol: PROTOCOL_VERSION },
      reconnectionDelay: 500,
      reconnectionDelayMax: 5000,
      ...(options.headers ? { extraHeaders: options.headers } : {}),
      ...options.socket,
    };
    this.socket = (options.url ? io(options.url, socketOptions) : io(socketOptions)) as HubClientSocket;

    this.socket.on('connect', () => {
      this.everConnected = true;
      this.shuttingDown = false;
      this.refreshState();
      for (const room of this.rooms.values()) void room.sync();
    });
    this.socket.on('disconnect', (reason) => {
      // A server that shuts down tells us first (any other server will take us); so does a
      // logout (we come back as whoever the cookie now says).
      if (reason === 'io server disconnect' && (this.shuttingDown || this.sessionEnded) && !this.closed) this.socket.connect();
      this.sessionEnded = false;
      this.refreshState();
    });
    this.socket.io.on('reconnect_attempt', () => this.refreshState());
    this.socket.on('connect_error', () => this.refreshState());
    this.socket.on('event', (event) => this.rooms.get(event.room)?.receive(event));
    this.socket.on('presence', (presence) => this.rooms.get(presence.room)?.presence(presence));
    this.socket.on('room:head', (head) => this.rooms.get(head.room)?.head(head.seq));
    this.socket.on('session:ended', () => {
      this.sessionEnded = true;
      this.options.onSessionEnded?.();
    });
    this.socket.on('server:shutdown', () => {
      this.shuttingDown = true;
      this.stateValue.set('reconnecting');
    });
  }

  /** connecting / connected / reconnecting / resyncing / closed. */
  get state(): Readable<ConnectionState> {
    return this.stateValue;
  }
  get currentState(): ConnectionState {
    return this.stateValue.get();
  }

  /**
   * Joins a room, or returns the store already joined (the options of the first call stay).
   * Each call should be matched by one `leave(name)`.
   */
  room<S = unknown>(name: string, options: RoomOptions<S> = {}): RoomStore<S> {
    this.holders.set(name, (this.holders.get(name) ?? 0) + 1);
    const existing = this.rooms.get(name);
    if (existing) return existing as RoomStore<S>;
    const store = new RoomStore<S>(name, this.transport, { gapWaitMs: this.options.gapWaitMs, ...options });
    this.rooms.set(name, store);
    void store.sync();
    return store;
  }

  async leave(name: string): Promise<void> {
    const store = this.rooms.get(name);
    if (!store) return;
    const left = (this.holders.get(name) ?? 1) - 1;
    if (left > 0) return void this.holders.set(name, left);
    this.holders.delete(name);
    this.rooms.delete(name);
    this.syncingRooms.delete(store);
    store.leave();
    this.refreshState();
    if (this.socket.connected)
      await this.socket
        .timeout(this.ackTimeoutMs)
        .emitWithAck('room:leave', { room: name })
        .catch(() => undefined);
  }

  /**
   * Sends a command and waits for its ack. Not connected, or no answer in time: an
   * `unavailable` error (a command is never queued to be sent later behind the user's back).
   */
  async command<K extends SocketCommandName>(name: K, payload: SocketCommandInput<K>, timeoutMs = this.ackTimeoutMs): Promise<Ack<SocketCommandResults[K]>> {
    if (!this.socket.connected) return { ok: false, error: { code: 'unavailable', message: 'not connected to the hub' } };
    try {
      const emit = this.socket.timeout(timeoutMs).emitWithAck as (ev: string, payload: unknown) => Promise<Ack<SocketCommandResults[K]>>;
      return await emit.call(this.socket.timeout(timeoutMs), name, payload);
    } catch {
      return { ok: false, error: { code: 'unavailable', message: 'no answer from the hub in time; the command may or may not have been applied' } };
    }
  }

  close() {
    this.closed = true;
    for (const room of this.rooms.values()) room.leave();
    this.rooms.clear();
    this.holders.clear();
    this.socket.disconnect();
    this.stateValue.set('closed');
  }

  private readonly transport: RoomTransport = {
    join: async (room, lastSeq) => {
      try {
        const payload = lastSeq === undefined ? { room } : { room, lastSeq };
        return (await this.socket.timeout(this.ackTimeoutMs).emitWithAck('room:join', payload)) as Ack<JoinResult>;
      } catch {
        return { ok: false, error: { code: 'unavailable', message: 'no answer to room:join in time' } };
      }
    },
    connected: () => this.socket.connected,
    syncing: (room, busy) => {
      if (busy) this.syncingRooms.add(room);
      else this.syncingRooms.delete(room);
      this.refreshState();
    },
  };

  private refreshState() {
    if (this.closed) return this.stateValue.set('closed');
    if (!this.socket.connected) return this.stateValue.set(this.everConnected ? 'reconnecting' : 'connecting');
    this.stateValue.set(this.syncingRooms.size > 0 ? 'resyncing' : 'connected');
  }
}

let shared: RealtimeClient | undefined;
/** The page's one connection (browser). */
/** A window event: the hub ended this browser's login session. */
export const SESSION_ENDED_EVENT = 'hub:session-ended';

export function realtime(): RealtimeClient {
  // The page's session store listens for this (session.svelte.ts) and reloads who we are.
  return (shared ??= new RealtimeClient({
    onSessionEnded: () => (globalThis as { dispatchEvent?: (e: Event) => boolean }).dispatchEvent?.(new Event(SESSION_ENDED_EVENT)),
  }));
}
