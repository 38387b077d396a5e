/**
 * Scenario 4: GET /api/tournaments/:id with autocannon (50 connections), against a bare
 * Express route answering the same JSON body.
 *   - cached: the hub as it runs, the answer served from its read cache;
 *   - uncached: the same route with the read cache switched off in the hub process (every
 *     request runs the handler's database reads), as if each request followed a change.
 * The hub runs with NODE_ENV=production here (no development login; answers are not checked
 * against their schema as they are in development and tests), on data seeded beforehand by a
 * development hub on the same SQLite file.
 */
import { runRounds, usable, medianOf } from '../lib/rounds';
import { freshSqliteFile, startBaseline, startHub, startHubs } from '../lib/setup';
import { seedTournament } from '../lib/seed';
import type { Ctx } from '../lib/context';

export async function rest(ctx: Ctx) {
  const { opts, loadgen, report, log } = ctx;
  log('\n# REST: GET /api/tournaments/:id');
  const file = freshSqliteFile();
  const dev = await startHubs(1, { sqliteFile: file });
  const seeded = await seedTournament(dev[0]!.url, { captains: 4, poolSize: 40, tag: 'rest' }).finally(() => dev[0]!.child.stop());
  const hub = await startHub('hub-production', { sqliteFile: file, production: true });
  const base = await startBaseline('express');
  try {
    const path = `/api/tournaments/${seeded.tournamentId}`;
    const res = await fetch(hub.url + path);
    if (res.status !== 200) throw new Error(`GET ${path} answered ${res.status}`);
    const body = await res.json();
    const { bytes } = await base.child.call('configure', { body });
    log(`  body: ${bytes} bytes (a tournament with ${seeded.captains.length} teams and a pool of 44)`);

    const run = (url: string, durationSec: number) => loadgen.call('autocannon', { url, connections: 50, durationSec }, (durationSec + 30) * 1000);
    const setCache = (enabled: boolean) => hub.child.call('cache', { enabled });
    // Warm-up (JIT, connections, cache fill).
    await run(base.url + path, 1);
    await run(hub.url + path, 1);

    const rounds = await runRounds('rest', opts.rounds, async () => {
      const b = await run(base.url + path, opts.restSeconds);
      const cached = await run(hub.url + path, opts.restSeconds);
      await setCache(false);
      const uncached = await run(hub.url + path, opts.restSeconds).finally(() => setCache(true));
      for (const [name, r] of Object.entries({ baseline: b, cached, uncached })) {
        if (r.non2xx || r.errors) report.note(`rest ${name}: ${r.non2xx} non-2xx, ${r.errors} errors`);
      }
      return { base: b, cached, uncached };
    });
    const { rounds: use, contended } = usable(rounds, opts.rounds.minClean);
    const baseRps = medianOf(use, (v) => v.base.rps);
    const cachedRps = medianOf(use, (v) => v.cached.rps);
    const uncachedRps = medianOf(use, (v) => v.uncached.rps);
    const scenario = `GET tournament (${bytes} B), c=50`;
    report.add({
      scenario,
      variant: 'cached',
      metric: 'requests/s',
      value: cachedRps,
      unit: '/s',
      baseline: baseRps,
      ratio: cachedRps / baseRps,
      target: '≥ 0.8×',
      pass: cachedRps / baseRps >= 0.8,
      contended,
    });
    report.add({
      scenario,
      variant: 'uncached',
      metric: 'requests/s',
      value: uncachedRps,
      unit: '/s',
      baseline: baseRps,
      ratio: uncachedRps / baseRps,
      contended,
    });
    report.add({
      scenario,
      variant: 'cached',
      metric: 'latency p99',
      value: medianOf(use, (v) => v.cached.latencyP99),
      unit: 'ms',
      baseline: medianOf(use, (v) => v.base.latencyP99),
      contended,
    });
    report.add({
      scenario,
      variant: 'uncached',
      metric: 'latency p99',
      value: medianOf(use, (v) => v.uncached.latencyP99),
      unit: 'ms',
      baseline: medianOf(use, (v) => v.base.latencyP99),
      contended,
    });
    report.details.rest = { bytes, rounds: rounds.map((r) => ({ clean: r.clean, otherShare: r.otherShare, ...r.value })) };
  } finally {
    await hub.child.stop();
    await base.child.stop();
  }
}
