import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { Server } from 'socket.io';
import type { Db } from '../db/knex';
import { closeRedis } from '../redis/close';
import { reconnectWhenSilent } from '../redis/connections';
import { createAdapter, type RedisAdapter } from '@socket.io/redis-adapter';
import { type Batcher, createBatcher } from './batching-adapter';
import { createDirectWriter, type LocalWriter, stockWriter, writerAdapter } from './direct-fanout';
import { classicChannel, directRedisAdapter, type Packet, type Parser } from './internals';

/**
 * Fan-out between processes: the classic @socket.io/redis-adapter (Redis pub/sub), with the
 * broadcasts of one event-loop turn sent as one message (batching-adapter.ts). Two paths, one
 * switch (RT_FANOUT), per hub:
 * - direct (default): each process writes to its own sockets with the direct fan-out
 *   (direct-fanout.ts), with or without Redis, and delivers other processes' broadcasts with it.
 *   It needs Socket.IO internals (internals.ts): checked at start, and the hub falls back to
 *   the stock path with a warning when one is missing.
 * - stock: the adapters as published (the in-memory one, or RedisAdapter); events for the
 *   other processes still go in batches, which both paths read, so processes of both kinds can
 *   share one Redis (a rolling deploy, or a switch back from stock).
 *
 * Why classic and not the streams adapter: the streams adapter's advantage is connection-state
 * recovery (it keeps recent packets in a Redis stream and replays them to a reconnecting
 * socket). We do not need that: every event is in our own event log with a per-room seq, and a
 * client that reconnects (to any process, after any delay, even after a restart) rejoins
 * with its last seq and gets exactly the missed events from the log. Pub/sub costs a
 * PUBLISH per turn and keeps nothing in Redis; a stream would add an XADD per broadcast,
 * a blocking XREAD loop per process and memory in Redis, for a replay we already have.
 *
 * When Redis is down the hub keeps going: broadcasts reach this process's own sockets only
 * (publishes are skipped, never queued), and when Redis returns, clients are told the head
 * of their rooms so that those who missed something resync from the log.
 */
export type FanOutMode = 'direct' | 'stock';

export interface FanOut {
  /** The path this hub runs (stock when asked for, or when an internal of the direct one is missing). */
  readonly mode: FanOutMode;
  /** Runs `broadcast` with this process's writes held until the end of the turn, with any others of the turn (direct path). */
  coalescing(broadcast: () => void): void;
  status(): 'off' | 'ok' | 'down';
  /** Resolves once the adapter's subscriptions are in place (or after timeoutMs: it heals later). */
  ready(timeoutMs: number): Promise<void>;
  /** The bus calls this for every committed event, to know what may need a head notice. */
  committed(room: string, seq: number): void;
  /**
   * A room event for the other processes' clients only (this process's own get it through
   * `io.local`): published at once, on the in-order connection. Nothing without Redis.
   */
  toOtherProcesses(room: string, event: string, data: unknown): void;
  close(): Promise<void>;
}

const noop = () => {};
/** socket.io-parser's PacketType.EVENT (that package is Socket.IO's, not a dependency of ours). */
const EVENT_PACKET = 2;

/**
 * Commands the adapter fires without awaiting (publish, subscribe, unsubscribe on close) must
 * never become unhandled rejections while Redis is down: catch them here. Publishes are
 * dropped at once while the connection is not ready.
 */
function guarded(client: Redis, onDropped: () => void): Redis {
  return new Proxy(client, {
    get(target, prop) {
      const value = Reflect.get(target, prop, target) as unknown;
      if (typeof value !== 'function') return value;
      if (prop === 'publish') {
        return (channel: string, message: string | Buffer) => {
          if (target.status !== 'ready') {
            onDropped();
            return Promise.resolve(0);
          }
          return target.publish(channel, message).catch(() => {
            onDropped();
            return 0;
          });
        };
      }
      return (...args: unknown[]) => {
        const result = (value as (...a: unknown[]) => unknown).apply(target, args);
        if (result instanceof Promise) result.catch(noop);
        return result;
      };
    },
  });
}

