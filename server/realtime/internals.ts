import { RedisAdapter } from '@socket.io/redis-adapter';
import type { Namespace } from 'socket.io';
import { Adapter, type BroadcastOptions } from 'socket.io-adapter';

/**
 * Every use of another package's internals is in this module, and nowhere else.
 *
 * Why: the direct fan-out (direct-fanout.ts) is fast because it writes a broadcast's frame
 * straight to each idle WebSocket and delivers Redis messages itself; both need parts of
 * Socket.IO that are not its public API. Kept in one place, they are listed (INTERNALS),
 * checked once when a hub starts and on its first WebSocket connection (a missing one: the hub
 * logs a warning and takes the stock path, so an upgrade costs speed, not correctness), and
 * pinned by tests/realtime/internals.contract.test.ts, which names the one that changed.
 * package.json pins these packages to exact versions.
 *
 * Used: socket.io-adapter's `_encode` (and the WebSocket frame it pre-computes) and `apply`;
 * socket.io's `Socket#client.writeToEngine` and `notifyOutgoingListeners`; engine.io's
 * `conn.writeBuffer` and its WebSocket transport's `ws` socket; ws's `_sender.sendFrame` and
 * `_socket` (the TCP socket, corked); @socket.io/redis-adapter's `onmessage` (overridden, to
 * deliver other processes' broadcasts with the direct write), its channel names and the first
 * bytes of its messages (to drop our own echo before decoding).
 */

/** A Socket.IO packet as adapters get it. */
export interface Packet {
  type?: number;
  data?: unknown[];
  nsp?: string;
  id?: number;
}
/** What a direct write may hold until the turn ends: the TCP socket under a WebSocket. */
export interface Corkable {
  cork(): void;
  uncork(): void;
}

interface WsSender {
  sendFrame(list: Buffer[], cb?: () => void): void;
}
interface WsSocket {
  readyState: number;
  _sender?: WsSender;
  _socket?: Corkable;
}
interface EngineConn {
  readyState: string;
  writeBuffer: unknown[];
  transport: { name: string; writable: boolean; perMessageDeflate?: unknown; socket?: WsSocket };
}
interface BroadcastTarget {
  notifyOutgoingListeners?: (packet: unknown) => void;
  client: { conn: EngineConn; writeToEngine(encoded: unknown[], opts: object): void };
}
interface AdapterInternals {
  nsp: Namespace;
  rooms: Map<string, Set<string>>;
  _encode(packet: unknown, packetOpts: object): unknown[];
  apply(opts: BroadcastOptions, callback: (socket: BroadcastTarget) => void): void;
}
type PacketOpts = { preEncoded: true; volatile?: boolean; compress?: boolean; wsPreEncodedFrame?: Buffer[] };

const WS_OPEN = 1;
const REVISE = 'the direct fan-out (server/realtime/internals.ts) must be revised, or RT_FANOUT=stock used';

/** What a check is given: an adapter of the hub's namespace and, for socket-level checks, a server socket connected over WebSocket. */
export interface Probe {
  adapter: Adapter;
  socket?: unknown;
}
/** One internal the direct path relies on. */
export interface Internal {
  /** The package, at the version the check was written for. */
  owner: string;
  name: string;
  /** Needs a connected WebSocket (checked on the first one). */
  perSocket: boolean;
  present(probe: Probe): boolean;
}

const adapterOf = (p: Probe) => p.adapter as unknown as AdapterInternals;
const targetOf = (p: Probe) => p.socket as BroadcastTarget | undefined;
const wsOf = (p: Probe) => targetOf(p)?.client?.conn?.transport?.socket;
const isFn = (v: unknown) => typeof v === 'function';

/** A sample broadcast encoded as the adapter does it: the frame it pre-computes for WebSockets. */
function sampleFrame(p: Probe): Buffer[] | undefined {
  const opts: PacketOpts = { preEncoded: true };
  const encoded = adapterOf(p)._encode({ type: 2, data: ['probe', 1], nsp: '/' }, opts);
  return Array.isArray(encoded) && typeof encoded[0] === 'string' ? opts.wsPreEncodedFrame : undefined;
}

