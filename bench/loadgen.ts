/**
 * The load generator: a child process pinned to its own core that holds every client
 * connection (spectators, captains, baseline clients), fires commands and records, on the
 * machine-wide monotonic clock, when each spectator got each event.
 */
import WebSocket from 'ws';
import { io as ioClient, type Socket } from 'socket.io-client';
import autocannon from 'autocannon';
import { LightSocket } from './light-client';
import { announceReady, serveParent } from './lib/ipc';
import { cpuUs, processStats } from './lib/process-stats';
import { nowMs, sleep } from './lib/stats';

type Kind = 'ws' | 'light' | 'sio';

interface Member {
  room: string;
  lastSeq: number;
  received: number;
  gaps: number;
  dups: number;
  close(): void;
}

/** Who got what, per room and seq: how many tracked clients, first and last arrival. */
interface Entry {
  count: number;
  first: number;
  last: number;
  target: number;
  done?: () => void;
}

const groups = new Map<string, Member[]>();
const roomEntries = new Map<string, Map<number, Entry>>();
const roomMax = new Map<string, number>();
/** Expected receivers per event of a room: an entry that reaches it counts as delivered. */
const roomTarget = new Map<string, number>();
let frameBytes = 0;
/** The largest answer to a room join (a snapshot) a spectator received, as JSON bytes. */
let joinBytes = 0;
/** The last hub event received, as sent: the baseline sends frames shaped exactly like it. */
let sampleEvent: unknown;
let received = 0;
let completed = 0;
let onCompleted: (() => void) | undefined;

function entryOf(room: string, seq: number): Entry {
  let entries = roomEntries.get(room);
  if (!entries) roomEntries.set(room, (entries = new Map()));
  let entry = entries.get(seq);
  if (!entry) entries.set(seq, (entry = { count: 0, first: 0, last: 0, target: roomTarget.get(room) ?? Infinity }));
  return entry;
}

function record(member: Member | null, event: { room?: unknown; seq?: unknown } | undefined, bytes: number) {
  const at = nowMs();
  if (!event || typeof event.seq !== 'number' || typeof event.room !== 'string') return;
  const { room, seq } = event as { room: string; seq: number };
  if (bytes) {
    frameBytes = bytes;
    sampleEvent = event;
  }
  if (seq > (roomMax.get(room) ?? 0)) roomMax.set(room, seq);
  if (!member) return; // untracked (captains): only the room's head is of interest
  received++;
  member.received++;
  if (member.lastSeq >= 0) {
    if (seq <= member.lastSeq) member.dups++;
    else if (seq > member.lastSeq + 1) member.gaps += seq - member.lastSeq - 1;
  }
  if (seq > member.lastSeq) member.lastSeq = seq;
  const entry = entryOf(room, seq);
  if (entry.count++ === 0) entry.first = at;
  entry.last = at;
  if (entry.count === entry.target) {
    completed++;
    entry.done?.();
    onCompleted?.();
  }
}

function waitForEntry(room: string, seq: number, target: number, timeoutMs: number): Promise<Entry> {
  const entry = entryOf(room, seq);
  entry.target = target;
  if (entry.count >= target) return Promise.resolve(entry);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${room}#${seq}: ${entry.count}/${target} clients got it within ${timeoutMs} ms`)), timeoutMs);
    entry.done = () => {
      clearTimeout(timer);
      resolve(entry);
    };
  });
}

function resetTracking() {
  roomEntries.clear();
  received = 0;
  completed = 0;
}

// ---- connecting

interface OpenParams {
  group: string;
  kind: Kind;
  urls: string[];
  count: number;
  /** Client i joins rooms[floor(i / perRoom)]; none for the bare ws baseline. */
  rooms?: string[];
  perRoom?: number;
  cookie?: string;
  origin?: string;
  /** Record arrivals (spectators); captains and triggers are not counted. */
  track: boolean;
  concurrency: number;
  connectTimeoutMs: number;
  eventName: string;
}

