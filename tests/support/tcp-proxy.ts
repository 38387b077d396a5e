import net from 'node:net';

export interface TcpProxy {
  port: number;
  url: string;
  /** New connections go to this port from now on; `dropAll` cuts the current ones. */
  retarget(port: number): void;
  dropAll(): void;
  close(): Promise<void>;
}

/**
 * A tiny TCP proxy on 127.0.0.1 standing in for a load balancer: clients keep one URL while
 * the test moves them from one hub to another. `answerDelayMs` holds what comes back from the
 * target that long (in order): a server on another machine.
 */
export async function startTcpProxy(targetPort: number, opts: { answerDelayMs?: number } = {}): Promise<TcpProxy> {
  let target = targetPort;
  const open = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect(target, '127.0.0.1');
    open.add(client).add(upstream);
    const end = () => {
      client.destroy();
      upstream.destroy();
      open.delete(client);
      open.delete(upstream);
    };
    client.on('error', end).on('close', end);
    upstream.on('error', end).on('close', end);
    client.pipe(upstream);
    const delay = opts.answerDelayMs ?? 0;
    if (delay > 0) upstream.on('data', (chunk: Buffer) => setTimeout(() => client.writable && client.write(chunk), delay));
    else upstream.pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  return {
    port,
    url: `http://127.0.0.1:${port}`,
    retarget(p) {
      target = p;
    },
    dropAll() {
      for (const s of open) s.destroy();
      open.clear();
    },
    async close() {
      for (const s of open) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
