import { RedisAdapter } from '@socket.io/redis-adapter';
import type { Logger } from 'pino';
import type { Namespace } from 'socket.io';
import type { BroadcastOptions } from 'socket.io-adapter';
import { broadcastLocally, coalescingWrites, isCoalescing } from './direct-fanout';

/**
 * The classic Redis adapter, with the broadcasts of one event-loop turn sent as one PUBLISH.
 *
 * Why: every PUBLISH costs the sender an ioredis command (objects, a promise, a reply to
 * parse) and its own echo (each process is subscribed to what it publishes), and costs every
 * other process one message to take in. With many small rooms that per-message cost was most
 * of what Redis added to a broadcast; the fan-out itself is the same.
 *
 * - A broadcast is encoded at once (the caller may change its objects afterwards), queued,
 *   and delivered locally (a command's event is published with `publishToOthers`, and
 *   delivered locally by the realtime layer once the command's cache invalidation is done).
 *   The queue is published when the turn ends (setImmediate), or at once when this broadcast
 *   has many local recipients (the other processes should not wait for that local fan-out) or
 *   the queue is large. While writes are coalesced (direct-fanout.ts:
 *   the command bus said more events are about to follow), the local fan-out waits for the
 *   end of the turn too, so the queue waits with it and the other processes get the turn's
 *   events as one batch, which they coalesce in turn.
 * - A queue of one goes out exactly as the classic adapter sends it (same channel, same
 *   bytes). Several go as one message on the namespace channel: `[uid, 0, [[packet, opts]…]]`.
 *   A process running the plain adapter ignores it (a packet of 0 is "another namespace"),
 *   so during a rolling deploy old processes miss batched events; their clients resync from
 *   the log when they reconnect to a new one.
 * - Any other publish of the adapter (requests: disconnectSockets, fetchSockets…) first
 *   flushes the queue (see `flushBefore`), so a broadcast and a request sent after it stay in
 *   that order.
 * - A process drops its own messages by their first bytes, before decoding them.
 *
 * The framing is msgpack written by hand around the parser's output: it relies on the
 * adapter's default parser (notepack.io), which createFanOut keeps.
 */

/** Local recipients from which a broadcast is published at once rather than at the end of the turn. */
const FLUSH_NOW_RECIPIENTS = 32;
const MAX_QUEUED = 500;
const MAX_QUEUED_BYTES = 256 * 1024;

interface Parser {
  encode(msg: unknown): Buffer;
  decode(msg: Buffer): unknown;
}
interface Publisher {
  publish(channel: string, message: Buffer): Promise<unknown>;
}
type RawOpts = { rooms: unknown[]; except: unknown[]; flags?: BroadcastOptions['flags'] };

/** What this class uses of RedisAdapter's internals (typed private there); pinned by the package version. */
interface RedisAdapterInternals {
  readonly nsp: Namespace;
  readonly uid: string;
  readonly parser: Parser;
  readonly channel: string;
  readonly rooms: Map<unknown, Set<string>>;
  readonly sids: Map<string, Set<unknown>>;
  broadcast(packet: { nsp?: string }, opts: BroadcastOptions): void;
  onmessage(pattern: Buffer | null, channel: Buffer, msg: Buffer): void;
  hasRoom(room: unknown): boolean;
  close(): Promise<void> | void;
}
const Base = RedisAdapter as unknown as new (nsp: Namespace, pub: unknown, sub: unknown, opts: object) => RedisAdapterInternals;

/** msgpack headers: fixarray / array 16, fixstr / str 8. */
const arrayHeader = (n: number) => (n < 16 ? Buffer.from([0x90 | n]) : Buffer.from([0xdc, n >> 8, n & 0xff]));
function strBytes(s: string): Buffer {
  const body = Buffer.from(s, 'utf8');
  if (body.length >= 256) throw new Error('adapter uid too long');
  return Buffer.concat([body.length < 32 ? Buffer.from([0xa0 | body.length]) : Buffer.from([0xd9, body.length]), body]);
}

export class BatchingRedisAdapter extends Base {
  private queue: { channel: string; entry: Buffer }[] = [];
  private queuedBytes = 0;
  private scheduled: NodeJS.Immediate | undefined;
  /** `[uid, …` as the classic adapter's messages begin: ours (classic or batch) start with it. */
  private readonly head: Buffer;
  private readonly batchHead: Buffer;

  constructor(
    nsp: Namespace,
    pub: Publisher,
    sub: unknown,
    opts: object,
    private readonly deps: { publish: Publisher['publish']; log: Logger; live: Set<BatchingRedisAdapter> },
  ) {
    super(nsp, pub, sub, opts);
    this.head = Buffer.concat([Buffer.from([0x93]), strBytes(this.uid)]);
    this.batchHead = Buffer.concat([this.head, Buffer.from([0x00])]);
    deps.live.add(this);
  }

