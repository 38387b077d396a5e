/**
 * `npm run bench`: the realtime and REST benchmarks of the hub, each against its baseline in
 * the same run (rules: ../../shared/benchmarking.md). Servers run on core 0, the load generator
 * (and this orchestrator) on core 1; each round checks that the machine is otherwise idle.
 *
 *   npm run bench -- [--only=pick,throughput,draftpick,rooms,rest,connections,night] [--quick] [--n=1000,5000]
 *                    [--rounds=3] [--max-rounds=5] [--no-redis] [--no-real-client] [--no-reference] [--timeout-min=50]
 *                    [--idle-budget-min=6]
 *
 * Prints a table of absolute figures and ratios; writes bench/results/latest.json.
 */
import { spawnSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { killEverything } from './lib/ipc';
import { setIdleWaitBudget } from './lib/cpu';
import { tally } from './lib/rounds';
import { median } from './lib/stats';
import { Report } from './lib/report';
import { removeTmp, startLoadgen, LOADGEN_CORE } from './lib/setup';
import type { Ctx, Options } from './lib/context';
import { fanout } from './scenarios/fanout';
import { draftPick } from './scenarios/draft-pick';
import { manyRooms } from './scenarios/rooms';
import { rest } from './scenarios/rest';
import { connections } from './scenarios/connections';
import { night } from './night/night';

const ALL = ['pick', 'throughput', 'draftpick', 'rooms', 'rest', 'connections', 'night'];

function parseArgs(argv: string[]) {
  const args = new Map<string, string>();
  for (const a of argv) {
    const m = /^--([^=]+)(?:=(.*))?$/.exec(a);
    if (!m) throw new Error(`unknown argument ${a}`);
    args.set(m[1]!, m[2] ?? 'true');
  }
  return args;
}

function options(args: Map<string, string>): Options & { timeoutMin: number; idleBudgetMin: number } {
  const quick = args.has('quick');
  const num = (name: string, dflt: number) => (args.has(name) ? Number(args.get(name)) : dflt);
  const only = args.get('only')?.split(',') ?? ALL;
  for (const s of only) if (!ALL.includes(s)) throw new Error(`unknown scenario ${s} (one of ${ALL.join(', ')})`);
  const ns = args.get('n')?.split(',').map(Number) ?? (quick ? [200] : [1000, 5000]);
  return {
    scenarios: new Set(only),
    ns,
    throughputN: num('throughput-n', quick ? 200 : 1000),
    rooms: num('rooms', quick ? 100 : 1000),
    perRoom: num('per-room', 5),
    roomsRate: num('rate', quick ? 200 : 2000),
    connections: num('connections', quick ? 500 : 5000),
    redis: !args.has('no-redis'),
    realClient: !args.has('no-real-client'),
    reference: !args.has('no-reference'),
    samples: num('samples', quick ? 10 : 30),
    durationMs: num('duration-ms', quick ? 1500 : 4000),
    restSeconds: num('rest-seconds', quick ? 2 : 5),
    quick,
    timeoutMin: num('timeout-min', quick ? 15 : 50),
    /** Total time the run may spend waiting for an idle machine before rounds. */
    idleBudgetMin: num('idle-budget-min', quick ? 1 : 6),
    rounds: {
      minClean: num('rounds', quick ? 1 : 3),
      maxRounds: num('max-rounds', quick ? 2 : 5),
      maxOther: 0.15,
      idleThreshold: 0.85,
      idleWaitMs: quick ? 3_000 : 15_000,
      log: (line) => console.log(line),
    },
  };
}

async function main() {
  const opts = options(parseArgs(process.argv.slice(2)));
  if (os.cpus().length < 2) console.warn('warning: fewer than 2 cores: the server and the load generator will share one');
  // This orchestrator stays off the servers' core.
  spawnSync('taskset', ['-a', '-p', '-c', String(LOADGEN_CORE), String(process.pid)], { stdio: 'ignore' });

  // The watchdog: whatever hangs, the run ends, and its children with it.
  const watchdog = setTimeout(() => {
    console.error(`\nwatchdog: the benchmark ran past ${opts.timeoutMin} min; stopping`);
    killEverything();
    process.exit(2);
  }, opts.timeoutMin * 60_000);
  watchdog.unref();

  setIdleWaitBudget(opts.idleBudgetMin * 60_000);
  const report = new Report();
  const loadgen = await startLoadgen();
  const ctx: Ctx = { opts, loadgen, report, log: (line) => console.log(line) };
  console.log(
    `DTX Hub benchmark: ${[...opts.scenarios].join(', ')}${opts.quick ? ' (quick)' : ''}; Node ${process.version}; servers on core 0, load generator on core 1`,
  );
  const failures: string[] = [];
  const run = async (name: string, fn: (c: Ctx) => Promise<void>) => {
    try {
      await fn(ctx);
    } catch (err) {
      const message = err instanceof Error ? (err.stack ?? err.message) : String(err);
      failures.push(`${name}: ${message.split('\n')[0]}`);
      console.error(`\n${name} failed: ${message}`);
    }
  };
  if (opts.scenarios.has('pick') || opts.scenarios.has('throughput')) await run('pick/throughput', fanout);
  if (opts.scenarios.has('draftpick')) await run('draft pick', draftPick);
  if (opts.scenarios.has('rooms')) await run('rooms', manyRooms);
  if (opts.scenarios.has('rest')) await run('rest', rest);
  if (opts.scenarios.has('connections')) await run('connections', connections);
  if (opts.scenarios.has('night')) await run('night', night);
  await loadgen.stop();

  const machine = { rounds: tally.rounds, clean: tally.clean, medianOtherShare: median(tally.otherShares) };
  console.log(`\n${report.table()}`);
  console.log(
    `\nmachine: ${tally.clean} of ${tally.rounds} rounds clean; other work took a median ${(machine.medianOtherShare * 100).toFixed(0)} % of the machine during rounds`,
  );
  if (report.notes.length) console.log(`\nnotes:\n${report.notes.map((n) => `- ${n}`).join('\n')}`);
  if (failures.length) console.log(`\nfailed scenarios:\n${failures.map((f) => `- ${f}`).join('\n')}`);
  const file = path.join(path.dirname(fileURLToPath(import.meta.url)), 'results', 'latest.json');
  const { timeoutMin: _timeoutMin, idleBudgetMin: _idleBudgetMin, rounds, scenarios, ...shown } = opts;
  report.write(file, {
    node: process.version,
    cpus: os.cpus().length,
    machine,
    options: { ...shown, scenarios: [...scenarios], rounds: { ...rounds, log: undefined } },
    failures,
  });
  console.log(`\nresults: ${path.relative(process.cwd(), file)}`);
  return failures.length ? 1 : 0;
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    killEverything();
    removeTmp();
    process.exit(130);
  });
}
process.on('exit', () => {
  killEverything();
  removeTmp();
});

main().then(
  (code) => process.exit(code),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
