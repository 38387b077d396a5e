import { PROTOCOL_VERSION } from '../shared/realtime';
import WebSocket from 'ws';

/**
 * A minimal Socket.IO v5 / Engine.IO v4 client over `ws`, for the load generator: websocket
 * transport only, text packets only, the default or one named namespace. It costs far less
 * client CPU than socket.io-client, so one process can hold thousands of spectators.
 *
 * Engine.IO packets: 0 open, 1 close, 2 ping, 3 pong, 4 message. A message carries a Socket.IO
 * packet: 0 connect, 1 disconnect, 2 event, 3 ack, 4 connect error; then the namespace and a
 * comma unless it is "/", then an ack id, then JSON.
 */
export interface LightOptions {
  /** Cookie header for the handshake (a logged-in user); none for an anonymous spectator. */
  cookie?: string;
  origin?: string;
  nsp?: string;
  auth?: unknown;
  path?: string;
  connectTimeoutMs?: number;
  /** Every event the server sends: its name, first argument and frame size in bytes. */
  onEvent?: (name: string, data: any, bytes: number) => void;
  onClose?: () => void;
}

export class LightSocket {
  private acks = new Map<number, { resolve: (args: any[]) => void; reject: (err: Error) => void; timer: NodeJS.Timeout }>();
  private nextAckId = 0;
  private prefix: string;
  connected = false;

  private constructor(
    private ws: WebSocket,
    private opts: LightOptions,
  ) {
    this.prefix = opts.nsp && opts.nsp !== '/' ? `${opts.nsp},` : '';
  }

  static connect(baseUrl: string, opts: LightOptions = {}): Promise<LightSocket> {
    const url = `${baseUrl.replace(/^http/, 'ws')}${opts.path ?? '/socket.io/'}?EIO=4&transport=websocket`;
    const headers: Record<string, string> = {};
    if (opts.cookie) headers.cookie = opts.cookie;
    const ws = new WebSocket(url, { headers, origin: opts.origin, perMessageDeflate: false, handshakeTimeout: opts.connectTimeoutMs ?? 10_000 });
    const socket = new LightSocket(ws, opts);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        ws.terminate();
        reject(new Error('socket.io connect timed out'));
      }, opts.connectTimeoutMs ?? 10_000);
      const fail = (err: Error) => {
        clearTimeout(timer);
        ws.terminate();
        reject(err);
      };
      socket.onConnected = (err) => (err ? fail(err) : (clearTimeout(timer), resolve(socket)));
      ws.on('error', fail);
      ws.on('close', () => {
        const wasConnected = socket.connected;
        socket.connected = false;
        for (const a of socket.acks.values()) {
          clearTimeout(a.timer);
          a.reject(new Error('disconnected'));
        }
        socket.acks.clear();
        if (!wasConnected) fail(new Error('closed before connecting'));
        else opts.onClose?.();
      });
      ws.on('message', (data: Buffer) => socket.onFrame(data.toString()));
    });
  }

  private onConnected: (err?: Error) => void = () => {};

  private onFrame(frame: string) {
    switch (frame.charCodeAt(0)) {
      case 48: // '0' open: ask to join the namespace
        // The hub's clients say which event shapes they read (protocol 2: draft events as deltas).
        this.ws.send(`40${this.prefix}${JSON.stringify(this.opts.auth ?? { protocol: PROTOCOL_VERSION })}`);
        return;
      case 50: // '2' ping from the server
        this.ws.send('3');
        return;
      case 52: // '4' a Socket.IO packet
        this.onPacket(frame, frame.length); // our frames are ASCII: length is the byte size
        return;
      case 49: // '1' close
        this.ws.close();
        return;
    }
  }

  private onPacket(frame: string, bytes: number) {
    const type = frame.charCodeAt(1) - 48;
    let i = 2;
    if (frame.charCodeAt(i) === 47 /* '/' */) i = frame.indexOf(',', i) + 1;
    let ackId = -1;
    for (let c = frame.charCodeAt(i); c >= 48 && c <= 57; c = frame.charCodeAt(++i)) ackId = (ackId < 0 ? 0 : ackId * 10) + (c - 48);
    const body = i < frame.length ? JSON.parse(frame.slice(i)) : undefined;
    switch (type) {
      case 0:
        this.connected = true;
        this.onConnected();
        return;
      case 4:
        this.onConnected(new Error(`connect refused: ${body?.message ?? frame}`));
        return;
      case 2: {
        this.opts.onEvent?.(body[0], body[1], bytes);
        if (ackId >= 0) this.ws.send(`43${this.prefix}${ackId}[]`);
        return;
      }
      case 3: {
        const waiter = this.acks.get(ackId);
        if (!waiter) return;
        this.acks.delete(ackId);
        clearTimeout(waiter.timer);
        waiter.resolve(body);
        return;
      }
      case 1:
        this.ws.close();
        return;
    }
  }

  emit(name: string, ...args: unknown[]) {
    this.ws.send(`42${this.prefix}${JSON.stringify([name, ...args])}`);
  }

  /** Emits with an acknowledgement; resolves with the ack's first argument. */
  emitWithAck<T = any>(timeoutMs: number, name: string, ...args: unknown[]): Promise<T> {
    const id = this.nextAckId++;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.acks.delete(id);
        reject(new Error(`no ack for ${name} after ${timeoutMs} ms`));
      }, timeoutMs);
      this.acks.set(id, { resolve: (a) => resolve(a[0] as T), reject, timer });
      this.ws.send(`42${this.prefix}${id}${JSON.stringify([name, ...args])}`);
    });
  }

  close() {
    this.ws.terminate();
  }
}
