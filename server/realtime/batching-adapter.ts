import type { BroadcastOptions } from 'socket.io-adapter';
import type { Packet, Parser, RawOpts } from './internals';

/**
 * The broadcasts of one event-loop turn, sent to the other processes as one PUBLISH.
 *
 * Why: every PUBLISH costs the sender an ioredis command (objects, a promise, a reply to
 * parse) and its own echo (each process is subscribed to what it publishes), and costs every
 * other process one message to take in. With many small rooms that per-message cost was most
 * of what Redis added to a broadcast; the fan-out itself is the same.
 *
 * - A broadcast is encoded at once (the caller may change its objects afterwards) as the
 *   classic adapter encodes it, `[uid, packet, opts]` with the adapter's parser, and queued.
 *   The queue is published when the turn ends (setImmediate), or at once when this broadcast
 *   has many local recipients (the other processes should not wait for that local fan-out) or
 *   the queue is large. While writes are coalesced (the command bus said more events are about
 *   to follow), the local fan-out waits for the end of the turn too, so the queue waits with it
 *   and the other processes get the turn's events as one batch, which they coalesce in turn.
 * - Several go as one batch on the batch channel, in a versioned format of our own (below);
 *   one alone goes as the classic adapter sends it when this process can (the direct path),
 *   else as a batch of one.
 * - Both paths (RT_FANOUT=direct and stock) read batches, with Socket.IO's public API: in a
 *   rolling deploy, processes of both kinds on one Redis get every event. A message of a
 *   format this process does not know (a newer release) is not dropped silently: it calls
 *   `unreadable`, and the fan-out tells this process's clients the head of every room they
 *   watch, so that those who missed something replay it from the log.
 * - The adapter's own publishes (requests: disconnectSockets…) flush the queue first
 *   (fanout.ts), so a broadcast and a request sent after it stay in that order; batches go on
 *   the same connections as the adapter's messages, so Redis keeps their order.
 *
 * Batch format 2: `DTXB`, the version byte (2), the sender's uid (a length byte, then UTF-8),
 * then each entry as a 4-byte big-endian length and the entry's bytes (`[uid, packet, opts]`,
 * encoded by the adapter's parser). A new layout gets a new version; readers of this one
 * resync on anything else.
 */
export const BATCH_FORMAT = 2;
const MAGIC = Buffer.from('DTXB', 'latin1');

/** Local recipients from which a broadcast is published at once rather than at the end of the turn. */
const FLUSH_NOW_RECIPIENTS = 32;
const MAX_QUEUED = 500;
const MAX_QUEUED_BYTES = 256 * 1024;

export interface Batcher {
  /** Queues a broadcast for the other processes (this process delivers it itself). */
  enqueue(packet: Packet, opts: BroadcastOptions): void;
  /** Publishes what is queued. */
  flush(): void;
  /** A message on the batch channel. */
  receive(msg: Buffer): void;
}

export interface BatcherDeps {
  /** The adapter's uid and parser (both public on the published RedisAdapter). */
  uid: string;
  parser: Parser;
  /** The channel batches travel on. */
  channel: string;
  publish(channel: string, message: Buffer): void;
  /** The classic channel of a lone broadcast, when this process sends lone ones classic. */
  classicChannel?: (rooms: readonly unknown[]) => string;
  /** Delivers another process's broadcast to this process's sockets. */
  deliver(packet: Packet, opts: BroadcastOptions): void;
  /** Runs `deliver`s whose writes may be coalesced; and whether writes are being coalesced now. */
  coalescing(deliver: () => void): void;
  isCoalescing(): boolean;
  /** This process's sockets in these rooms (an upper bound). */
  localRecipients(rooms: ReadonlySet<string>): number;
  /** A message this process cannot read: its clients may have missed events. */
  unreadable(why: string): void;
}

/** The header of every batch `uid` sends in this format. */
export function batchHead(uid: string, version = BATCH_FORMAT): Buffer {
  const id = Buffer.from(uid, 'utf8');
  if (id.length > 255) throw new Error('uid too long');
  return Buffer.concat([MAGIC, Buffer.from([version, id.length]), id]);
}

