import { io, type Socket } from 'socket.io-client';
import type { Ack } from '../../shared/errors';
import {
  type ClientToServerEvents,
  type JoinResult,
  type Presence,
  PROTOCOL_VERSION,
  type RoomHead,
  type ServerToClientEvents,
  type SocketCommandInput,
  type SocketCommandName,
  type SocketCommandResults,
  type WireEvent,
} from '../../shared/realtime';

export type RawSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

export interface SocketOptions {
  /** A session cookie (HttpClient.cookieHeader()) to be that user. */
  cookie?: string;
  origin?: string;
  /** Any other handshake headers (e.g. X-Forwarded-For, as a proxy in front would send). */
  headers?: Record<string, string>;
  /** Default: websocket only (no sticky sessions needed between hubs). */
  transports?: ('websocket' | 'polling')[];
  reconnection?: boolean;
  /** The event shapes the client reads (handshake `auth.protocol`); default: this build's; null sends none. */
  protocol?: number | null;
}

/**
 * A typed Socket.IO test client that records everything the server sends, so tests can
 * await what they expect instead of sleeping.
 */
export class TestSocket {
  readonly events: WireEvent[] = [];
  readonly presences: Presence[] = [];
  readonly notices: string[] = [];
  /** `room:head` messages (a room's seq, sent instead of events a client cannot read, or after a fan-out outage). */
  readonly heads: RoomHead[] = [];
  private waiters: (() => void)[] = [];

  constructor(readonly socket: RawSocket) {
    socket.on('event', (e) => this.push(() => this.events.push(e)));
    socket.on('presence', (p) => this.push(() => this.presences.push(p)));
    socket.on('room:head', (h) => this.push(() => this.heads.push(h)));
    socket.on('server:shutdown', (n) => this.push(() => this.notices.push(n.reason)));
    socket.on('session:ended', (n) => this.push(() => this.notices.push(n.reason)));
    socket.on('disconnect', () => this.push(() => {}));
  }

  private push(record: () => void) {
    record();
    for (const wake of this.waiters.splice(0)) wake();
  }

  /** Resolves when `check` holds (checked now and after every message), else fails after timeoutMs. */
  async until<T>(check: () => T | undefined | false, what: string, timeoutMs = 5000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const value = check();
      if (value) return value;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out waiting for ${what}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  eventsOf(room: string): WireEvent[] {
    return this.events.filter((e) => e.room === room);
  }
  /** Waits until `count` events of the room have arrived. */
  untilEvents(room: string, count: number, timeoutMs?: number) {
    return this.until(() => this.eventsOf(room).length >= count && this.eventsOf(room), `${count} events of ${room}`, timeoutMs);
  }
  /** The latest reading (by version: processes' broadcasts may cross on the way). */
  lastPresence(room: string): Presence | undefined {
    return this.presences.filter((p) => p.room === room).reduce<Presence | undefined>((a, b) => (a && a.version >= b.version ? a : b), undefined);
  }
  untilPresence(room: string, check: (p: Presence) => boolean, timeoutMs?: number) {
    return this.until(
      () => {
        const p = this.lastPresence(room);
        return p && check(p) ? p : undefined;
      },
      `presence of ${room}`,
      timeoutMs,
    );
  }
  untilDisconnected(timeoutMs?: number) {
    return this.until(() => !this.socket.connected, 'disconnect', timeoutMs);
  }

  join(room: string, lastSeq?: number): Promise<Ack<JoinResult>> {
    return this.socket.timeout(5000).emitWithAck('room:join', lastSeq === undefined ? { room } : { room, lastSeq });
  }
  leave(room: string) {
    return this.socket.timeout(5000).emitWithAck('room:leave', { room });
  }
  command<K extends SocketCommandName>(name: K, payload: SocketCommandInput<K>): Promise<Ack<SocketCommandResults[K]>> {
    return this.raw(name, payload) as Promise<Ack<SocketCommandResults[K]>>;
  }
  /** Any event with any payload (for bad input). */
  raw(name: string, payload: unknown): Promise<Ack<unknown>> {
    const s = this.socket.timeout(5000) as unknown as { emitWithAck(ev: string, p: unknown): Promise<Ack<unknown>> };
    return s.emitWithAck(name, payload);
  }
  close() {
    this.socket.disconnect();
  }
}

/** Connects and waits for the handshake; rejects with the server's reason if refused. */
export function connectSocket(url: string, options: SocketOptions = {}): Promise<TestSocket> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.cookie) headers.cookie = options.cookie;
  if (options.origin) headers.origin = options.origin;
  const socket: RawSocket = io(url, {
    transports: options.transports ?? ['websocket'],
    extraHeaders: headers,
    reconnection: options.reconnection ?? false,
    forceNew: true,
    timeout: 5000,
    auth: options.protocol === null ? {} : { protocol: options.protocol ?? PROTOCOL_VERSION },
  });
  const client = new TestSocket(socket);
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(client));
    socket.once('connect_error', (err) => {
      socket.disconnect();
      reject(err);
    });
  });
}

/** Everything a room:join answered, or throws with the error. */
export function unwrap<T>(ack: Ack<T>): T {
  if (!ack.ok) throw new Error(`${ack.error.code}: ${ack.error.message}`);
  return ack.data;
}

/** The sockets a test file opens, closed together by closeAll (call it in afterEach). */
export function socketJar() {
  const sockets: TestSocket[] = [];
  return {
    async open(url: string, options: SocketOptions = {}): Promise<TestSocket> {
      const socket = await connectSocket(url, options);
      sockets.push(socket);
      return socket;
    },
    closeAll() {
      for (const socket of sockets.splice(0)) socket.close();
    },
  };
}