export const INTERNALS: readonly Internal[] = [
  { owner: 'socket.io-adapter 2.5', name: 'Adapter#_encode(packet, packetOpts)', perSocket: false, present: (p) => isFn(adapterOf(p)._encode) },
  {
    owner: 'socket.io-adapter 2.5',
    name: 'packetOpts.wsPreEncodedFrame (set by Adapter#_encode)',
    perSocket: false,
    present: (p) => {
      const frame = sampleFrame(p);
      return Array.isArray(frame) && frame.length > 0 && frame.every((b) => Buffer.isBuffer(b));
    },
  },
  { owner: 'socket.io-adapter 2.5', name: 'Adapter#apply(opts, callback)', perSocket: false, present: (p) => isFn(adapterOf(p).apply) },
  {
    owner: '@socket.io/redis-adapter 8.3',
    name: 'RedisAdapter#onmessage(pattern, channel, message)',
    perSocket: false,
    present: () => isFn((RedisAdapter.prototype as unknown as { onmessage?: unknown }).onmessage),
  },
  { owner: 'socket.io 4.8', name: 'Socket#client.writeToEngine(packets, opts)', perSocket: true, present: (p) => isFn(targetOf(p)?.client?.writeToEngine) },
  { owner: 'socket.io 4.8', name: 'Socket#notifyOutgoingListeners(packet)', perSocket: true, present: (p) => isFn(targetOf(p)?.notifyOutgoingListeners) },
  { owner: 'engine.io 6.6', name: 'Socket#writeBuffer (array)', perSocket: true, present: (p) => Array.isArray(targetOf(p)?.client?.conn?.writeBuffer) },
  {
    owner: 'engine.io 6.6',
    name: 'WebSocket transport `socket` (its ws WebSocket, with readyState)',
    perSocket: true,
    present: (p) => {
      const transport = targetOf(p)?.client?.conn?.transport;
      return transport?.name === 'websocket' && typeof transport.writable === 'boolean' && typeof wsOf(p)?.readyState === 'number';
    },
  },
  { owner: 'ws 8.x', name: 'WebSocket#_sender.sendFrame(list, cb)', perSocket: true, present: (p) => isFn(wsOf(p)?._sender?.sendFrame) },
  {
    owner: 'ws 8.x',
    name: 'WebSocket#_socket (the net.Socket, with cork/uncork)',
    perSocket: true,
    present: (p) => isFn(wsOf(p)?._socket?.cork) && isFn(wsOf(p)?._socket?.uncork),
  },
];

/** One line per missing internal, naming it and its package. */
export function missingInternals(probe: Probe, which: 'adapter' | 'socket' | 'all' = 'all'): string[] {
  const picked = INTERNALS.filter((i) => which === 'all' || i.perSocket === (which === 'socket'));
  return picked.filter((i) => !safely(() => i.present(probe))).map((i) => `${i.owner} no longer provides \`${i.name}\`: ${REVISE}`);
}
function safely(check: () => boolean): boolean {
  try {
    return check();
  } catch {
    return false;
  }
}

/** The idle WebSocket a frame can be written to now, if this connection has one. */
function idleWebSocket(conn: EngineConn): { sender: WsSender; tcp: Corkable } | undefined {
  const transport = conn.transport;
  if (conn.readyState !== 'open' || !transport.writable || conn.writeBuffer.length > 0) return undefined;
  if (transport.name !== 'websocket' || transport.perMessageDeflate) return undefined;
  const ws = transport.socket;
  if (ws?.readyState !== WS_OPEN || typeof ws._sender?.sendFrame !== 'function' || typeof ws._socket?.cork !== 'function') return undefined;
  return { sender: ws._sender, tcp: ws._socket };
}

/**
 * What the in-memory adapter's broadcast does, with the frame written straight to each idle
 * WebSocket. `hold`, when given, is called with each TCP socket before its direct write (the
 * caller corks it until the turn ends).
 */
export function broadcastDirect(adapter: Adapter, packet: Packet, opts: BroadcastOptions, hold?: (tcp: Corkable) => void): void {
  const self = adapter as unknown as AdapterInternals;
  const flags = opts.flags ?? {};
  const packetOpts: PacketOpts = { preEncoded: true, volatile: flags.volatile, compress: flags.compress };
  packet.nsp = self.nsp.name;
  const encoded = self._encode(packet, packetOpts);
  const parts = packetOpts.wsPreEncodedFrame;
  // One buffer, so that each socket costs one write (the same bytes for every socket).
  const frame = parts && !flags.volatile ? [parts.length === 1 ? parts[0]! : Buffer.concat(parts)] : undefined;
  const send = (socket: BroadcastTarget) => {
    socket.notifyOutgoingListeners?.(packet);
    const direct = frame && idleWebSocket(socket.client.conn);
    if (direct) {
      hold?.(direct.tcp);
      direct.sender.sendFrame(frame);
    } else socket.client.writeToEngine(encoded, packetOpts);
  };
  // One room and no exceptions (every event and presence broadcast): its members are distinct,
  // so they need not be collected into a set first as `apply` does for the general case.
  if (opts.rooms.size === 1 && (!opts.except || opts.except.size === 0)) {
    const [room] = opts.rooms;
    for (const id of self.rooms.get(room!) ?? []) {
      const socket = self.nsp.sockets.get(id) as unknown as BroadcastTarget | undefined;
      if (socket) send(socket);
    }
    return;
  }
  self.apply(opts, send);
}

/** The stock local broadcast (the in-memory adapter's, as published), for any adapter. */
export function broadcastStock(adapter: Adapter, packet: Packet, opts: BroadcastOptions): void {
  Adapter.prototype.broadcast.call(adapter, packet, opts);
}