/** Encodes entries (each already encoded) as one batch. */
export function encodeBatch(uid: string, entries: readonly Buffer[], version = BATCH_FORMAT): Buffer {
  const parts: Buffer[] = [batchHead(uid, version)];
  for (const entry of entries) {
    const length = Buffer.allocUnsafe(4);
    length.writeUInt32BE(entry.length);
    parts.push(length, entry);
  }
  return Buffer.concat(parts);
}

export function createBatcher(deps: BatcherDeps): Batcher {
  const head = batchHead(deps.uid);
  let queue: { rooms: unknown[]; entry: Buffer }[] = [];
  let queuedBytes = 0;
  let scheduled: NodeJS.Immediate | undefined;

  function flush() {
    if (scheduled) clearImmediate(scheduled);
    scheduled = undefined;
    const queued = queue;
    if (queued.length === 0) return;
    queue = [];
    queuedBytes = 0;
    if (queued.length === 1 && deps.classicChannel) deps.publish(deps.classicChannel(queued[0]!.rooms), queued[0]!.entry);
    else
      deps.publish(
        deps.channel,
        encodeBatch(
          deps.uid,
          queued.map((q) => q.entry),
        ),
      );
  }

  function decode(msg: Buffer): [Packet, RawOpts][] | string {
    if (msg.length < MAGIC.length + 2 || MAGIC.compare(msg, 0, MAGIC.length) !== 0) return 'not a batch';
    const version = msg[MAGIC.length]!;
    if (version !== BATCH_FORMAT) return `batch format ${version} (this process reads ${BATCH_FORMAT})`;
    const entries: [Packet, RawOpts][] = [];
    let at = MAGIC.length + 2 + msg[MAGIC.length + 1]!;
    while (at < msg.length) {
      if (at + 4 > msg.length) return 'truncated batch';
      const end = at + 4 + msg.readUInt32BE(at);
      if (end > msg.length) return 'truncated batch';
      const [, packet, raw] = deps.parser.decode(msg.subarray(at + 4, end)) as [unknown, Packet, RawOpts];
      entries.push([packet, raw]);
      at = end;
    }
    return entries;
  }

  return {
    enqueue(packet, opts) {
      const rooms = [...opts.rooms];
      const raw: RawOpts = { rooms, except: [...new Set(opts.except)], flags: opts.flags };
      const entry = deps.parser.encode([deps.uid, packet, raw]);
      queue.push({ rooms, entry });
      queuedBytes += entry.length;
      const bigRoom = !deps.isCoalescing() && deps.localRecipients(opts.rooms) >= FLUSH_NOW_RECIPIENTS;
      if (bigRoom || queue.length >= MAX_QUEUED || queuedBytes >= MAX_QUEUED_BYTES) flush();
      else scheduled ??= setImmediate(flush);
    },
    flush,
    receive(msg) {
      if (msg.length > head.length && head.compare(msg, 0, head.length) === 0) return; // our own
      let entries: [Packet, RawOpts][] | string;
      try {
        entries = decode(msg);
      } catch (err) {
        entries = `malformed batch: ${(err as Error).message}`;
      }
      if (typeof entries === 'string') return deps.unreadable(entries);
      const deliver = () => {
        for (const [packet, raw] of entries) {
          if (!packet || !raw || !Array.isArray(raw.rooms)) continue;
          if ((packet.nsp ?? '/') !== '/') continue; // the hub has one namespace
          const rooms = new Set(raw.rooms as string[]);
          if (rooms.size === 1 && deps.localRecipients(rooms) === 0) continue;
          packet.nsp = '/';
          deps.deliver(packet, { rooms, except: new Set(raw.except as string[]), flags: { ...raw.flags, local: true } });
        }
      };
      // A batch: a socket in several of its rooms (or one room twice) gets it in one send.
      if (entries.length > 1) deps.coalescing(deliver);
      else deliver();
    },
  };
}
