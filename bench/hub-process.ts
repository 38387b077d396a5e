/**
 * One hub for the benchmarks, as a child process the orchestrator pins to a core. Its
 * configuration comes as JSON in HUB_ENV (the same variables as the real environment, so
 * nothing else leaks in). It reports its port, and on request its CPU and memory, the
 * server-side timings of each broadcast, and can inject broadcasts without a command.
 */
import { PerformanceObserver, performance } from 'node:perf_hooks';
import pino from 'pino';
import type { Server } from 'socket.io';
import { createHub, type Hub } from '../server/app';
import { loadConfig } from '../server/config';
import { announceReady, serveParent } from './lib/ipc';
import { processStats, cpuUs } from './lib/process-stats';
import { nowMs, sleep } from './lib/stats';

const config = loadConfig(JSON.parse(process.env.HUB_ENV ?? '{}'));
const hub = await createHub(config, { logger: pino({ level: 'silent' }) });
const port = await hub.listen();

/** The Socket.IO server, wherever the realtime layer keeps it. */
function findIo(h: Hub): Server | undefined {
  const candidates = [(h as any).io, (h as any).realtime?.io, (h.services as any).io, (h.services as any).realtime?.io];
  return candidates.find((c) => c && typeof c.of === 'function');
}

// ---- server-side timing: command received → event handed over (to other processes or to this one's sockets)

let lastCommandAt = 0;
let lastRunAt = 0;
let timings: { room: string; seq: number; serverMs: number; commandMs: number; fanoutMs: number }[] = [];
let instrumented = false;

function instrument() {
  const io = findIo(hub);
  if (!io) return { ok: false, reason: 'no Socket.IO server found on the hub' };
  if (instrumented) return { ok: true };
  instrumented = true;
  // Receipt: an Engine.IO message carrying a Socket.IO event ("2…") that is not a room join.
  const watch = (socket: any) =>
    socket.on('packet', (packet: { type: string; data?: unknown }) => {
      if (packet.type === 'message' && typeof packet.data === 'string' && packet.data.startsWith('2') && !packet.data.includes('"room:join"')) {
        lastCommandAt = nowMs();
      }
    });
  io.engine.on('connection', watch);
  // The command bus entered (after transport, schema and rate limits): splits the server part in two.
  const bus = hub.services.commands;
  const run = bus.run.bind(bus);
  bus.run = ((actor, execute) => {
    lastRunAt = nowMs();
    return run(actor, execute);
  }) as typeof bus.run;
  for (const socket of Object.values((io.engine as any).clients ?? {})) watch(socket);
  // Hand-off: the event leaves for other processes (the Redis adapter's publishToOthers: at
  // once, behind the cache invalidation) or, first or only, for this process's sockets (the
  // adapter's broadcast, once the invalidation is done). The fan-out is that local broadcast.
  const adapter = io.of('/').adapter as any;
  const eventOf = (packet: { data?: unknown[] }) => (packet.data?.[0] === 'event' ? (packet.data[1] as { room: string; seq: number }) : undefined);
  let handedOver: { room: string; seq: number; at: number } | undefined;
  const handOver = (event: { room: string; seq: number }, at: number) => {
    if (handedOver?.room === event.room && handedOver.seq === event.seq) return handedOver.at;
    handedOver = { ...event, at };
    return at;
  };
  if (typeof adapter.publishToOthers === 'function') {
    const publishToOthers = adapter.publishToOthers.bind(adapter);
    adapter.publishToOthers = (packet: { data?: unknown[] }, opts: unknown) => {
      const event = eventOf(packet);
      if (event) handOver(event, nowMs());
      return publishToOthers(packet, opts);
    };
  }
  const broadcast = adapter.broadcast.bind(adapter);
  adapter.broadcast = (packet: { data?: unknown[] }, opts: unknown) => {
    const event = eventOf(packet);
    if (!event) return broadcast(packet, opts);
    const at = nowMs();
    const handed = handOver(event, at);
    const result = broadcast(packet, opts);
    timings.push({
      room: event.room,
      seq: event.seq,
      serverMs: lastCommandAt ? handed - lastCommandAt : NaN,
      commandMs: lastRunAt ? handed - lastRunAt : NaN,
      fanoutMs: nowMs() - at,
    });
    if (timings.length > 100_000) timings = timings.slice(-10_000);
    return result;
  };
  return { ok: true };
}