/** Serializes what goes through Redis: the Redis adapter's parser (msgpack by default). */
export interface Parser {
  encode(msg: unknown): Buffer;
  decode(msg: Buffer): unknown;
}
/** The classic adapter's options for a broadcast, as they travel in its messages. */
export type RawOpts = { rooms: unknown[]; except: unknown[]; flags?: BroadcastOptions['flags'] };

/** The channel the classic adapter publishes a broadcast on: its room's when there is one room. */
export function classicChannel(key: string, nsp: string, rooms: readonly unknown[]): string {
  const base = `${key}#${nsp}#`;
  return rooms.length === 1 ? `${base}${String(rooms[0])}#` : base;
}

/** The first bytes of every message the classic adapter with this uid publishes (msgpack `[uid, …`). */
export function classicHead(uid: string): Buffer {
  const body = Buffer.from(uid, 'utf8');
  if (body.length >= 32) throw new Error('adapter uid too long');
  return Buffer.concat([Buffer.from([0x93, 0xa0 | body.length]), body]);
}

export interface DirectRedisHooks {
  /** Every broadcast the namespace makes (`flags.local`: this process's sockets only). */
  broadcast(adapter: Adapter, packet: Packet, opts: BroadcastOptions): void;
  /** Another process's broadcast, to deliver to this process's sockets. */
  deliver(adapter: Adapter, packet: Packet, opts: BroadcastOptions): void;
  /** Several broadcasts delivered together (a batch of the previous format). */
  together(deliver: () => void): void;
}

/** The published RedisAdapter's public face plus what the direct path reads of it. */
export type DirectRedisAdapter = RedisAdapter & { readonly uid: string; readonly parser: Parser };

/**
 * The published Redis adapter, with every broadcast handed to `hooks` and other processes'
 * broadcasts delivered by `hooks.deliver` (the direct write) instead of Engine.IO's path.
 */
export function directRedisAdapter(pub: unknown, sub: unknown, opts: { key: string; requestsTimeout: number }, hooks: DirectRedisHooks) {
  class DirectRedis extends RedisAdapter {
    readonly head: Buffer;
    readonly channelPrefix: string;
    constructor(nsp: Namespace) {
      super(nsp, pub, sub, opts);
      this.head = classicHead(String(this.uid));
      this.channelPrefix = classicChannel(opts.key, nsp.name, []);
    }
    override broadcast(packet: Packet, broadcastOpts: BroadcastOptions): void {
      hooks.broadcast(this, packet, broadcastOpts);
    }
    /** The classic broadcast (publish, then Engine.IO's local path): for what `hooks` leaves to it. */
    classicBroadcast(packet: Packet, broadcastOpts: BroadcastOptions): void {
      super.broadcast(packet, broadcastOpts);
    }
    deliverOne(packet: Packet | undefined, raw: RawOpts | undefined) {
      if (!packet || !raw) return;
      if (packet.nsp === undefined) packet.nsp = '/';
      if (packet.nsp !== this.nsp.name) return;
      if (raw.rooms.length === 1 && !this.rooms.has(raw.rooms[0] as string)) return;
      hooks.deliver(this, packet, { rooms: new Set(raw.rooms as string[]), except: new Set(raw.except as string[]), flags: raw.flags });
    }
  }
  // Overrides the published adapter's private message handler (its constructor subscribes `this.onmessage`).
  (DirectRedis.prototype as unknown as { onmessage: (this: DirectRedis, pattern: Buffer | null, channel: Buffer, msg: Buffer) => void }).onmessage = function (
    _pattern,
    channelBytes,
    msg,
  ) {
    if (msg.length > this.head.length && this.head.compare(msg, 0, this.head.length) === 0) return; // our own echo
    const channel = channelBytes.toString();
    if (!channel.startsWith(this.channelPrefix)) return;
    // A room's channel ends with `<room>#`: nothing to decode for a room nobody here is in.
    const room = channel.slice(this.channelPrefix.length, -1);
    if (room !== '' && !this.rooms.has(room)) return;
    const [uid, packet, raw] = (this.parser as Parser).decode(msg) as [unknown, Packet | 0 | undefined, RawOpts | [Packet, RawOpts][]];
    if (uid === this.uid) return;
    // `[uid, 0, [[packet, opts]…]]`: a batch as the previous release of this hub sent it, read
    // during the rolling deploy away from it (the published adapter ignores it: packet 0).
    if (packet === 0 && Array.isArray(raw)) return hooks.together(() => raw.forEach(([p, o]) => this.deliverOne(p, o)));
    if (packet && !Array.isArray(raw)) this.deliverOne(packet, raw);
  };
  return DirectRedis;
}
export type DirectRedisClass = ReturnType<typeof directRedisAdapter>;
