/**
 * Scenarios 1 and 2: one room, 2 captains and N spectators.
 *
 * 1. Pick to all spectators: a captain's command over the socket (ack) → the hub's command
 *    path (transaction, event row, cache invalidation) → broadcast; measured from sending the
 *    command until the last spectator has the event. The server-side part (command packet
 *    received → broadcast handed to the adapter) is measured inside the hub process.
 *    Baseline: a bare ws server that, on a trigger message, sends a frame of the same size to
 *    the same N clients.
 * 2. Fan-out throughput: commands kept in flight (a bounded window of commands not yet
 *    delivered everywhere), delivered messages per second, against the same baseline.
 */
import { median } from '../lib/stats';
import { lastSpectatorFigures, reportLastSpectator } from '../lib/last-spectator';
import { runRounds, usable, medianOf } from '../lib/rounds';
import { freshSqliteFile, startBaseline, startHubs, startRedis, startSocketIoReference, type HubHandle } from '../lib/setup';
import { seedTournament } from '../lib/seed';
import { variantsFor, type Ctx } from '../lib/context';

interface Sample {
  lastMs: number;
  firstMs: number;
  ackMs: number;
  /** When the command was sent (machine-wide ms). */
  t0: number;
}
interface LatencyResult {
  samples: Sample[];
  clientCpuUs: number;
}
interface ThroughputResult {
  perSecond: number;
  broadcastsPerSecond: number;
  errors: number;
  firstError?: string;
  drained: boolean;
}

const CONNECT = { concurrency: 100, connectTimeoutMs: 15_000 };
const BLOCK = 5;

type Side = 'base' | 'hub' | 'reference';
/** The room each side's spectators are in (`room` is the hub's). */
const roomOf = (side: Side, room: string) => (side === 'base' ? 'bench' : side === 'reference' ? 'reference' : room);

/**
 * A round's latency samples of each side (the bare baseline, the hub's command, and the
 * reference: plain Socket.IO with its stock adapters), taken in blocks of BLOCK samples, the
 * order rotating from block to block (B H R, H R B, R B H …; with two sides B H, H B …), so
 * that the machine's speed drifting during a round (on these machines it does, sometimes by a
 * third between two phases) weighs on every side alike.
 */
async function interleavedLatency(loadgen: Ctx['loadgen'], p: { room: string; samples: number; expected: number; timeoutMs: number; sides: Side[] }) {
  const results = new Map<Side, LatencyResult>(p.sides.map((side) => [side, { samples: [], clientCpuUs: 0 }]));
  const take = async (side: Side, count: number) => {
    const r: LatencyResult = await loadgen.call(
      'latency',
      { trigger: side, room: roomOf(side, p.room), samples: count, gapMs: 25, expected: p.expected, timeoutMs: p.timeoutMs },
      300_000,
    );
    const into = results.get(side)!;
    into.samples.push(...r.samples);
    into.clientCpuUs += r.clientCpuUs;
  };
  for (let block = 0, done = 0; done < p.samples; block++, done += BLOCK) {
    const count = Math.min(BLOCK, p.samples - done);
    for (let k = 0; k < p.sides.length; k++) await take(p.sides[(block + k) % p.sides.length]!, count);
  }
  return results;
}

