import net from 'node:net';
import { Redis } from 'ioredis';

/** Resolves once `client` is ready (at once if it is). */
export const whenReady = (client: Redis) => new Promise<void>((resolve) => (client.status === 'ready' ? resolve() : client.once('ready', () => resolve())));

const INFO = '# Server\r\nredis_version:7.0.0\r\nloading:0\r\n';

/**
 * A Redis that accepts connections, answers the client's handshake (HELLO refused, CLIENT
 * SETINFO, the ready check's INFO), then answers nothing: a connection that looks up while
 * nothing comes back. `client` is an ioredis connection to it, ready; `url` for others.
 */
export async function startSilentRedis(): Promise<{ url: string; client: Redis; close(): Promise<void> }> {
  const sockets: net.Socket[] = [];
  const server = net.createServer((socket) => {
    sockets.push(socket);
    socket.on('data', (data) => {
      for (const [, command] of data.toString().matchAll(/\*\d+\r\n\$\d+\r\n(\w+)\r\n/g)) {
        if (command!.toLowerCase() === 'hello') socket.write("-ERR unknown command 'hello'\r\n");
        else if (command!.toLowerCase() === 'client') socket.write('+OK\r\n');
        else if (command!.toLowerCase() === 'info') socket.write(`$${INFO.length}\r\n${INFO}\r\n`);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `redis://127.0.0.1:${(server.address() as net.AddressInfo).port}`;
  const client = new Redis(url, { enableAutoPipelining: false, maxRetriesPerRequest: 1 });
  await whenReady(client);
  return {
    url,
    client,
    async close() {
      client.disconnect();
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
