import fs from 'node:fs';
import { sleep } from './stats';

/** Jiffies of the whole machine (all cores) from the first line of /proc/stat. */
function machine(): { total: number; idle: number } {
  const line = fs.readFileSync('/proc/stat', 'utf8').split('\n', 1)[0]!;
  const f = line.trim().split(/\s+/).slice(1, 9).map(Number); // user nice system idle iowait irq softirq steal
  const total = f.reduce((a, b) => a + b, 0);
  return { total, idle: f[3]! + f[4]! };
}

/** Last CPU time read of our children that have exited: their work still counts as ours. */
const exited = new Map<number, number>();

/** Call just before a child of ours exits. */
export function rememberExit(pid: number) {
  exited.set(pid, processJiffies(pid));
}
export const exitedPids = () => [...exited.keys()];

/** utime + stime of one process (all its threads), in jiffies; 0 once it is gone. */
export function processJiffies(pid: number): number {
  if (exited.has(pid)) return exited.get(pid)!;
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[11]) + Number(fields[12]); // fields 14 and 15 of proc(5)
  } catch {
    return 0;
  }
}

export interface CpuMark {
  machine: { total: number; idle: number };
  ours: Map<number, number>;
}

export function mark(pids: number[]): CpuMark {
  return { machine: machine(), ours: new Map(pids.map((pid) => [pid, processJiffies(pid)])) };
}

/**
 * Share of the machine's CPU (0..1, all cores together) taken between two marks by processes
 * that are not ours: the other engineers' work that makes a round noisy.
 */
export function otherShare(from: CpuMark, to: CpuMark): number {
  const total = to.machine.total - from.machine.total;
  if (total <= 0) return 0;
  const busy = total - (to.machine.idle - from.machine.idle);
  let ours = 0;
  for (const [pid, after] of to.ours) {
    // A process started during the round counts from zero.
    const before = from.ours.get(pid) ?? 0;
    if (after >= before) ours += after - before;
  }
  return Math.max(0, busy - ours) / total;
}

/** Idle share of the machine over `ms`. */
export async function idleShare(ms = 1000): Promise<number> {
  const a = machine();
  await sleep(ms);
  const b = machine();
  return (b.idle - a.idle) / Math.max(1, b.total - a.total);
}

/** Waiting for idle shares one budget per run: on a machine that stays busy, stop waiting. */
let waitBudgetMs = 5 * 60_000;
export function setIdleWaitBudget(ms: number) {
  waitBudgetMs = ms;
}

/**
 * Waits (up to maxWaitMs, and within the run's budget) until the machine is at least
 * `threshold` idle over a second. Returns the last idle share seen: the round is then marked.
 */
export async function waitForIdle(threshold = 0.85, maxWaitMs = 15_000): Promise<number> {
  const start = Date.now();
  const until = start + Math.min(maxWaitMs, Math.max(0, waitBudgetMs));
  let idle: number;
  do {
    idle = await idleShare(1000);
    if (idle >= threshold) break;
  } while (Date.now() < until);
  waitBudgetMs -= Math.max(0, Date.now() - start - 1000);
  return idle;
}