  override broadcast(packet: { nsp?: string }, opts: BroadcastOptions): void {
    if (opts.flags?.local) return broadcastLocally(this as never, packet, opts); // no publish
    this.publishToOthers(packet, opts);
    broadcastLocally(this as never, packet, opts);
  }

  /**
   * The other processes' part of a broadcast: this process delivers it itself, later (the
   * realtime layer does, once the command's cache invalidation is done).
   */
  publishToOthers(packet: { nsp?: string }, opts: BroadcastOptions): void {
    packet.nsp = this.nsp.name;
    const rooms = [...opts.rooms];
    const raw: RawOpts = { rooms, except: [...new Set(opts.except)], flags: opts.flags };
    const entry = this.parser.encode([packet, raw]);
    this.queue.push({ channel: rooms.length === 1 ? `${this.channel}${String(rooms[0])}#` : this.channel, entry });
    this.queuedBytes += entry.length;
    const bigRoom = !isCoalescing() && this.localRecipients(opts) >= FLUSH_NOW_RECIPIENTS;
    if (bigRoom || this.queue.length >= MAX_QUEUED || this.queuedBytes >= MAX_QUEUED_BYTES) this.flush();
    else this.scheduled ??= setImmediate(this.flush);
  }

  /** Publishes what is queued: one classic message, or one batch. */
  readonly flush = () => {
    if (this.scheduled) clearImmediate(this.scheduled);
    this.scheduled = undefined;
    const queued = this.queue;
    if (queued.length === 0) return;
    this.queue = [];
    this.queuedBytes = 0;
    // [packet, opts] → [uid, packet, opts]: the same elements after a 3-array header and the uid.
    if (queued.length === 1 && queued[0]!.entry[0] === 0x92) {
      void this.deps.publish(queued[0]!.channel, Buffer.concat([this.head, queued[0]!.entry.subarray(1)]));
      return;
    }
    void this.deps.publish(this.channel, Buffer.concat([this.batchHead, arrayHeader(queued.length), ...queued.map((q) => q.entry)]));
  };

  /** An upper bound of this process's sockets the broadcast reaches. */
  private localRecipients(opts: BroadcastOptions): number {
    if (opts.rooms.size === 0) return this.sids.size;
    let n = 0;
    for (const room of opts.rooms) n += this.rooms.get(room)?.size ?? 0;
    return n;
  }

  /**
   * A broadcast from another process: a batch, or a classic message (decoded as the classic
   * adapter does), delivered to this process's sockets with the direct fan-out.
   */
  override onmessage(_pattern: Buffer | null, channelBytes: Buffer, msg: Buffer): void {
    if (msg.length > this.head.length && this.head.compare(msg, 0, this.head.length) === 0) return; // our own
    const channel = channelBytes.toString();
    if (!channel.startsWith(this.channel)) return;
    // A room's channel ends with `<room>#`: nothing to decode for a room nobody here is in.
    const room = channel.slice(this.channel.length, -1);
    if (room !== '' && !this.hasRoom(room)) return;
    let entries: [{ nsp?: string } | undefined, RawOpts][];
    try {
      const decoded = this.parser.decode(msg) as [string, unknown, unknown];
      entries = isBatch(msg) ? (decoded[2] as [{ nsp?: string }, RawOpts][]) : [[decoded[1] as { nsp?: string }, decoded[2] as RawOpts]];
    } catch (err) {
      this.deps.log.warn({ err }, 'ignored a malformed fan-out message from redis');
      return;
    }
    const deliver = () => {
      for (const [packet, raw] of entries) {
        if (packet && packet.nsp === undefined) packet.nsp = '/';
        if (!packet || packet.nsp !== this.nsp.name || !raw) continue;
        if (raw.rooms.length === 1 && !this.hasRoom(raw.rooms[0])) continue;
        broadcastLocally(this as never, packet, { rooms: new Set(raw.rooms as string[]), except: new Set(raw.except as string[]), flags: raw.flags });
      }
    };
    // A batch: a socket in several of its rooms (or one room twice) gets it in one send.
    if (entries.length > 1) coalescingWrites(deliver);
    else deliver();
  }

  override close() {
    this.flush();
    this.deps.live.delete(this);
    return super.close();
  }
}

/** `[<str>, 0, …`: a batch (a classic message has the packet, a map, second). */
function isBatch(msg: Buffer): boolean {
  if (msg[0] !== 0x93) return false;
  const h = msg[1]!;
  const uidEnd = (h & 0xe0) === 0xa0 ? 2 + (h & 0x1f) : h === 0xd9 ? 3 + msg[2]! : -1;
  return uidEnd > 0 && msg[uidEnd] === 0x00;
}
