/**
 * The tournament night: the production topology (two hub processes on PostgreSQL and Redis
 * behind Debian's nginx with deploy/nginx/nginx.conf), a player draft of 8 captains picking 32
 * players, then the bracket generated, four Captains Mode hero drafts for its first-round series
 * run at the same time, and the four results reported, while spectators (2,000; 200 with
 * --quick) watch the draft room (40 %), the tournament room that carries the bracket (20 %) and
 * the four hero draft rooms (10 % each, joining when the drafts are created).
 *
 * Reports: commands per second over the drive, delivery latency of each event to the LAST
 * spectator of its room (from the event's commit-time stamp to the last receipt: p50, p99, max),
 * events lost or duplicated per spectator (must be 0), CPU and memory per server process.
 *
 * Hubs and nginx run on the servers' core, this process (driver, captains, spectators) on the
 * other. Run alone: node --import tsx bench/night/night.ts [--quick]; or npm run bench -- --only=night
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { RealtimeClient } from '../../client/src/lib/realtime';
import type { WireEvent } from '../../shared/realtime';
import type { DraftView } from '../../shared/schemas/draft';
import type { HeroDraftView } from '../../shared/schemas/herodraft';
import { killAll, spawnHub, type HubProcess } from '../../tests/foundation/hub-process';
import { createTestDatabase } from '../../tests/support/databases';
import { HttpClient } from '../../tests/support/http';
import { startNginx } from '../../tests/deploy/nginx';
import { LightSocket } from '../light-client';
import type { Ctx } from '../lib/context';
import { percentile } from '../lib/stats';

const SERVER_CORE = 0;
const DRIVER_CORE = 1;
const REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';
const SESSION_SECRET = 'bench-night-session-secret-long-enough-0123456789';
const TEAMS = 8;
const TEAM_SIZE = 5;

const pin = (pid: number, core: number) => spawnSync('taskset', ['-a', '-p', '-c', String(core), String(pid)], { stdio: 'ignore' });
/** utime + stime of a process, in seconds (clock ticks of 10 ms). */
function cpuSeconds(pid: number): number {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}
/** Resident memory now and at its peak, in MB. */
function memoryMb(pid: number) {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+)`, 'm').exec(status)?.[1] ?? 0);
  return { rss: kb('VmRSS') / 1024, peak: kb('VmHWM') / 1024 };
}
const childrenOf = (pid: number) =>
  spawnSync('pgrep', ['-P', String(pid)], { encoding: 'utf8' })
    .stdout.split('\n')
    .filter(Boolean)
    .map(Number);

async function until(check: () => boolean, what: string, ms: number) {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

interface Watcher {
  socket: LightSocket;
  room: string;
  joinSeq: number;
  seqs: number[];
}

export interface NightFigures {
  spectators: number;
  commands: number;
  driveSeconds: number;
  commandsPerSecond: number;
  /** A captain's pick, from sending it to its ack (commit + broadcast hand-off), through nginx. */
  pickAckMs: { p50: number; max: number };
  /** The four hero drafts at once: their steps per second, and one step's ack time. */
  heroDrafts: { steps: number; seconds: number; stepsPerSecond: number; actAckMs: { p50: number; p99: number; max: number } };
  events: Record<string, number>;
  latencyMs: { p50: number; p99: number; max: number; samples: number };
  lost: number;
  duplicated: number;
  processes: { name: string; cpuPercent: number; rssMb: number; peakMb: number }[];
}

export async function runNight(options: { spectators: number; log: (line: string) => void }): Promise<NightFigures> {
  const { log } = options;
  pin(process.pid, DRIVER_CORE);
  const database = await createTestDatabase('postgres');
  const hubs: HubProcess[] = [];
  const clients: RealtimeClient[] = [];
  const watchers: Watcher[] = [];
  let nginx: Awaited<ReturnType<typeof startNginx>> | undefined;
  try {
    const env = {
      ...database.env,
      REDIS_URL,
      REDIS_PREFIX: `dtx-bench-night:${process.pid}:${Date.now().toString(36)}:`,
      NODE_ENV: 'test',
      HOST: '127.0.0.1',
      PORT: '0',
      LOG_LEVEL: 'info', // the port comes from the "listening" line
      SESSION_SECRET,
      TRUST_PROXY: '1',
      RATE_LIMIT_LOGIN_PER_MINUTE: '100000',
      RATE_LIMIT_MUTATIONS_PER_MINUTE: '1000000',
      RT_PRESENCE_THROTTLE_MS: '500',
      // Every simulated spectator comes through nginx from 127.0.0.1.
      RT_MAX_SOCKETS_PER_ADDRESS: '0',
      // A captain's presence blip must not pause a hero draft mid-benchmark.
      HERODRAFT_GRACE_MS: '600000',
    };
    hubs.push(spawnHub(env));
    const firstPort = await hubs[0]!.port; // the first migrates; the second then finds nothing to do
    hubs.push(spawnHub(env));
    const ports: [number, number] = [firstPort, await hubs[1]!.port];
    for (const h of hubs) pin(h.child.pid!, SERVER_CORE);
    nginx = await startNginx(ports);
    const nginxPids = [nginx.pid, ...childrenOf(nginx.pid)];
    for (const pid of nginxPids) pin(pid, SERVER_CORE);
    log(`night: hubs on ${ports.join(', ')}, nginx on ${nginx.port}`);

    // --- set-up over REST through nginx, as staff would
    const url = nginx.url;
    const login = async (name: string, role: 'staff' | 'member' = 'member') => {
      const c = new HttpClient(url);
      const user = await c.devLogin(name, role);
      return Object.assign(c, { userId: user.id });
    };
    const must = async <T = any>(p: Promise<{ status: number; text: string; body: T }>, status = 200) => {
      const res = await p;
      if (res.status !== status) throw new Error(`set-up failed: ${res.status} ${res.text}`);
      return res.body;
    };
    const tag = `${process.pid}${Date.now().toString(36)}`;
    const staff = await login(`nightstaff${tag}`, 'staff');
    const tournament = await must(staff.post('/api/tournaments', { name: `Night ${tag}`, startsAt: '2030-05-01T18:00:00Z' }), 201);
    const id = tournament.id as number;
    const captains: (HttpClient & { userId: number })[] = [];
    for (let i = 0; i < TEAMS * TEAM_SIZE; i++) {
      const user = await login(`n${tag}u${i}`);
      await must(staff.post(`/api/tournaments/${id}/players`, { userId: user.userId, mmr: 2000 + ((i * 397) % 5000) }), 201);
      if (i < TEAMS) captains.push(user);
    }
    const teamIds: number[] = [];
    for (const c of captains) teamIds.push((await must(staff.post(`/api/tournaments/${id}/teams`, { captainUserId: c.userId }), 201)).id);
    const base = `/api/tournaments/${id}/draft`;
    await must(staff.patch(base, { style: 'snake', teamSize: TEAM_SIZE, pickSeconds: null }));
    await must(staff.post(`${base}/open`, {}));
    const rooms = { draft: `draft:${id}`, tournament: `tournament:${id}` };

    // --- captains (the real client, WebSocket through nginx) and spectators (light clients)
    for (const c of captains) {
      const client = new RealtimeClient({ url, headers: { cookie: c.cookieHeader() }, socket: { transports: ['websocket'] } });
      clients.push(client);
    }
    await until(() => clients.every((c) => c.socket.connected), 'captains connected', 20_000);

    const received = new Map<string, number[]>(); // "room:seq" -> receipt times (ms since epoch)
    // Of every 10 spectators: 4 on the draft, 2 on the tournament, 1 on each hero draft (slots 0-3).
    const slotOf = (i: number) => (i % 10 < 4 ? 'draft' : i % 10 < 6 ? 'tournament' : (i % 10) - 6);
    const pendingHero: { w: Watcher; slot: number }[] = [];
    const join = async (w: Watcher) => {
      const ack = await w.socket.emitWithAck<{ ok: boolean; data: { seq: number } }>(20_000, 'room:join', { room: w.room });
      if (!ack.ok) throw new Error(`join refused: ${JSON.stringify(ack)}`);
      w.joinSeq = ack.data.seq;
      watchers.push(w);
    };
    const connectOne = async (i: number) => {
      const slot = slotOf(i);
      const w: Watcher = { socket: undefined as unknown as LightSocket, room: typeof slot === 'string' ? rooms[slot] : '', joinSeq: 0, seqs: [] };
      w.socket = await LightSocket.connect(url, {
        connectTimeoutMs: 20_000,
        onEvent: (name, data: WireEvent) => {
          if (name !== 'event' || data.room !== w.room) return;
          const now = Date.now();
          w.seqs.push(data.seq);
          const key = `${data.room}#${data.seq}`;
          const list = received.get(key);
          if (list) list.push(now - Date.parse(data.at));
          else received.set(key, [now - Date.parse(data.at)]);
        },
      });
      if (typeof slot === 'number') pendingHero.push({ w, slot });
      else await join(w);
    };
    for (let i = 0; i < options.spectators; i += 50) {
      await Promise.all(Array.from({ length: Math.min(50, options.spectators - i) }, (_, k) => connectOne(i + k)));
    }
    log(`night: ${options.spectators} spectators connected, ${watchers.length} joined (${watchers.filter((w) => w.room === rooms.draft).length} on the draft)`);

    // --- the drive: start, every pick by the captain on turn, then the bracket and its first round
    const servers = [...hubs.map((h, i) => ({ name: `hub-${i + 1}`, pids: [h.child.pid!] })), { name: 'nginx', pids: nginxPids }];
    const cpuBefore = servers.map((s) => s.pids.reduce((a, pid) => a + cpuSeconds(pid), 0));
    const started = Date.now();
    let commands = 0;
    const pickMs: number[] = [];
    const actMs: number[] = [];
    let heroSeconds = 0;
    let heroCommands = 0;
    let view = (await must(staff.post(`${base}/start`, {}))) as DraftView;
    commands++;
    while (view.status === 'running') {
      const captain = clients[teamIds.indexOf(view.turn!.teamId!)]!;
      const choice = view.pool.find((p) => p.teamId === null)!;
      const sent = performance.now();
      const ack = await captain.command('draft.pick', { tournamentId: id, userId: choice.user.id, pickNumber: view.turn!.pickNumber });
      if (!ack.ok) throw new Error(`pick refused: ${JSON.stringify(ack.error)}`);
      pickMs.push(performance.now() - sent);
      commands++;
      view = ack.data as DraftView;
    }
    let stage = await must(staff.post(`/api/tournaments/${id}/stages`, { format: 'single_elimination', bestOf: 3 }), 201);
    commands++;
    const firstRound = (stage.matches as { id: number; key: string; status: string; teamA: { id: number } | null; teamB: { id: number } | null }[]).filter(
      (m) => m.key.startsWith('U1.') && m.status === 'ready',
    );

    // Four hero drafts, one per first-round series, created and then run at the same time.
    const heroIds = ((await must(staff.get('/api/heroes'))).heroes as { id: number }[]).map((h) => h.id);
    const heroDrafts: { id: number; teams: [number, number] }[] = [];
    for (const m of firstRound) {
      const hd = await must(
        staff.post(`/api/tournaments/${id}/herodrafts`, { teamAId: m.teamA!.id, teamBId: m.teamB!.id, bracketMatchId: m.id, gameNumber: 1 }),
        201,
      );
      commands++;
      heroDrafts.push({ id: hd.id, teams: [m.teamA!.id, m.teamB!.id] });
    }
    for (const { w, slot } of pendingHero) w.room = `herodraft:${heroDrafts[slot % heroDrafts.length]!.id}`;
    for (let i = 0; i < pendingHero.length; i += 100) await Promise.all(pendingHero.slice(i, i + 100).map(({ w }) => join(w)));
    const runHeroDraft = async (hd: { id: number; teams: [number, number] }) => {
      const captainOf = (team: number) => clients[teamIds.indexOf(hd.teams[team]!)]!;
      for (const team of [0, 1]) captainOf(team).room(`herodraft:${hd.id}`); // present, as on the draft page
      const send = async (team: number, name: 'herodraft.ready' | 'herodraft.choose' | 'herodraft.act', payload: Record<string, unknown>) => {
        const ack = await captainOf(team).command(name as 'herodraft.ready', { heroDraftId: hd.id, ...payload } as never);
        if (!ack.ok) throw new Error(`${name} refused: ${JSON.stringify(ack.error)}`);
        commands++;
        return ack.data as HeroDraftView;
      };
      await send(0, 'herodraft.ready', { ready: true });
      let v = await send(1, 'herodraft.ready', { ready: true });
      while (v.toss.due) {
        const kind = v.toss.due.kinds[0]!;
        v = await send(v.toss.due.team, 'herodraft.choose', { choice: { kind, value: kind === 'order' ? 'first' : 'radiant' } });
      }
      while (v.turn) {
        const used = new Set(v.done.map((d) => d.heroId));
        const heroId = heroIds.find((h) => !used.has(h))!;
        const sent = performance.now();
        v = await send(v.turn.team, 'herodraft.act', { stepIndex: v.turn.stepIndex, heroId });
        actMs.push(performance.now() - sent);
      }
      return v;
    };
    const heroStarted = Date.now();
    const finished = await Promise.all(heroDrafts.map(runHeroDraft));
    heroSeconds = (Date.now() - heroStarted) / 1000;
    heroCommands = finished.reduce((n, v) => n + v.done.length, 0);
    log(`night: hero drafts ${finished.map((v) => `${v.status} after ${v.done.length} steps`).join(', ')}`);
    // The four series of round one are reported at once, as four admins would.
    const reports = await Promise.all(
      firstRound.map((m, i) => must(staff.post(`/api/tournaments/${id}/series/${m.id}/report`, i % 2 ? { scoreA: 2, scoreB: 1 } : { scoreA: 0, scoreB: 2 }))),
    );
    commands += reports.length;
    stage = reports.at(-1);
    const driveSeconds = (Date.now() - started) / 1000;

    // Everything committed: every spectator must now reach its room's head.
    const heads: Record<string, number> = {
      [rooms.draft]: Number((await must(staff.get(base))).seq),
      [rooms.tournament]: Number((await must(staff.get(`/api/tournaments/${id}`))).seq),
    };
    for (const hd of heroDrafts) heads[`herodraft:${hd.id}`] = Number((await must(staff.get(`/api/herodrafts/${hd.id}`))).seq);
    try {
      await until(
        () => watchers.every((w) => heads[w.room]! <= w.joinSeq || (w.seqs.length > 0 && Math.max(...w.seqs) >= heads[w.room]!)),
        'every spectator at the head',
        30_000,
      );
    } catch (err) {
      log(`night: ${(err as Error).message}`);
    }
    const cpuAfter = servers.map((s) => s.pids.reduce((a, pid) => a + cpuSeconds(pid), 0));
    const elapsed = (Date.now() - started) / 1000;

    let lost = 0;
    let duplicated = 0;
    for (const w of watchers) {
      const unique = new Set(w.seqs);
      duplicated += w.seqs.length - unique.size;
      for (let seq = w.joinSeq + 1; seq <= heads[w.room]!; seq++) if (!unique.has(seq)) lost++;
    }
    // Per event: the time until its LAST spectator had it.
    const lastDelivery = [...received.values()].map((times) => Math.max(...times));
    const events: Record<string, number> = {};
    for (const [room, head] of Object.entries(heads)) {
      const kind = room.split(':')[0]!;
      events[kind] = (events[kind] ?? 0) + head - (watchers.find((w) => w.room === room)?.joinSeq ?? 0);
    }

    const processes = servers.map((s, i) => {
      const mem = s.pids.map(memoryMb).reduce((a, m) => ({ rss: a.rss + m.rss, peak: a.peak + m.peak }), { rss: 0, peak: 0 });
      return { name: s.name, cpuPercent: ((cpuAfter[i]! - cpuBefore[i]!) / elapsed) * 100, rssMb: mem.rss, peakMb: mem.peak };
    });
    return {
      spectators: watchers.length,
      commands,
      driveSeconds,
      commandsPerSecond: commands / driveSeconds,
      pickAckMs: { p50: percentile(pickMs, 50), max: Math.max(...pickMs) },
      heroDrafts: {
        steps: heroCommands,
        seconds: heroSeconds,
        stepsPerSecond: heroCommands / heroSeconds,
        actAckMs: { p50: percentile(actMs, 50), p99: percentile(actMs, 99), max: Math.max(...actMs) },
      },
      events,
      latencyMs: { p50: percentile(lastDelivery, 50), p99: percentile(lastDelivery, 99), max: Math.max(...lastDelivery), samples: lastDelivery.length },
      lost,
      duplicated,
      processes,
    };
  } finally {
    for (const w of watchers) w.socket.close();
    for (const c of clients) c.close();
    await Promise.all(hubs.map((h) => h.stop(15_000)));
    killAll();
    await nginx?.stop();
    await database.drop();
  }
}