async function openOne(p: OpenParams, i: number): Promise<Member> {
  const url = p.urls[i % p.urls.length]!;
  const room = p.rooms ? p.rooms[Math.floor(i / (p.perRoom ?? 1)) % p.rooms.length]! : 'bench';
  const member: Member = { room, lastSeq: -1, received: 0, gaps: 0, dups: 0, close: () => {} };
  const tracked = p.track ? member : null;
  if (p.kind === 'ws') {
    const ws = new WebSocket(url.replace(/^http/, 'ws'), { perMessageDeflate: false, handshakeTimeout: p.connectTimeoutMs });
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    // The baseline's frames are the hub's (`42["event",{…}]`): the same parsing as the light client's.
    ws.on('message', (data: Buffer) => {
      const text = data.toString();
      record(tracked, text.charCodeAt(0) === 52 ? JSON.parse(text.slice(2))[1] : JSON.parse(text), 0);
    });
    ws.on('error', () => {});
    member.close = () => ws.terminate();
    return member;
  }
  let join: (payload: unknown) => Promise<any>;
  if (p.kind === 'light') {
    const socket = await LightSocket.connect(url, {
      cookie: p.cookie,
      origin: p.origin,
      connectTimeoutMs: p.connectTimeoutMs,
      onEvent: (name, data, bytes) => {
        if (name === p.eventName) record(tracked, data, bytes);
      },
    });
    member.close = () => socket.close();
    join = (payload) => socket.emitWithAck(p.connectTimeoutMs, 'room:join', payload);
  } else {
    const socket: Socket = ioClient(url, {
      transports: ['websocket'],
      forceNew: true,
      reconnection: false,
      timeout: p.connectTimeoutMs,
      extraHeaders: { ...(p.cookie ? { cookie: p.cookie } : {}), ...(p.origin ? { origin: p.origin } : {}) },
    });
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', () => resolve());
      socket.once('connect_error', reject);
    });
    socket.on(p.eventName, (data: unknown) => record(tracked, data as { room: string; seq: number }, 0));
    member.close = () => socket.disconnect();
    join = (payload) => socket.timeout(p.connectTimeoutMs).emitWithAck('room:join', payload);
  }
  if (p.rooms) {
    const ack = await join({ room });
    if (!ack?.ok) {
      member.close();
      throw new Error(`room:join ${room} refused: ${JSON.stringify(ack?.error ?? ack)}`);
    }
    member.lastSeq = ack.data.seq;
    joinBytes = Math.max(joinBytes, JSON.stringify(ack).length);
    if (ack.data.seq > (roomMax.get(room) ?? 0)) roomMax.set(room, ack.data.seq);
  }
  return member;
}

async function open(p: OpenParams) {
  const members = groups.get(p.group) ?? [];
  groups.set(p.group, members);
  const start = nowMs();
  const cpu0 = cpuUs();
  let next = 0;
  let failed = 0;
  let firstError: string | undefined;
  const worker = async () => {
    while (next < p.count) {
      const i = next++;
      try {
        members.push(await openOne(p, i));
      } catch (err) {
        failed++;
        firstError ??= err instanceof Error ? err.message : String(err);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(p.concurrency, p.count) }, worker));
  const ms = nowMs() - start;
  return { opened: p.count - failed, failed, firstError, ms, perSecond: ((p.count - failed) / ms) * 1000, clientCpuUs: cpuUs() - cpu0 };
}

function closeGroup(p: { group: string }) {
  for (const m of groups.get(p.group) ?? []) {
    m.close();
    // A later setup may reuse the room name on a fresh database: forget its head.
    roomMax.delete(m.room);
    roomEntries.delete(m.room);
  }
  groups.delete(p.group);
  return { closed: true };
}

// ---- triggers: what makes the server broadcast

interface TriggerParams {
  name: string;
  kind: 'wsTrigger' | 'socketCommand';
  url: string;
  /** socketCommand: spread the sockets over these servers (default: url). */
  urls?: string[];
  cookie?: string;
  origin?: string;
  /** socketCommand: the event name, and JSON payload templates where {n} becomes a counter. */
  event?: string;
  payloads?: string[];
  /** How many connections to spread commands over (one user's sockets). */
  sockets?: number;
  ackTimeoutMs: number;
}

interface Trigger {
  /** Fires one command (for room index i); resolves when the server has acknowledged it. */
  fire(i: number): Promise<void>;
  close(): void;
}

const triggers = new Map<string, Trigger>();
let counter = 0;

