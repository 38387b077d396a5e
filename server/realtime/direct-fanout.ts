import type { Logger } from 'pino';
import type { Server } from 'socket.io';
import { Adapter, type BroadcastOptions } from 'socket.io-adapter';
import { broadcastDirect, broadcastStock, type Corkable, missingInternals, type Packet } from './internals';

/**
 * This process's part of a broadcast, with the frame written straight to each idle WebSocket
 * (RT_FANOUT=direct, the default). One writer per hub: nothing here is shared between hubs.
 *
 * Why: Socket.IO already encodes a broadcast once, down to the WebSocket frame, but then hands
 * it to every socket through Engine.IO's write path: a packet object, a write buffer, five
 * event emits and a write callback per socket. With 1,000 spectators that made the fan-out
 * about 1.3× a bare `ws` send loop. A socket whose WebSocket has nothing pending can take the
 * frame directly: nothing is queued ahead of it, so the order of its messages is kept. Every
 * other socket (long polling, upgrading, a write still pending, compression on, volatile or
 * binary packets) takes Socket.IO's own path, unchanged. The internals this needs are all in
 * internals.ts.
 *
 * Under load, broadcasts are coalesced: inside `coalescing` (a command emitted several events
 * or others are running, or a batch came from Redis), the TCP socket under each direct write
 * is corked until the event-loop turn ends (setImmediate), so a socket that several broadcasts
 * reach in one turn gets them in one send instead of one each; the send syscall is most of a
 * broadcast's cost per spectator. Everything written to a corked socket in that turn, by
 * either path, waits behind the same cork, so the order of its messages is kept. A lone
 * broadcast is written at once: corking costs about 2 µs per socket, which a single event
 * would only lose.
 */
export interface LocalWriter {
  /** Delivers a broadcast to this process's sockets. */
  broadcast(adapter: Adapter, packet: Packet, opts: BroadcastOptions): void;
  /** Runs `broadcast` with its direct writes held until the end of the turn, with any others of the turn. */
  coalescing(broadcast: () => void): void;
  /** Whether broadcasts made now are coalesced. */
  isCoalescing(): boolean;
}

/** RT_FANOUT=stock, or an internal missing: Socket.IO's own local broadcast, nothing held. */
export const stockWriter: LocalWriter = {
  broadcast: broadcastStock,
  coalescing: (broadcast) => broadcast(),
  isCoalescing: () => false,
};

/**
 * The direct writer of one hub, or the stock one when an internal it needs is missing (logged).
 * The per-socket internals are checked on the hub's first WebSocket connection: missing, the
 * writer turns to the stock path from then on.
 */
export function createDirectWriter(io: Server, log: Logger): LocalWriter {
  const missing = missingInternals({ adapter: new Adapter(io.of('/')) }, 'adapter');
  if (missing.length > 0) {
    for (const line of missing) log.warn(line);
    log.warn('RT_FANOUT=direct: falling back to the stock Socket.IO fan-out');
    return stockWriter;
  }
  /** TCP sockets corked in this turn; all are uncorked (each writes what it holds) when the turn ends. */
  let corked = new Set<Corkable>();
  let coalescing = false;
  let disabled = false;

  const uncorkAll = () => {
    const batch = corked;
    corked = new Set();
    for (const tcp of batch) tcp.uncork();
  };
  const hold = (tcp: Corkable) => {
    if (corked.has(tcp)) return;
    if (corked.size === 0) setImmediate(uncorkAll);
    corked.add(tcp);
    tcp.cork();
  };

  // The per-socket internals, on the first socket that speaks WebSocket (most start on polling).
  const checkSocket = (socket: { conn: { transport: { name: string }; once(event: 'upgrade', cb: () => void): void } }) => {
    if (socket.conn.transport.name !== 'websocket') return socket.conn.once('upgrade', () => checkSocket(socket));
    io.off('connection', checkSocket);
    const lines = missingInternals({ adapter: io.of('/').adapter, socket }, 'socket');
    if (lines.length === 0 || disabled) return;
    disabled = true;
    for (const line of lines) log.warn(line);
    log.warn('RT_FANOUT=direct: falling back to the stock Socket.IO fan-out');
  };
  io.on('connection', checkSocket);

  return {
    broadcast(adapter, packet, opts) {
      if (disabled) broadcastStock(adapter, packet, opts);
      else broadcastDirect(adapter, packet, opts, coalescing ? hold : undefined);
    },
    coalescing(broadcast) {
      const outer = coalescing;
      coalescing = true;
      try {
        broadcast();
      } finally {
        coalescing = outer;
      }
    },
    isCoalescing: () => coalescing,
  };
}

/** The in-memory adapter (one process, no Redis) writing through `writer`. */
export function writerAdapter(writer: LocalWriter) {
  return class WriterAdapter extends Adapter {
    readonly writer = writer;
    override broadcast(packet: Packet, opts: BroadcastOptions): void {
      writer.broadcast(this, packet, opts);
    }
  };
}

/**
 * Runs `broadcast` coalesced on the hub of `io` (tests and benchmarks: the realtime layer has
 * its fan-out's `coalescing`). On the stock path it just runs it.
 */
export function coalescingWrites(io: Server, broadcast: () => void): void {
  const writer = (io.of('/').adapter as { writer?: LocalWriter }).writer;
  if (writer) writer.coalescing(broadcast);
  else broadcast();
}
