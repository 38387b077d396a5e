import crypto from 'node:crypto';
import os from 'node:os';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { Presence, PresenceViewer } from '../../shared/realtime';

export interface Viewer {
  userId: number | null;
  name: string | null;
}

export interface PresenceTracker {
  /** A socket entered / left a room on this process. */
  add(room: string, viewer: Viewer): void;
  remove(room: string, viewer: Viewer): void;
  /** The room's presence across every process. */
  read(room: string): Promise<Omit<Presence, 'participants'>>;
  /**
   * A fresh reading and whether its absences can be believed: not when it shows this process
   * alone (Redis failed), nor while presence settles after Redis came back (until every process
   * alive when it went away is back and has written its share again, or is taken for dead).
   * Whoever it shows is there.
   */
  check(room: string): Promise<{ presence: Omit<Presence, 'participants'>; trusted: boolean }>;
  /** Whether readings taken now can be believed (see check). */
  settled(): boolean;
  /** Calls `listener` (throttled, per room) when a room's presence is to be sent to the room. */
  onChange(listener: (room: string) => void): () => void;
  /** Removes this process's share everywhere (and says so to the rooms), then stops. */
  close(): Promise<void>;
}

type Counts = Map<string, { count: number; name: string }>; // field: 'anon' | `u:<id>`

/** The longest a live process's Redis client waits between two attempts to reconnect (ioredis's default retryStrategy). */
const RECONNECT_MS = 2000;

const fieldOf = (v: Viewer) => (v.userId === null ? 'anon' : `u:${v.userId}`);

/**
 * Presence per room without asking every process for its sockets:
 *
 * - each process counts its own sockets per room in memory (join/leave are O(1));
 * - with Redis, a changed room is written (throttled) into one hash per room, one field per
 *   process and viewer (`<proc>|u:<id>` → `<count>|<name>`, `<proc>|anon` → count), and each
 *   process heartbeats into a sorted set of live processes;
 * - a read sums the fields of live processes only, so a process that dies stops counting
 *   after 3 heartbeats even before anyone cleans up; the first process to notice a dead one
 *   deletes its fields and broadcasts the corrected presence of the rooms it was in.
 *
 * `onChange` listeners (the realtime layer) are called (throttled, per room) with the rooms whose
 * presence is to be sent.
 */
