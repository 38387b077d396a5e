import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root: the spawned hub runs from here, as `npm start` does. */
export const ROOT = fileURLToPath(new URL('../..', import.meta.url));

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface HubProcess {
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  exited: Promise<Exit>;
  /** The port from the hub's "listening" log line (rejects if the process exits first). */
  port: Promise<number>;
  /** SIGTERM, then wait for the exit (SIGKILL after `ms`). */
  stop(ms?: number): Promise<Exit & { ms: number }>;
}

const running = new Set<ChildProcess>();

/** Kills whatever a test left running (call from afterAll). */
export function killAll() {
  for (const child of running) child.kill('SIGKILL');
  running.clear();
}

/** A temp folder for a hub's SQLite file (and its generated session secret). */
export function tempDir(): { dir: string; remove(): void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dtx-proc-'));
  return { dir, remove: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

/**
 * `node --import tsx server/main.ts` with exactly the given variables (plus PATH and HOME):
 * nothing leaks in from the test runner's environment.
 */
export function spawnHub(env: Record<string, string>): HubProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? os.tmpdir(), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(child);
  let out = '';
  let err = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (err += chunk));

  const exited = new Promise<Exit>((resolve) => {
    child.once('exit', (code, signal) => {
      running.delete(child);
      resolve({ code, signal });
    });
  });

  const port = new Promise<number>((resolve, reject) => {
    const look = () => {
      for (const line of out.split('\n')) {
        if (!line.startsWith('{')) continue;
        try {
          const entry = JSON.parse(line) as { port?: unknown; msg?: unknown };
          if (typeof entry.port === 'number' && String(entry.msg).includes('listening')) {
            child.stdout!.off('data', look);
            resolve(entry.port);
            return;
          }
        } catch {
          // not a log line
        }
      }
    };
    child.stdout!.on('data', look);
    void exited.then((e) => reject(new Error(`hub exited (${e.code ?? e.signal}) before listening.\nstdout:\n${out}\nstderr:\n${err}`)));
  });
  port.catch(() => {}); // a test that never asks for the port must not see an unhandled rejection

  return {
    child,
    stdout: () => out,
    stderr: () => err,
    exited,
    port,
    async stop(ms = 10_000) {
      const started = Date.now();
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), ms);
      const exit = await exited;
      clearTimeout(timer);
      return { ...exit, ms: Date.now() - started };
    },
  };
}

/** Runs the hub expecting it to stop by itself (a refused configuration); kills it after `ms`. */
export async function runUntilExit(env: Record<string, string>, ms = 30_000) {
  const hub = spawnHub(env);
  const timer = setTimeout(() => hub.child.kill('SIGKILL'), ms);
  const exit = await hub.exited;
  clearTimeout(timer);
  return { ...exit, stdout: hub.stdout(), stderr: hub.stderr() };
}