/** The scenario entry for bench/run.ts. */
export async function night(ctx: Ctx) {
  const spectators = ctx.opts.quick ? 200 : 2000;
  const f = await runNight({ spectators, log: ctx.log });
  const variant = `2 hubs + nginx, ${f.spectators} spectators`;
  const add = (metric: string, value: number, unit: string, target?: string, pass?: boolean) =>
    ctx.report.add({ scenario: 'night', variant, metric, value, unit, target, pass });
  add('commands/s sustained', f.commandsPerSecond, '/s');
  add('pick ack p50', f.pickAckMs.p50, 'ms');
  add('4 hero drafts at once: steps/s', f.heroDrafts.stepsPerSecond, '/s');
  add('hero draft step ack p50', f.heroDrafts.actAckMs.p50, 'ms');
  add('delivery to last spectator p50', f.latencyMs.p50, 'ms');
  add('delivery to last spectator p99', f.latencyMs.p99, 'ms');
  add('delivery to last spectator max', f.latencyMs.max, 'ms');
  add('events lost', f.lost, '', '0', f.lost === 0);
  add('events duplicated', f.duplicated, '', '0', f.duplicated === 0);
  for (const p of f.processes) {
    add(`${p.name} CPU`, p.cpuPercent, '% core');
    add(`${p.name} memory (peak RSS)`, p.peakMb, 'MB');
  }
  ctx.report.details.night = f;
}

// Run alone: node --import tsx bench/night/night.ts [--quick]
if (process.argv[1] && import.meta.url.endsWith(process.argv[1].replace(/^.*\/bench\//, '/bench/'))) {
  const quick = process.argv.includes('--quick');
  runNight({ spectators: quick ? 200 : 2000, log: (l) => console.log(l) }).then(
    (f) => {
      console.log(JSON.stringify(f, null, 2));
      process.exit(f.lost || f.duplicated ? 1 : 0);
    },
    (err) => {
      console.error(err);
      process.exit(1);
    },
  );
}
