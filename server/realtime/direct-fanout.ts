import type { Namespace, Server } from 'socket.io';
import { Adapter, type BroadcastOptions } from 'socket.io-adapter';

/**
 * This process's part of a broadcast, with the frame written straight to each idle WebSocket.
 *
 * Why: Socket.IO already encodes a broadcast once, down to the WebSocket frame, but then hands
 * it to every socket through Engine.IO's write path: a packet object, a write buffer, five
 * event emits and a write callback per socket. With 1,000 spectators that made the fan-out
 * about 1.3× a bare `ws` send loop. A socket whose WebSocket has nothing pending can take the
 * frame directly: nothing is queued ahead of it, so the order of its messages is kept. Every
 * other socket (long polling, upgrading, a write still pending, compression on, volatile or
 * binary packets) takes Socket.IO's own path, unchanged.
 *
 * Under load, broadcasts are coalesced: inside `coalescingWrites` (a command emitted several
 * events or others are running, or a batch came from Redis), the TCP socket under each direct
 * write is corked until the event-loop turn ends (setImmediate), so a socket that several
 * broadcasts reach in one turn gets them in one send instead of one each; the send syscall is
 * most of a broadcast's cost per spectator. Everything written to a corked socket in that turn,
 * by either path, waits behind the same cork, so the order of its messages is kept. A lone
 * broadcast is written at once: corking costs about 2 µs per socket, which a single event would
 * only lose.
 *
 * It relies on internals of engine.io's WebSocket transport (its `ws` socket, that socket's
 * sender, the one socket.io uses for its pre-encoded frames, and its TCP socket), checked per
 * socket: a missing one means the normal path. It also calls socket.io-adapter's `_encode`
 * (which pre-computes the frame), `apply` and `rooms` unchecked: an upgrade that changes them
 * fails tests/realtime/direct-fanout.test.ts.
 */

interface WsSender {
  sendFrame(list: Buffer[], cb?: () => void): void;
}
interface TcpSocket {
  cork(): void;
  uncork(): void;
}
interface EngineConn {
  readyState: string;
  writeBuffer: unknown[];
  transport: { name: string; writable: boolean; perMessageDeflate?: unknown; socket?: { readyState: number; _sender?: WsSender; _socket?: TcpSocket } };
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

const WS_OPEN = 1;

/** The idle WebSocket a frame can be written to now, if this connection has one. */
function idleWebSocket(conn: EngineConn): { sender: WsSender; tcp: TcpSocket } | undefined {
  const transport = conn.transport;
  if (conn.readyState !== 'open' || !transport.writable || conn.writeBuffer.length > 0) return undefined;
  if (transport.name !== 'websocket' || transport.perMessageDeflate) return undefined;
  const ws = transport.socket;
  if (ws?.readyState !== WS_OPEN || typeof ws._sender?.sendFrame !== 'function' || typeof ws._socket?.cork !== 'function') return undefined;
  return { sender: ws._sender, tcp: ws._socket };
}

/** TCP sockets corked in this turn; all are uncorked (each writes what it holds) when the turn ends. */
let corked = new Set<TcpSocket>();
let coalescing = false;

/** Whether broadcasts made now are coalesced (inside `coalescingWrites`). */
export const isCoalescing = () => coalescing;

/** Runs `broadcast` with its direct writes held until the end of the turn, with any others of the turn. */
export function coalescingWrites(broadcast: () => void): void {
  const outer = coalescing;
  coalescing = true;
  try {
    broadcast();
  } finally {
    coalescing = outer;
  }
}

function uncorkAll() {
  const batch = corked;
  corked = new Set();
  for (const tcp of batch) tcp.uncork();
}

function corkForThisTurn(tcp: TcpSocket) {
  if (corked.has(tcp)) return;
  if (corked.size === 0) setImmediate(uncorkAll);
  corked.add(tcp);
  tcp.cork();
}

/** What the in-memory adapter's broadcast does, with the direct write where it is safe. */
export function broadcastLocally(adapter: Adapter, packet: { nsp?: string }, opts: BroadcastOptions): void {
  const self = adapter as unknown as AdapterInternals;
  const flags = opts.flags ?? {};
  const packetOpts: { preEncoded: true; volatile?: boolean; compress?: boolean; wsPreEncodedFrame?: Buffer[] } = {
    preEncoded: true,
    volatile: flags.volatile,
    compress: flags.compress,
  };
  packet.nsp = self.nsp.name;
  const encoded = self._encode(packet, packetOpts);
  const parts = packetOpts.wsPreEncodedFrame;
  // One buffer, so that each socket costs one write (the same bytes for every socket).
  const frame = parts && !flags.volatile ? [parts.length === 1 ? parts[0]! : Buffer.concat(parts)] : undefined;
  const send = (socket: BroadcastTarget) => {
    socket.notifyOutgoingListeners?.(packet);
    const direct = frame && idleWebSocket(socket.client.conn);
    if (direct) {
      if (coalescing) corkForThisTurn(direct.tcp);
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

/** The in-memory adapter (one process, no Redis) with the direct fan-out. */
export class DirectAdapter extends Adapter {
  override broadcast(packet: { nsp?: string }, opts: BroadcastOptions): void {
    broadcastLocally(this, packet, opts);
  }
}

/** Uses DirectAdapter for every namespace of `io` (without Redis; the Redis adapter calls broadcastLocally itself). */
export function useDirectAdapter(io: Server): void {
  io.adapter(DirectAdapter as never);
}
