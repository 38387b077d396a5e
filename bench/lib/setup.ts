import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { Child, killPlain, startPlain } from './ipc';
import { sleep } from './stats';

/** Cores: the server(s) on one, the load generator (and this orchestrator) on the other. */
export const SERVER_CORE = 0;
export const LOADGEN_CORE = 1;

export const PUBLIC_URL = 'http://bench.localhost';
const SESSION_SECRET = 'bench-session-secret-that-is-long-enough-0123456789';

let tmpRoot: string | undefined;
export function tmpDir(): string {
  tmpRoot ??= fs.mkdtempSync(path.join(os.tmpdir(), 'dtx-bench-'));
  return tmpRoot;
}
export function removeTmp() {
  if (tmpRoot) fs.rmSync(tmpRoot, { recursive: true, force: true });
  tmpRoot = undefined;
}

let fileCounter = 0;
export const freshSqliteFile = () => path.join(tmpDir(), `hub-${++fileCounter}.sqlite`);

export interface HubHandle {
  child: Child;
  url: string;
  port: number;
}

/**
 * A hub as the benchmarks run it: development settings (the development login seeds the
 * data), logs off, every abuse limit raised far above what the load needs. `production`
 * switches to NODE_ENV=production (no dev login; contract checks of answers off).
 */
export async function startHub(
  name: string,
  opts: { sqliteFile: string; redisUrl?: string; production?: boolean; extraEnv?: Record<string, string> },
): Promise<HubHandle> {
  const env: Record<string, string> = {
    NODE_ENV: opts.production ? 'production' : 'test',
    HOST: '127.0.0.1',
    PORT: '0',
    LOG_LEVEL: 'silent',
    PUBLIC_URL,
    SESSION_SECRET,
    SQLITE_FILE: opts.sqliteFile,
    CLIENT_DIST: path.join(tmpDir(), 'no-client'),
    RATE_LIMIT_LOGIN_PER_MINUTE: '1000000',
    RATE_LIMIT_MUTATIONS_PER_MINUTE: '1000000',
    RT_SOCKET_COMMANDS_PER_SECOND: '1000000',
    RT_SOCKET_COMMAND_BURST: '1000000',
    RT_USER_COMMANDS_PER_SECOND: '1000000',
    RT_USER_COMMAND_BURST: '1000000',
    RT_ABUSE_STRIKES: '1000000',
    RT_MAX_SOCKETS_PER_ADDRESS: '0', // every load-generator socket comes from 127.0.0.1
    ...(opts.redisUrl ? { REDIS_URL: opts.redisUrl, REDIS_PREFIX: `bench${Date.now()}:` } : {}),
    ...(opts.production ? { DISCORD_CLIENT_ID: '100000000000000001', DISCORD_CLIENT_SECRET: 'bench-not-a-secret' } : {}),
    ...opts.extraEnv,
  };
  const child = Child.start(name, 'hub-process.ts', { core: SERVER_CORE, nodeArgs: ['--expose-gc'], env: { HUB_ENV: JSON.stringify(env) } });
  const ready = await child.ready;
  return { child, url: `http://127.0.0.1:${ready.port}`, port: ready.port };
}

/** Hubs of one setup share the REDIS_PREFIX, so they see each other. */
export async function startHubs(count: number, opts: { sqliteFile: string; redisUrl?: string }): Promise<HubHandle[]> {
  const prefix = `bench${Date.now()}:`;
  const hubs: HubHandle[] = [];
  // One after the other: the first one migrates the shared SQLite file.
  for (let i = 0; i < count; i++) {
    hubs.push(await startHub(`hub${count > 1 ? String.fromCharCode(65 + i) : ''}`, { ...opts, extraEnv: opts.redisUrl ? { REDIS_PREFIX: prefix } : {} }));
  }
  return hubs;
}

export async function startLoadgen(): Promise<Child> {
  const child = Child.start('loadgen', 'loadgen.ts', { core: LOADGEN_CORE, nodeArgs: ['--max-old-space-size=4096'] });
  await child.ready;
  return child;
}

export async function startBaseline(kind: 'ws' | 'express'): Promise<{ child: Child; url: string }> {
  const child = Child.start(`baseline-${kind}`, kind === 'ws' ? 'baseline-ws.ts' : 'baseline-express.ts', { core: SERVER_CORE, nodeArgs: ['--expose-gc'] });
  const ready = await child.ready;
  return { child, url: `http://127.0.0.1:${ready.port}` };
}

/** Plain Socket.IO servers (bench/baseline-socketio.ts), joined by the stock Redis adapter when there are several. */
export async function startSocketIoReference(count: number, redisUrl?: string): Promise<{ child: Child; url: string; triggerUrl: string }[]> {
  const out: { child: Child; url: string; triggerUrl: string }[] = [];
  for (let i = 0; i < count; i++) {
    const env: Record<string, string> = redisUrl ? { REFERENCE_REDIS_URL: redisUrl } : {};
    const child = Child.start(`socketio${count > 1 ? String.fromCharCode(65 + i) : ''}`, 'baseline-socketio.ts', { core: SERVER_CORE, env });
    const ready = await child.ready;
    out.push({ child, url: `http://127.0.0.1:${ready.port}`, triggerUrl: ready.triggerUrl });
  }
  return out;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

/**
 * A redis-server of our own (on the servers' core, nothing on disk), so the Redis runs are
 * not disturbed by other people's use of the machine's shared Redis.
 */
export async function startRedis(): Promise<{ url: string; pid: number; stop(): void }> {
  const port = await freePort();
  const proc = startPlain(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--protected-mode', 'yes'],
    SERVER_CORE,
  );
  const url = `redis://127.0.0.1:${port}`;
  const deadline = Date.now() + 10_000;
  for (;;) {
    const probe = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, enableOfflineQueue: false, retryStrategy: () => null });
    probe.on('error', () => {}); // refused while the server starts: retried below
    try {
      await probe.connect();
      await probe.ping();
      probe.disconnect();
      break;
    } catch {
      probe.disconnect();
      if (Date.now() > deadline) {
        killPlain(proc);
        throw new Error(`redis-server on ${port} did not start`);
      }
      await sleep(100);
    }
  }
  return { url, pid: proc.pid!, stop: () => killPlain(proc) };
}