async function setupTrigger(p: TriggerParams) {
  triggers.get(p.name)?.close();
  if (p.kind === 'wsTrigger') {
    const ws = new WebSocket(`${p.url.replace(/^http/, 'ws')}/?trigger=1`, { perMessageDeflate: false });
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    const waiting: (() => void)[] = [];
    ws.on('message', () => waiting.shift()?.());
    triggers.set(p.name, {
      fire: () =>
        new Promise<void>((resolve) => {
          waiting.push(resolve);
          ws.send('{}');
        }),
      close: () => ws.terminate(),
    });
    return { ok: true };
  }
  const sockets = await Promise.all(
    Array.from({ length: p.sockets ?? 1 }, (_, i) =>
      LightSocket.connect((p.urls ?? [p.url])[i % (p.urls ?? [p.url]).length]!, { cookie: p.cookie, origin: p.origin, connectTimeoutMs: p.ackTimeoutMs }),
    ),
  );
  let turn = 0;
  triggers.set(p.name, {
    async fire(i) {
      const template = p.payloads![i % p.payloads!.length]!;
      const payload = JSON.parse(template.replaceAll('{n}', String(++counter)));
      const socket = sockets[turn++ % sockets.length]!;
      const ack = await socket.emitWithAck(p.ackTimeoutMs, p.event!, payload);
      if (!ack?.ok) throw new Error(`${p.event} refused: ${JSON.stringify(ack?.error ?? ack)}`);
    },
    close: () => sockets.forEach((s) => s.close()),
  });
  return { ok: true, sockets: sockets.length };
}

function triggerOf(name: string): Trigger {
  const t = triggers.get(name);
  if (!t) throw new Error(`no trigger ${name}`);
  return t;
}

// ---- measurements

/** One command at a time: time from sending it until the last of `expected` spectators has it. */
async function latency(p: { trigger: string; room: string; samples: number; gapMs: number; expected: number; timeoutMs: number; after?: string }) {
  const trigger = triggerOf(p.trigger);
  const out: { seq: number; firstMs: number; lastMs: number; ackMs: number; t0: number }[] = [];
  const cpu0 = cpuUs();
  for (let s = 0; s < p.samples; s++) {
    const seq = (roomMax.get(p.room) ?? 0) + 1;
    const waiting = waitForEntry(p.room, seq, p.expected, p.timeoutMs);
    const t0 = nowMs();
    let ackAt = 0;
    const fired = trigger.fire(0).then(() => (ackAt = nowMs()));
    const [entry] = await Promise.all([waiting, fired]);
    out.push({ seq, t0, firstMs: entry.first - t0, lastMs: entry.last - t0, ackMs: ackAt - t0 });
    roomEntries.get(p.room)?.delete(seq);
    if (p.after) {
      // A command that puts the room back (a draft pick's undo): waited for everywhere, not measured.
      const back = waitForEntry(p.room, seq + 1, p.expected, p.timeoutMs);
      await Promise.all([back, triggerOf(p.after).fire(0)]);
      roomEntries.get(p.room)?.delete(seq + 1);
    }
    await sleep(p.gapMs);
  }
  return { samples: out, clientCpuUs: cpuUs() - cpu0 };
}

/**
 * Commands kept in flight: a new one is fired whenever fewer than `window` are either waiting
 * for their ack or not yet delivered to every spectator. Counts deliveries in the measured window.
 */
async function throughput(p: { trigger: string; room: string; expected: number; window: number; warmupMs: number; durationMs: number; drainMs: number }) {
  const trigger = triggerOf(p.trigger);
  resetTracking();
  roomTarget.set(p.room, p.expected);
  let issued = 0;
  let acked = 0;
  let errors = 0;
  let firstError: string | undefined;
  let stopped = false;
  const pump = () => {
    while (!stopped && issued - completed < p.window && issued - acked < p.window) {
      issued++;
      trigger.fire(0).then(
        () => {
          acked++;
          pump();
        },
        (err: Error) => {
          acked++;
          errors++;
          firstError ??= err.message;
          completed++; // nothing will be delivered for it
          pump();
        },
      );
    }
  };
  onCompleted = pump;
  pump();
  await sleep(p.warmupMs);
  const r0 = received;
  const c0 = completed;
  const t0 = nowMs();
  const cpu0 = cpuUs();
  await sleep(p.durationMs);
  const r1 = received;
  const c1 = completed;
  const t1 = nowMs();
  const clientCpuUs = cpuUs() - cpu0;
  stopped = true;
  const until = nowMs() + p.drainMs;
  while ((completed < issued || acked < issued) && nowMs() < until) await sleep(20);
  onCompleted = undefined;
  roomTarget.delete(p.room);
  const elapsed = t1 - t0;
  const result = {
    delivered: r1 - r0,
    elapsedMs: elapsed,
    perSecond: ((r1 - r0) / elapsed) * 1000,
    broadcastsPerSecond: ((c1 - c0) / elapsed) * 1000,
    issued,
    errors,
    firstError,
    drained: completed >= issued,
    clientCpuUs,
  };
  resetTracking();
  return result;
}

/**
 * Many rooms: commands at a fixed rate, round-robin over the rooms, for a while; then every
 * delivery is counted, per client, against what each client should have got.
 */