export function createPresence(opts: { redis: Redis | undefined; prefix: string; throttleMs: number; heartbeatMs: number; log: Logger }): PresenceTracker {
  const { redis, prefix, log } = opts;
  const proc = `${os.hostname()}:${process.pid}:${crypto.randomBytes(4).toString('hex')}`;
  const ttlMs = opts.heartbeatMs * 3;
  const roomKey = (room: string) => `${prefix}presence:room:${room}`;
  const procRoomsKey = (p: string) => `${prefix}presence:proc:${p}`;
  const procsKey = `${prefix}presence:procs`;

  const local = new Map<string, Counts>();
  /** Fields this process has written to Redis, per room: what to delete when they go. */
  const written = new Map<string, Set<string>>();
  const dirty = new Set<string>();
  let flushTimer: NodeJS.Timeout | undefined;
  let closed = false;
  const listeners = new Set<(room: string) => void>();
  const changed = (room: string) => {
    for (const listener of listeners) listener(room);
  };

  // After Redis was away, every process's heartbeat is old and some shares are missing (or
  // gone, if Redis restarted empty) until each process is back and has written again.
  // Absences in a reading prove nothing, and no process is reaped, for one heartbeat TTL after
  // this process got Redis back, and until every process that was alive when it went away has
  // beaten since: each process's client reconnects on its own schedule, up to RECONNECT_MS
  // apart, and one left out of a reading would have its viewers look gone. One not back by
  // then is taken for dead. Then each room this process is in is broadcast again, to be judged
  // on a reading that can be.
  let unsettledUntil = 0;
  /** When this process's heartbeat last reached Redis. */
  let lastBeat = 0;
  /** Since Redis came back: processes that beat from `aliveSince` on and not since `backAt` are waited for, until `until`. */
  let awaiting: { backAt: number; aliveSince: number; until: number } | undefined;
  let settleTimer: NodeJS.Timeout | undefined;
  let rebroadcast = false;
  const settled = () => !redis || (redis.status === 'ready' && Date.now() >= unsettledUntil && (!awaiting || Date.now() >= awaiting.until));
  function unsettle() {
    if (closed) return;
    unsettledUntil = Date.now() + ttlMs;
    rebroadcast = true;
    clearTimeout(settleTimer);
    // A few ms late: a timer may run a ms early, and the readings it causes must be settled.
    settleTimer = setTimeout(() => {
      settleTimer = undefined;
      settling(); // if still away, its next 'ready' starts over; if others are awaited, a heartbeat ends it
    }, ttlMs + 5);
    settleTimer.unref();
  }
  /** Once settled after being unsettled, the rooms are judged again. */
  function settling() {
    if (closed || !rebroadcast || !settled()) return;
    rebroadcast = false;
    for (const room of local.keys()) changed(room);
  }

  function schedule(delay = opts.throttleMs) {
    if (flushTimer || closed) return;
    flushTimer = setTimeout(() => {
      flushTimer = undefined;
      void flush();
    }, delay);
  }

  function change(room: string, viewer: Viewer, delta: 1 | -1) {
    let counts = local.get(room);
    if (!counts) local.set(room, (counts = new Map()));
    const field = fieldOf(viewer);
    const entry = counts.get(field) ?? { count: 0, name: viewer.name ?? '' };
    entry.count += delta;
    if (entry.count > 0) counts.set(field, entry);
    else counts.delete(field);
    if (counts.size === 0) local.delete(room);
    dirty.add(room);
    schedule();
  }

  /** Writes this process's share of the dirty rooms, then has each of them broadcast. */
  async function flush() {
    if (dirty.size === 0) return;
    const rooms = [...dirty];
    dirty.clear();
    if (redis) {
      try {
        await writeShares(rooms);
      } catch (err) {
        log.debug({ err }, 'presence not written to redis; retrying later');
        unsettle();
        for (const room of rooms) dirty.add(room);
        schedule(opts.heartbeatMs);
        return;
      }
    }
    for (const room of rooms) changed(room);
  }

  async function writeShares(rooms: string[]) {
    if (!redis) return;
    const multi = redis.multi();
    // What is written, once it is: a write that fails must not forget fields still to delete.
    const nowWritten = new Map<string, Set<string>>();
    for (const room of rooms) {
      const counts = local.get(room);
      const before = written.get(room) ?? new Set<string>();
      const now = new Set<string>();
      for (const [field, { count, name }] of counts ?? []) {
        const key = `${proc}|${field}`;
        now.add(key);
        multi.hset(roomKey(room), key, field === 'anon' ? String(count) : `${count}|${name}`);
      }
      const gone = [...before].filter((k) => !now.has(k));
      if (gone.length) multi.hdel(roomKey(room), ...gone);
      if (now.size) multi.sadd(procRoomsKey(proc), room);
      else multi.srem(procRoomsKey(proc), room);
      nowWritten.set(room, now);
    }
    const at = Date.now();
    multi.zadd(procsKey, at, proc);
    const replies = await multi.exec();
    const failed = replies?.find(([err]) => err);
    if (!replies || failed) throw failed?.[0] ?? new Error('presence write aborted');
    lastBeat = at;
    for (const [room, now] of nowWritten) {
      if (now.size) written.set(room, now);
      else written.delete(room);
    }
  }

  let localReads = 0;
  function sum(room: string, fields: Record<string, string>, live: Set<string>, version: number) {
    let spectators = 0;
    const viewers = new Map<number, PresenceViewer>();
    for (const [key, value] of Object.entries(fields)) {
      const bar = key.indexOf('|');
      if (!live.has(key.slice(0, bar))) continue;
      const field = key.slice(bar + 1);
      if (field === 'anon') {
        spectators += Number(value) || 0;
      } else {
        const sep = value.indexOf('|');
        const count = Number(value.slice(0, sep)) || 0;
        spectators += count;
        const id = Number(field.slice(2));
        if (count > 0 && !viewers.has(id)) viewers.set(id, { id, name: value.slice(sep + 1) });
      }
    }
    return { room, spectators, viewers: [...viewers.values()].sort((a, b) => a.name.localeCompare(b.name) || a.id - b.id), version };
  }

  async function read(room: string) {
    return (await readWithSource(room)).presence;
  }

  async function readWithSource(room: string): Promise<{ presence: Omit<Presence, 'participants'>; fromRedis: boolean }> {
    if (redis) {
      try {
        // One MULTI: the time and the state it stamps are read together.
        const replies = await redis
          .multi()
          .time()
          .hgetall(roomKey(room))
          .zrangebyscore(procsKey, Date.now() - ttlMs, '+inf')
          .exec();
        const failed = replies?.find(([err]) => err);
        if (!replies || failed) throw failed?.[0] ?? new Error('presence read aborted');
        const [sec, micro] = replies[0]![1] as [string, string];
        const presence = sum(room, replies[1]![1] as Record<string, string>, new Set(replies[2]![1] as string[]), Number(sec) * 1e6 + Number(micro));
        return { presence, fromRedis: true };
      } catch (err) {
        log.debug({ err }, 'presence read from redis failed; showing this process only');
        unsettle();
      }
    }
    const fields: Record<string, string> = {};
    for (const [field, { count, name }] of local.get(room) ?? []) fields[`${proc}|${field}`] = field === 'anon' ? String(count) : `${count}|${name}`;
    return { presence: sum(room, fields, new Set([proc]), Date.now() * 1000 + (localReads++ % 1000)), fromRedis: false };
  }

  async function check(room: string) {
    const before = settled();
    const { presence, fromRedis } = await readWithSource(room);
    // Without Redis this process is the only one: its sockets are all there is.
    return { presence, trusted: !redis || (before && fromRedis && settled()) };
  }

  /**
   * Writes this process's whole share again. What it wrote before is kept in mind: if Redis
   * kept it through an outage, the fields of viewers who left meanwhile are deleted, not left
   * to show them there for as long as this process lives.
   */
  function rewriteAll() {
    for (const room of new Set([...local.keys(), ...written.keys()])) dirty.add(room);
    schedule(0);
  }

  /** Heartbeat, and clean up after processes that stopped beating. */
  async function heartbeat() {
    if (!redis || redis.status !== 'ready') return;
    try {
      const at = Date.now();
      const added = await redis.zadd(procsKey, at, proc);
      lastBeat = at;
      if (Number(added) === 1 && written.size + local.size > 0) {
        // We were missing (Redis restarted empty, or someone took us for dead): write everything again.
        rewriteAll();
      }
      const waited = awaiting;
      if (waited) {
        const notBack = (await redis.zrangebyscore(procsKey, waited.aliveSince, `(${waited.backAt}`)).filter((p) => p !== proc);
        if (awaiting === waited && (notBack.length === 0 || Date.now() >= waited.until)) awaiting = undefined;
        settling();
      }
      // Right after an outage every heartbeat is old: the living have not beaten yet.
      if (!settled()) return;
      const dead = await redis.zrangebyscore(procsKey, '-inf', Date.now() - ttlMs);
      for (const other of dead) {
        if (other === proc) continue;
        const mine = await redis.set(`${prefix}presence:reap:${other}`, proc, 'PX', ttlMs, 'NX');
        if (mine !== 'OK') continue;
        const rooms = await redis.smembers(procRoomsKey(other));
        const multi = redis.multi();
        for (const room of rooms) {
          const keys = (await redis.hkeys(roomKey(room))).filter((k) => k.startsWith(`${other}|`));
          if (keys.length) multi.hdel(roomKey(room), ...keys);
        }
        multi.del(procRoomsKey(other));
        multi.zrem(procsKey, other);
        await multi.exec();
        log.info({ process: other, rooms: rooms.length }, 'presence: removed a process that stopped');
        for (const room of rooms) changed(room);
      }
    } catch (err) {
      log.debug({ err }, 'presence heartbeat failed');
    }
  }

  const beat = setInterval(() => void heartbeat(), opts.heartbeatMs);
  beat.unref();
  void heartbeat();
  const onReady = () => {
    // (Re)connected: the others may not have beaten and written since Redis came back. Those
    // alive when this process last beat (by the usual rule) are waited for.
    const now = Date.now();
    awaiting = { backAt: now, aliveSince: (lastBeat || now) - ttlMs, until: now + ttlMs + RECONNECT_MS };
    unsettle();
    rewriteAll();
    void heartbeat();
  };
  redis?.on('ready', onReady);

  const tracker: PresenceTracker = {
    add: (room, viewer) => change(room, viewer, 1),
    remove: (room, viewer) => change(room, viewer, -1),
    read,
    check,
    settled,
    onChange(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    async close() {
      closed = true;
      clearInterval(beat);
      clearTimeout(settleTimer);
      clearTimeout(flushTimer);
      flushTimer = undefined;
      redis?.off('ready', onReady);
      const rooms = new Set([...written.keys(), ...dirty]);
      local.clear();
      if (redis && redis.status === 'ready') {
        try {
          const multi = redis.multi();
          for (const [room, keys] of written) multi.hdel(roomKey(room), ...keys);
          multi.del(procRoomsKey(proc));
          multi.zrem(procsKey, proc);
          await multi.exec();
          written.clear();
        } catch (err) {
          log.debug({ err }, 'presence cleanup failed; other processes will reap it');
        }
      }
      // Tell the other processes' viewers that this process's share is gone.
      for (const room of rooms) changed(room);
    },
  };
  return tracker;
}