export function createFanOut(
  io: Server,
  deps: { redis: Redis | undefined; publisher: Redis | undefined; prefix: string; db: Db; log: Logger; mode?: FanOutMode },
): FanOut {
  const { redis, log } = deps;
  const writer: LocalWriter = deps.mode === 'stock' ? stockWriter : createDirectWriter(io, log);
  const mode: FanOutMode = writer === stockWriter ? 'stock' : 'direct';
  const coalescing = writer.coalescing;
  if (!redis || !deps.publisher) {
    if (mode === 'direct') io.adapter(writerAdapter(writer) as never);
    return { mode, coalescing, status: () => 'off', ready: async () => {}, committed: noop, toOtherProcesses: noop, close: async () => {} };
  }
  // The hub's in-order connection (services.ts): a broadcast's PUBLISH leaves at once, behind
  // the command's cache invalidation, before this process's own fan-out to its sockets (which
  // waits for the invalidation), so the other processes work on theirs meanwhile. The adapter
  // batches by turn itself. Owned by the hub: not closed here.
  const pub = deps.publisher;
  // The subscriber queues its SUBSCRIBEs until connected and resubscribes after a reconnect;
  // a subscription waits for Redis however long it is away, so not the main connection's
  // command timeout.
  const sub = redis.duplicate({ enableOfflineQueue: true, maxRetriesPerRequest: null, commandTimeout: undefined });
  reconnectWhenSilent(sub, log, 'subscriber');
  let down = false;
  let closing = false;
  /** Rooms whose events this process committed while its broadcasts could not reach Redis. */
  const missedHeads = new Map<string, number>();

  const isUp = () => pub.status === 'ready' && sub.status === 'ready';
  const markDown = () => {
    if (closing || down) return;
    down = true;
    log.warn('redis is down: events reach only the clients of this process; commands and reads go on from the database');
  };
  const markMaybeUp = () => {
    if (closing || !isUp()) return;
    if (down) {
      down = false;
      log.info('redis is back: fan-out across processes restored');
      void announceHeads();
    } else if (missedHeads.size > 0) {
      void announceHeads(); // Redis was not there yet when the process started
    }
  };

  for (const client of [pub, sub]) {
    client.on('error', (err: Error) => {
      if (!down && !closing) log.warn({ err: err.message }, 'redis fan-out connection error');
    });
    client.on('close', markDown);
    client.on('ready', markMaybeUp);
  }

  const publisher = guarded(pub, markDown);
  const publish = (channel: string, message: Buffer) => void publisher.publish(channel, message);
  let batcher: Batcher | undefined;
  // The adapter's own publishes (classic broadcasts, requests) go out after the broadcasts queued before them.
  const adapterPub = new Proxy(publisher, {
    get(target, prop, receiver) {
      if (prop !== 'publish') return Reflect.get(target, prop, receiver) as unknown;
      return (channel: string, message: Buffer) => {
        batcher?.flush();
        return target.publish(channel, message);
      };
    },
  });
  const subscriber = guarded(sub, noop);
  // The channel prefix follows REDIS_PREFIX, so hubs on different prefixes never mix. The
  // parser stays the default (msgpack), the same on every process.
  const key = `${deps.prefix}socket.io`;
  const opts = { key, requestsTimeout: 3000 };
  if (mode === 'direct') {
    const Direct = directRedisAdapter(adapterPub, subscriber, opts, {
      broadcast(adapter, packet, o) {
        if (o.flags?.local) return writer.broadcast(adapter, packet, o);
        if (adapter !== io.of('/').adapter || !batcher) return (adapter as InstanceType<typeof Direct>).classicBroadcast(packet, o);
        packet.nsp = '/';
        batcher.enqueue(packet, o);
        writer.broadcast(adapter, packet, o);
      },
      deliver: (adapter, packet, o) => writer.broadcast(adapter, packet, o),
      together: coalescing,
    });
    io.adapter(
      class extends Direct {
        readonly writer = writer;
      } as never,
    );
  } else {
    io.adapter(createAdapter(adapterPub, subscriber, opts) as never);
  }

  let unreadableWarnedAt = 0;
  const main = io.of('/').adapter as RedisAdapter & { readonly uid: string; readonly parser: Parser };
  const batchChannel = `${key}-batch#/#`;
  const batchChannelBytes = Buffer.from(batchChannel);
  batcher = createBatcher({
    uid: String(main.uid),
    parser: main.parser,
    channel: batchChannel,
    publish,
    classicChannel: mode === 'direct' ? (rooms) => classicChannel(key, '/', rooms) : undefined,
    deliver: (packet: Packet, o) => io.of('/').adapter.broadcast(packet, o),
    coalescing,
    isCoalescing: writer.isCoalescing,
    localRecipients(rooms) {
      const here = io.of('/').adapter.rooms;
      let n = 0;
      for (const room of rooms) n += here.get(room)?.size ?? 0;
      return n;
    },
    unreadable(why) {
      // A newer release sends many: warned once a minute, each one answered by a resync.
      const now = Date.now();
      if (!closing && now - unreadableWarnedAt >= 60_000) {
        unreadableWarnedAt = now;
        log.warn({ why }, "a fan-out message this process cannot read (a newer release?): its clients are told their rooms' heads to resync");
      }
      resyncLocal();
    },
  });
  // On the adapter's subscriber connection: Redis delivers batches and the adapter's messages
  // from one sender in the order it published them.
  void subscriber.subscribe(batchChannel);
  const onBatch = (channel: Buffer, msg: Buffer) => {
    if (channel.equals(batchChannelBytes)) batcher?.receive(msg);
  };
  sub.on('messageBuffer', onBatch);

  /** After a message this process could not read: its clients' heads, once at a time (one more if asked meanwhile). */
  let resyncing: Promise<void> | undefined;
  let resyncAgain = false;
  function resyncLocal() {
    if (resyncing) {
      resyncAgain = true;
      return;
    }
    resyncing = announceLocalHeads().finally(() => {
      resyncing = undefined;
      if (resyncAgain && !closing) {
        resyncAgain = false;
        resyncLocal();
      }
    });
  }

  /**
   * After an outage: tell every process's clients the heads of the rooms whose broadcasts
   * this process could not publish, and tell this process's own clients the head of every
   * room they watch (they may have missed other processes' events). Clients already there
   * ignore it; the others replay the gap from the log.
   */
  async function announceHeads() {
    for (const [room, seq] of missedHeads) io.to(room).emit('room:head', { room, seq });
    missedHeads.clear();
    await announceLocalHeads();
  }
  /** This process's clients get the head of every room they watch (from the database). */
  async function announceLocalHeads() {
    try {
      const watched = [...io.of('/').adapter.rooms.keys()].filter((name) => name.includes(':'));
      for (let i = 0; i < watched.length; i += 500) {
        const rows: { name: string; seq: number }[] = await deps
          .db('rooms')
          .whereIn('name', watched.slice(i, i + 500))
          .select('name', 'seq');
        for (const row of rows) io.local.to(row.name).emit('room:head', { room: row.name, seq: Number(row.seq) });
      }
    } catch (err) {
      log.warn({ err }, "could not announce room heads to this process's clients");
    }
  }

  return {
    mode,
    coalescing,
    status: () => (isUp() ? 'ok' : 'down'),
    async ready(timeoutMs) {
      const bothReady = async () => {
        for (const client of [pub, sub]) {
          if (client.status !== 'ready') await new Promise((resolve) => client.once('ready', resolve));
        }
        // Queued in order behind the adapter's SUBSCRIBEs: once it answers, they are in place.
        await sub.ping();
      };
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([bothReady().catch(noop), new Promise((resolve) => (timer = setTimeout(resolve, timeoutMs)))]);
      clearTimeout(timer);
    },
    committed(room, seq) {
      if (!isUp()) missedHeads.set(room, seq);
    },
    toOtherProcesses(room, event, data) {
      // The packet and options Socket.IO's `io.to(room).emit(event, data)` hands its adapter.
      batcher?.enqueue({ type: EVENT_PACKET, data: [event, data], nsp: '/' }, { rooms: new Set([room]), except: new Set() });
    },
    async close() {
      batcher?.flush();
      closing = true;
      sub.off('messageBuffer', onBatch);
      await closeRedis(sub);
    },
  };
}
