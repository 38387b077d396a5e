import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { rememberExit } from './cpu';

/** A request from the orchestrator to one of its children, answered by id. */
interface Request {
  id: number;
  method: string;
  params: unknown;
}
type Reply = { id: number; result?: unknown; error?: string };

export type Handlers = Record<string, (params: any) => unknown>;

/**
 * Child side: answers the orchestrator's requests over the IPC channel. A child never
 * outlives the orchestrator: when the channel closes (the parent exited or was killed), it exits.
 */
export function serveParent(handlers: Handlers) {
  if (!process.send) throw new Error('this script runs as a child of bench/run.ts');
  process.on('message', async (msg: Request) => {
    if (!msg || typeof msg.id !== 'number') return;
    let reply: Reply;
    try {
      const handler = handlers[msg.method];
      if (!handler) throw new Error(`unknown method ${msg.method}`);
      reply = { id: msg.id, result: await handler(msg.params) };
    } catch (err) {
      reply = { id: msg.id, error: err instanceof Error ? (err.stack ?? err.message) : String(err) };
    }
    process.send!(reply);
  });
  process.on('disconnect', () => process.exit(0));
}

/** Tells the orchestrator this child is ready, with what it needs to know (e.g. its port). */
export function announceReady(info: Record<string, unknown>) {
  process.send!({ ready: info });
}

const benchDir = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const live = new Set<Child>();

/** A child process pinned to one core, driven by request/reply over IPC. */
export class Child {
  private nextId = 1;
  private pending = new Map<number, { resolve: (v: any) => void; reject: (e: Error) => void; timer: NodeJS.Timeout }>();
  private exited = false;
  readonly ready: Promise<Record<string, any>>;

  private constructor(
    readonly name: string,
    readonly proc: ChildProcess,
    startTimeoutMs: number,
  ) {
    live.add(this);
    this.ready = new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${name}: not ready after ${startTimeoutMs} ms`)), startTimeoutMs);
      proc.on('message', (msg: any) => {
        if (msg && msg.ready) {
          clearTimeout(timer);
          resolve(msg.ready);
          return;
        }
        const waiter = msg && this.pending.get(msg.id);
        if (!waiter) return;
        this.pending.delete(msg.id);
        clearTimeout(waiter.timer);
        if (msg.error) waiter.reject(new Error(`${name}: ${msg.error}`));
        else waiter.resolve(msg.result);
      });
      proc.on('exit', (code, signal) => {
        this.exited = true;
        live.delete(this);
        clearTimeout(timer);
        const err = new Error(`${name} exited (${signal ?? code})`);
        reject(err);
        for (const w of this.pending.values()) {
          clearTimeout(w.timer);
          w.reject(err);
        }
        this.pending.clear();
      });
    });
    this.ready.catch(() => {});
  }

  /**
   * Starts bench/<script> with `node --import tsx` under `taskset -c <core>`, so that the server
   * and the load generator each keep a core of their own.
   */
  static start(name: string, script: string, opts: { core: number | null; env?: Record<string, string>; nodeArgs?: string[]; startTimeoutMs?: number }) {
    // BENCH_CPU_PROF=1: every child writes a V8 CPU profile into bench/results/profiles on exit.
    // One folder per child: tsx's loader thread writes a profile of its own beside the main thread's.
    const prof = process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${path.join(benchDir, 'results', 'profiles', `${name}-${Date.now()}`)}`] : [];
    const node = [process.execPath, ...prof, ...(opts.nodeArgs ?? []), '--import', 'tsx', path.join(benchDir, script)];
    const [cmd, ...args] = opts.core === null ? node : ['taskset', '-c', String(opts.core), ...node];
    const proc = spawn(cmd!, args, {
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      env: { ...process.env, ...opts.env },
    });
    return new Child(name, proc, opts.startTimeoutMs ?? 60_000);
  }

  get pid() {
    return this.proc.pid!;
  }

  call<T = any>(method: string, params: unknown = {}, timeoutMs = 30_000): Promise<T> {
    if (this.exited) return Promise.reject(new Error(`${this.name} has exited`));
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`${this.name}.${method}: no answer after ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(id, { resolve, reject, timer });
      this.proc.send({ id, method, params } satisfies Request);
    });
  }

  /** Asks the child to exit, then kills it (by its own pid) if it has not after a grace period. */
  async stop(graceMs = 3_000) {
    if (this.exited) return;
    const gone = new Promise<void>((resolve) => this.proc.once('exit', () => resolve()));
    rememberExit(this.pid);
    this.proc.disconnect?.();
    const timer = setTimeout(() => this.kill(), graceMs);
    await gone;
    clearTimeout(timer);
  }

  kill() {
    if (!this.exited) {
      try {
        process.kill(this.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  }
}

/** Every child still running (for CPU accounting and for cleanup). */
export function liveChildren(): Child[] {
  return [...live];
}

/** Last resort on exit, a signal or the watchdog: kill our own children, by pid. */
export function killAllChildren() {
  for (const child of live) child.kill();
}

const plain = new Set<ChildProcess>();

/** A helper program (redis-server) pinned to a core, without IPC; killed with the rest. */
export function startPlain(cmd: string, args: string[], core: number | null): ChildProcess {
  const [c, ...a] = core === null ? [cmd, ...args] : ['taskset', '-c', String(core), cmd, ...args];
  const proc = spawn(c!, a, { stdio: ['ignore', 'ignore', 'inherit'] });
  plain.add(proc);
  proc.on('exit', () => plain.delete(proc));
  return proc;
}

export function livePlainPids(): number[] {
  return [...plain].map((p) => p.pid!).filter(Boolean);
}

export function killPlain(proc: ChildProcess) {
  if (proc.exitCode === null && proc.signalCode === null) {
    rememberExit(proc.pid!);
    try {
      process.kill(proc.pid!, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}

export function killEverything() {
  killAllChildren();
  for (const p of plain) killPlain(p);
}