export async function fanout(ctx: Ctx) {
  const { opts, loadgen, report, log } = ctx;
  const wantPick = opts.scenarios.has('pick');
  const wantThroughput = opts.scenarios.has('throughput');
  const ns = [...new Set([...(wantPick ? opts.ns : []), ...(wantThroughput ? [opts.throughputN] : [])])];

  for (const n of ns) {
    log(`\n# one room, ${n} spectators`);
    const base = await startBaseline('ws');
    const opened = await loadgen.call(
      'open',
      { group: 'base', kind: 'light', urls: [base.url], count: n, track: true, eventName: 'event', ...CONNECT },
      300_000,
    );
    if (opened.failed) throw new Error(`baseline: ${opened.failed} of ${n} clients failed to connect: ${opened.firstError}`);
    await loadgen.call('setupTrigger', { name: 'base', kind: 'wsTrigger', url: base.url, ackTimeoutMs: 10_000 });

    for (const variant of variantsFor(opts)) {
      log(`## ${variant.name}`);
      const redis = variant.processes > 1 ? await startRedis() : undefined;
      const references: { child: { stop(): Promise<unknown> } }[] = [];
      const hubs: HubHandle[] = await startHubs(variant.processes, { sqliteFile: freshSqliteFile(), redisUrl: redis?.url });
      try {
        const seeded = await seedTournament(hubs[0]!.url, { captains: 2, poolSize: 20, tag: `${n}_${variant.processes}` });
        const { room, tournamentId } = seeded;
        // The captains watch the room too (not counted as spectators); one per process.
        for (const [k, captain] of seeded.captains.entries()) {
          await loadgen.call('open', {
            group: 'captains',
            kind: 'light',
            urls: [hubs[k % hubs.length]!.url],
            count: 1,
            rooms: [room],
            perRoom: 1,
            cookie: captain.cookie,
            track: false,
            eventName: 'event',
            ...CONNECT,
          });
        }
        const spectators = await loadgen.call(
          'open',
          {
            group: 'spectators',
            kind: 'light',
            urls: hubs.map((h) => h.url),
            count: n,
            rooms: [room],
            perRoom: n,
            track: true,
            eventName: 'event',
            ...CONNECT,
          },
          300_000,
        );
        if (spectators.failed) throw new Error(`${spectators.failed} of ${n} spectators failed to join: ${spectators.firstError}`);
        log(`  ${n} spectators joined in ${(spectators.ms / 1000).toFixed(1)} s`);
        const captain = seeded.captains[0]!;
        // A captain renames their team (a real socket command on the full path); the name pads the event toward ~300 bytes.
        const payload = JSON.stringify({ tournamentId, teamId: captain.teamId, name: `Pick {n} ${'x'.repeat(40)}` });
        await loadgen.call('setupTrigger', {
          name: 'hub',
          kind: 'socketCommand',
          url: hubs[0]!.url,
          cookie: captain.cookie,
          event: 'team.rename',
          payloads: [payload],
          ackTimeoutMs: 15_000,
        });
        const inst = await hubs[0]!.child.call('instrument');
        if (!inst.ok) report.note(`server-side timing unavailable: ${inst.reason}`);

        const timeoutMs = 30_000;
        const samples = Math.max(5, Math.round(opts.samples * (n > 2000 ? 0.6 : 1)));
        await loadgen.call('latency', { trigger: 'hub', room, samples: 5, gapMs: 20, expected: n, timeoutMs }, 120_000);
        const frameBytes: number = await loadgen.call('frameBytes');
        const joinBytes: number = await loadgen.call('joinBytes');
        await base.child.call('configure', { size: frameBytes, sample: await loadgen.call('sampleEvent'), joinBytes });
        await loadgen.call('latency', { trigger: 'base', room: 'bench', samples: 5, gapMs: 20, expected: n, timeoutMs }, 120_000);
        await hubs[0]!.child.call('takeTimings');
        await base.child.call('takeServerTimes');
        log(
          `  event frame: ${frameBytes} bytes (the baseline sends the same frame: same event, next seq); join answer ${joinBytes} bytes (the baseline's spectators got one as large)`,
        );

        if (wantPick && opts.ns.includes(n)) {
          // Plain Socket.IO in the same layout (as many processes, the same Redis), sending the
          // same event: what the stack itself costs. At the smallest N only: at 5,000 the load
          // generator would hold 15,000 sockets.
          const sides: Side[] = ['base', 'hub'];
          if (opts.reference && n === Math.min(...opts.ns)) {
            const refs = await startSocketIoReference(variant.processes, redis?.url);
            references.push(...refs);
            const sample = await loadgen.call('sampleEvent');
            for (const ref of refs) await ref.child.call('configure', { sample, joinBytes });
            const opened = await loadgen.call(
              'open',
              {
                group: 'reference',
                kind: 'light',
                urls: refs.map((r) => r.url),
                count: n,
                rooms: ['reference'],
                perRoom: n,
                track: true,
                eventName: 'event',
                ...CONNECT,
              },
              300_000,
            );
            if (opened.failed) throw new Error(`reference: ${opened.failed} of ${n} clients failed to join: ${opened.firstError}`);
            await loadgen.call('setupTrigger', { name: 'reference', kind: 'wsTrigger', url: refs[0]!.triggerUrl, ackTimeoutMs: 10_000 });
            await loadgen.call('latency', { trigger: 'reference', room: 'reference', samples: 5, gapMs: 20, expected: n, timeoutMs }, 120_000);
            sides.push('reference');
          }
          const rounds = await runRounds(`pick N=${n} ${variant.name}`, opts.rounds, async () => {
            const results = await interleavedLatency(loadgen, { room, samples, expected: n, timeoutMs, sides });
            const [b, h, ref] = [results.get('base')!, results.get('hub')!, results.get('reference')];
            const baseServer: number[] = await base.child.call('takeServerTimes');
            const timings: { serverMs: number; commandMs: number; fanoutMs: number }[] = await hubs[0]!.child.call('takeTimings');
            // Each hub sample's garbage-collection time in any hub process, from the command sent to the last receipt.
            const gcs: { at: number; ms: number }[] = (await Promise.all(hubs.map((hh) => hh.child.call('takeGc')))).flat();
            const gcInside = (t0: number, ms: number) => gcs.reduce((sum, g) => sum + Math.max(0, Math.min(g.at + g.ms, t0 + ms) - Math.max(g.at, t0)), 0);
            return {
              base: b.samples.map((s) => s.lastMs),
              hub: h.samples.map((s) => s.lastMs),
              hubGcMs: h.samples.map((s) => gcInside(s.t0, s.lastMs)),
              reference: ref?.samples.map((s) => s.lastMs) ?? [],
              hubFirst: h.samples.map((s) => s.firstMs),
              hubAck: h.samples.map((s) => s.ackMs),
              server: timings.map((t) => t.serverMs).filter(Number.isFinite),
              command: timings.map((t) => t.commandMs).filter(Number.isFinite),
              fanout: timings.map((t) => t.fanoutMs),
              baseServer,
              clientCpuPerMsgUs: {
                base: b.clientCpuUs / (samples * n),
                hub: h.clientCpuUs / (samples * n),
                reference: ref ? ref.clientCpuUs / (samples * n) : undefined,
              },
            };
          });
          const { rounds: use, contended } = usable(rounds, opts.rounds.minClean);
          const pooled = (pick: (v: (typeof use)[number]['value']) => number[]) => use.flatMap((r) => pick(r.value));
          const figures = lastSpectatorFigures(use);
          const { hubP50, baseP50 } = figures;
          // Tails: the slowest hub samples, and how much of each was the hub collecting garbage.
          const worst = use
            .flatMap((r) => r.value.hub.map((ms, i) => ({ ms, gcMs: r.value.hubGcMs[i] ?? 0 })))
            .sort((a, b) => b.ms - a.ms)
            .slice(0, 3);
          report.note(
            `pick N=${n} ${variant.name}: slowest hub samples ${worst.map((w) => `${w.ms.toFixed(1)} ms (GC in the hub ${w.gcMs.toFixed(1)} ms)`).join(', ')}; ` +
              `${((pooled((v) => v.hubGcMs).filter((g) => g > 0).length / Math.max(1, pooled((v) => v.hub).length)) * 100).toFixed(0)} % of hub samples had a GC inside`,
          );
          const target = n >= 5000 ? 1.3 : 1.25;
          const scenario = `pick → all, N=${n}`;
          reportLastSpectator(report, { scenario, variant: variant.name, target, contended }, figures);
          if (sides.includes('reference')) {
            // The stack alone (no command), against the same bare baseline; then the hub against it.
            const refP50 = medianOf(use, (v) => median(v.reference));
            report.add({
              scenario,
              variant: variant.name,
              metric: 'plain Socket.IO, no command, p50',
              value: refP50,
              unit: 'ms',
              baseline: baseP50,
              ratio: refP50 / baseP50,
              contended,
            });
            report.add({
              scenario,
              variant: variant.name,
              metric: 'hub against plain Socket.IO, p50',
              value: hubP50,
              unit: 'ms',
              baseline: refP50,
              ratio: hubP50 / refP50,
              contended,
            });
          }
          report.add({
            scenario,
            variant: variant.name,
            metric: 'server part p50 (received → handed over)',
            value: medianOf(use, (v) => median(v.server)),
            unit: 'ms',
            contended,
          });
          report.add({
            scenario,
            variant: variant.name,
            metric: '  of which command bus (tx → handed over)',
            value: medianOf(use, (v) => median(v.command)),
            unit: 'ms',
            contended,
          });
          // The adapter's synchronous work (encode once, write to each local socket) against the baseline's send loop.
          report.add({
            scenario,
            variant: variant.name,
            metric: 'local fan-out (sync) p50',
            value: medianOf(use, (v) => median(v.fanout)),
            unit: 'ms',
            baseline: medianOf(use, (v) => median(v.baseServer)),
            contended,
          });
          report.details[`pick_${n}_${variant.processes}p`] = {
            frameBytes,
            samplesPerRound: samples,
            rounds: rounds.map((r) => ({
              clean: r.clean,
              idleBefore: r.idleBefore,
              otherShare: r.otherShare,
              hubP50: median(r.value.hub),
              baseP50: median(r.value.base),
              referenceP50: r.value.reference.length ? median(r.value.reference) : undefined,
              hubFirstP50: median(r.value.hubFirst),
              hubAckP50: median(r.value.hubAck),
              serverP50: median(r.value.server),
              commandP50: median(r.value.command),
              fanoutP50: median(r.value.fanout),
              baseServerP50: median(r.value.baseServer),
              clientCpuPerMsgUs: r.value.clientCpuPerMsgUs,
            })),
          };
        }

        if (wantThroughput && n === opts.throughputN) {
          const tp = { window: 4, warmupMs: 500, durationMs: opts.durationMs, drainMs: 15_000 };
          let round = 0;
          const measure = (which: 'base' | 'hub'): Promise<ThroughputResult> =>
            loadgen.call('throughput', { trigger: which, room: which === 'base' ? 'bench' : room, expected: n, ...tp }, 120_000);
          const rounds = await runRounds(`throughput N=${n} ${variant.name}`, opts.rounds, async () => {
            // Every other round the hub goes first, so that a drift of the machine's speed does not always favour one side.
            const hubFirst = round++ % 2 === 1;
            const first = await measure(hubFirst ? 'hub' : 'base');
            const second = await measure(hubFirst ? 'base' : 'hub');
            const [b, h] = hubFirst ? [second, first] : [first, second];
            if (h.errors) report.note(`throughput ${variant.name}: ${h.errors} commands failed: ${h.firstError}`);
            return {
              base: b.perSecond,
              hub: h.perSecond,
              hubBroadcasts: h.broadcastsPerSecond,
              baseBroadcasts: b.broadcastsPerSecond,
              drained: h.drained && b.drained,
            };
          });
          await hubs[0]!.child.call('takeTimings');
          const { rounds: use, contended } = usable(rounds, opts.rounds.minClean);
          const hub = medianOf(use, (v) => v.hub);
          const baseRate = medianOf(use, (v) => v.base);
          report.add({
            scenario: `fan-out throughput, N=${n}`,
            variant: variant.name,
            metric: 'delivered msgs/s',
            value: hub,
            unit: '/s',
            baseline: baseRate,
            ratio: hub / baseRate,
            target: '≥ 0.8×',
            pass: hub / baseRate >= 0.8,
            contended,
          });
          report.add({
            scenario: `fan-out throughput, N=${n}`,
            variant: variant.name,
            metric: 'broadcasts/s',
            value: medianOf(use, (v) => v.hubBroadcasts),
            unit: '/s',
            baseline: medianOf(use, (v) => v.baseBroadcasts),
            contended,
          });
          report.details[`throughput_${n}_${variant.processes}p`] = {
            window: tp.window,
            durationMs: tp.durationMs,
            rounds: rounds.map((r) => ({ clean: r.clean, otherShare: r.otherShare, ...r.value })),
          };
        }

        if (opts.realClient && variant.processes === 1 && n === Math.min(...opts.ns)) {
          // Realism: the same measurement with the real socket.io-client as the spectators.
          await loadgen.call('closeGroup', { group: 'spectators' });
          const real = await loadgen.call(
            'open',
            { group: 'real', kind: 'sio', urls: hubs.map((h) => h.url), count: n, rooms: [room], perRoom: n, track: true, eventName: 'event', ...CONNECT },
            300_000,
          );
          if (real.failed) throw new Error(`${real.failed} of ${n} socket.io-client spectators failed: ${real.firstError}`);
          const rounds = await runRounds(`pick N=${n} real socket.io-client`, { ...opts.rounds, minClean: 1, maxRounds: 2 }, async () => {
            const results = await interleavedLatency(loadgen, { room, samples, expected: n, timeoutMs, sides: ['base', 'hub'] });
            const [b, h] = [results.get('base')!, results.get('hub')!];
            return {
              base: median(b.samples.map((s) => s.lastMs)),
              hub: median(h.samples.map((s) => s.lastMs)),
              clientCpuPerMsgUs: h.clientCpuUs / (samples * n),
            };
          });
          const { rounds: use, contended } = usable(rounds, 1);
          const hub = medianOf(use, (v) => v.hub);
          const baseP50 = medianOf(use, (v) => v.base);
          report.add({
            scenario: `pick → all, N=${n}`,
            variant: '1 process, socket.io-client',
            metric: 'last spectator p50',
            value: hub,
            unit: 'ms',
            baseline: baseP50,
            ratio: hub / baseP50,
            contended,
          });
          report.add({
            scenario: `pick → all, N=${n}`,
            variant: '1 process, socket.io-client',
            metric: 'client CPU per message',
            value: medianOf(use, (v) => v.clientCpuPerMsgUs),
            unit: 'µs',
            contended,
          });
          await loadgen.call('closeGroup', { group: 'real' });
        }
      } finally {
        await loadgen.call('closeGroup', { group: 'reference' });
        await Promise.all(references.splice(0).map((r) => r.child.stop()));
        await loadgen.call('closeGroup', { group: 'spectators' });
        await loadgen.call('closeGroup', { group: 'captains' });
        await Promise.all(hubs.map((h) => h.child.stop()));
        redis?.stop();
      }
    }
    await loadgen.call('closeGroup', { group: 'base' });
    await base.child.stop();
  }
}