// ---- garbage collections, on the machine-wide clock: which samples had a pause inside them

/** performance.now() is this process's own clock; nowMs() (hrtime) is the one every process shares. */
const perfToMono = nowMs() - performance.now();
let gcs: { at: number; ms: number; kind: number }[] = [];
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) {
    gcs.push({ at: e.startTime + perfToMono, ms: e.duration, kind: (e as { detail?: { kind?: number } }).detail?.kind ?? 0 });
  }
  if (gcs.length > 100_000) gcs = gcs.slice(-10_000);
}).observe({ entryTypes: ['gc'] });

// ---- cache switch: "uncached" runs the same route with the read cache bypassed

const cache = hub.services.cache;
const cachedGet = cache.get.bind(cache);
let cacheOn = true;
cache.get = ((key: string, tags: string[], load: () => Promise<unknown>) => (cacheOn ? cachedGet(key, tags, load) : load())) as typeof cache.get;

// ---- injection: broadcasts straight through Socket.IO, to measure fan-out alone

const injectedHead = new Map<string, number>();

async function inject(p: { rooms: string[]; rate: number; durationMs: number; payload: unknown }) {
  const io = findIo(hub);
  if (!io) throw new Error('no Socket.IO server found on the hub');
  // Continue each room's seq so that clients see no gap.
  const heads = new Map<string, number>();
  for (let i = 0; i < p.rooms.length; i += 500) {
    const rows: { name: string; seq: number }[] = await hub.services
      .db('rooms')
      .whereIn('name', p.rooms.slice(i, i + 500))
      .select('name', 'seq');
    for (const row of rows) heads.set(row.name, Number(row.seq));
  }
  let sent = 0;
  const perRoom: Record<string, number> = {};
  const cpu0 = cpuUs();
  const start = nowMs();
  const end = start + p.durationMs;
  while (nowMs() < end) {
    const due = Math.floor(((nowMs() - start) / 1000) * p.rate);
    while (sent < due) {
      const room = p.rooms[sent++ % p.rooms.length]!;
      const seq = Math.max(heads.get(room) ?? 0, injectedHead.get(room) ?? 0) + 1;
      injectedHead.set(room, seq);
      perRoom[room] = (perRoom[room] ?? 0) + 1;
      io.to(room).emit('event', { room, seq, type: 'bench.injected', payload: p.payload, actorUserId: null, at: new Date().toISOString() });
    }
    await sleep(10); // coarse ticks: the injector's own wake-ups should not weigh on the CPU per broadcast
  }
  return { sent, ms: nowMs() - start, cpuUs: cpuUs() - cpu0, perRoom };
}

/**
 * After an injection, move the rooms' seq in the database past the injected events, so the
 * commands that follow continue the sequence (the clients saw those seqs).
 */
async function syncInjectedSeqs() {
  const db = hub.services.db;
  await db.transaction(async (trx) => {
    for (const [room, seq] of injectedHead) await trx('rooms').where({ name: room }).andWhere('seq', '<', seq).update({ seq });
  });
  return { rooms: injectedHead.size };
}

serveParent({
  stats: (p: { gc?: boolean }) => processStats(p?.gc ?? false),
  cache: (p: { enabled: boolean }) => {
    cacheOn = p.enabled;
    return { enabled: cacheOn };
  },
  instrument,
  takeTimings: () => {
    const out = timings;
    timings = [];
    return out;
  },
  /** Garbage collections since the last call: start (machine-wide ms), duration, V8's kind (1 minor, 2 major, 4 incremental, 8 weak callbacks). */
  takeGc: () => {
    const out = gcs;
    gcs = [];
    return out;
  },
  inject,
  syncInjectedSeqs,
  sockets: () => findIo(hub)?.engine.clientsCount ?? -1,
});

// Before any client connects; the adapter (in-memory or Redis) is in place once createHub resolves.
const instrumentation = instrument();
announceReady({ port, pid: process.pid, instrumentation });