async function manyRooms(p: { trigger: string; group: string; rooms: string[]; rate: number; durationMs: number; drainMs: number; maxInFlight: number }) {
  const trigger = triggerOf(p.trigger);
  const members = groups.get(p.group) ?? [];
  resetTracking();
  for (const m of members) {
    m.received = 0;
    m.gaps = 0;
    m.dups = 0;
  }
  const okPerRoom = new Map<string, number>();
  let sent = 0;
  let ok = 0;
  let errors = 0;
  let skipped = 0;
  let inFlight = 0;
  let firstError: string | undefined;
  const start = nowMs();
  const end = start + p.durationMs;
  // Fire on schedule: at each tick, catch up to rate × elapsed (bounded by maxInFlight).
  while (nowMs() < end) {
    const due = Math.floor(((nowMs() - start) / 1000) * p.rate);
    while (sent + skipped < due) {
      if (inFlight >= p.maxInFlight) {
        skipped++;
        continue;
      }
      const i = sent++;
      const room = p.rooms[i % p.rooms.length]!;
      inFlight++;
      trigger.fire(i).then(
        () => {
          inFlight--;
          ok++;
          okPerRoom.set(room, (okPerRoom.get(room) ?? 0) + 1);
        },
        (err: Error) => {
          inFlight--;
          errors++;
          firstError ??= err.message;
        },
      );
    }
    await sleep(2);
  }
  const firingMs = nowMs() - start;
  const perRoom = new Map<string, number>();
  for (const m of members) perRoom.set(m.room, (perRoom.get(m.room) ?? 0) + 1);
  const expectedNow = () => {
    let n = 0;
    for (const [room, count] of okPerRoom) n += count * (perRoom.get(room) ?? 0);
    return n;
  };
  const until = nowMs() + p.drainMs;
  while ((inFlight > 0 || received < expectedNow()) && nowMs() < until) await sleep(20);
  const expected = expectedNow();
  let gaps = 0;
  let dups = 0;
  for (const m of members) {
    gaps += m.gaps;
    dups += m.dups;
  }
  const delivered = received;
  resetTracking();
  return { sent, ok, errors, skipped, firstError, firingMs, achievedRate: (ok / firingMs) * 1000, expected, delivered, gaps, dups, stillInFlight: inFlight };
}

/** Counting without firing: the hub injects broadcasts itself; then deliveries are checked. */
function countStart(p: { group: string }) {
  resetTracking();
  for (const m of groups.get(p.group) ?? []) {
    m.received = 0;
    m.gaps = 0;
    m.dups = 0;
  }
  return { ok: true };
}

async function countEnd(p: { group: string; sentPerRoom: Record<string, number>; drainMs: number }) {
  const members = groups.get(p.group) ?? [];
  let expected = 0;
  for (const m of members) expected += p.sentPerRoom[m.room] ?? 0;
  const until = nowMs() + p.drainMs;
  while (received < expected && nowMs() < until) await sleep(20);
  let gaps = 0;
  let dups = 0;
  for (const m of members) {
    gaps += m.gaps;
    dups += m.dups;
  }
  const delivered = received;
  resetTracking();
  return { expected, delivered, gaps, dups };
}

async function runAutocannon(p: { url: string; connections: number; durationSec: number; headers?: Record<string, string> }) {
  const result = await autocannon({ url: p.url, connections: p.connections, duration: p.durationSec, headers: p.headers });
  return {
    rps: result.requests.average,
    requests: result.requests.total,
    latencyP50: result.latency.p50,
    latencyP99: result.latency.p99,
    bytesPerRequest: result.requests.total ? result.throughput.total / result.requests.total : 0,
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
  };
}

serveParent({
  open,
  closeGroup,
  setupTrigger,
  latency,
  throughput,
  manyRooms,
  countStart,
  countEnd,
  autocannon: runAutocannon,
  /** Events lost (seq gaps) and received twice, over every member of a group, since it opened. */
  integrity: (p: { group: string }) => {
    const members = groups.get(p.group) ?? [];
    return {
      members: members.length,
      received: members.reduce((n, m) => n + m.received, 0),
      gaps: members.reduce((n, m) => n + m.gaps, 0),
      dups: members.reduce((n, m) => n + m.dups, 0),
    };
  },
  frameBytes: () => frameBytes,
  joinBytes: () => joinBytes,
  sampleEvent: () => sampleEvent,
  roomHead: (p: { room: string }) => roomMax.get(p.room) ?? 0,
  stats: (p: { gc?: boolean }) => processStats(p?.gc ?? false),
  groupSizes: () => Object.fromEntries([...groups].map(([k, v]) => [k, v.length])),
});

announceReady({ pid: process.pid });
