import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { ROOT } from '../foundation/hub-process';
import { eventually } from '../support/eventually';

export const NGINX = '/usr/sbin/nginx';

/** A free port on 127.0.0.1 (closed again at once: nginx binds it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as net.AddressInfo).port;
      server.close(() => resolve(port));
    });
  });
}

export interface Nginx {
  url: string;
  port: number;
  /** The master process (its workers are its children). */
  pid: number;
  conf: string;
  output(): string;
  stop(): Promise<void>;
}

/**
 * deploy/nginx/nginx.conf (the production file) with only the addresses and paths swapped:
 * upstreams on 127.0.0.1:<hub ports>, listening on a free 127.0.0.1 port, files in a temp prefix.
 * nginx runs as this test's own process, in the foreground.
 */
export async function startNginx(hubPorts: [number, number]): Promise<Nginx> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dtx-nginx-'));
  fs.chmodSync(dir, 0o777); // run as root, nginx's workers are `nobody`: they write temp files here
  const port = await freePort();
  const template = fs.readFileSync(path.join(ROOT, 'deploy/nginx/nginx.conf'), 'utf8');
  const conf = template
    .replaceAll('hub-1:3000', `127.0.0.1:${hubPorts[0]}`)
    .replaceAll('hub-2:3000', `127.0.0.1:${hubPorts[1]}`)
    .replace('listen 80;', `listen 127.0.0.1:${port};`)
    .replaceAll('/tmp/', `${dir}/`)
    .replace('worker_processes auto;', 'worker_processes 1;');
  if (conf === template || !conf.includes(`127.0.0.1:${hubPorts[1]}`))
    throw new Error('deploy/nginx/nginx.conf no longer has the expected upstream/listen lines');
  const file = path.join(dir, 'nginx.conf');
  fs.writeFileSync(file, conf);

  const child: ChildProcess = spawn(NGINX, ['-p', dir, '-c', file, '-e', 'stderr', '-g', 'daemon off;'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.setEncoding('utf8').on('data', (c: string) => (out += c));
  child.stderr!.setEncoding('utf8').on('data', (c: string) => (out += c));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = `http://127.0.0.1:${port}`;
  await eventually(
    () => {
      if (child.exitCode !== null) throw new Error(`nginx exited (${child.exitCode}):\n${out}`);
      return new Promise<boolean>((resolve) => {
        const socket = net.connect(port, '127.0.0.1', () => (socket.destroy(), resolve(true)));
        socket.once('error', () => resolve(false));
      });
    },
    () => `nginx to listen on ${port}:\n${out}`,
    { timeoutMs: 10_000, intervalMs: 50 },
  );
  return {
    url,
    port,
    pid: child.pid!,
    conf,
    output: () => out,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
