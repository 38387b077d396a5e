import net from 'node:net';
import { Redis } from 'ioredis';

/**
 * A Redis that accepts connections, answers the client's handshake (HELLO refused, CLIENT
 * SETINFO), then answers nothing: a connection that looks up while nothing comes back.
 * `client` is an ioredis connection to it, ready (no ready check, which would never pass).
 */
export async function startSilentRedis(): Promise<{ client: Redis; close(): Promise<void> }> {
  const sockets: net.Socket[] = [];
  const server = net.createServer((socket) => {
    sockets.push(socket);
    socket.on('data', (data) => {
      for (const [, command] of data.toString().matchAll(/\*\d+\r\n\$\d+\r\n(\w+)\r\n/g)) {
        if (command!.toLowerCase() === 'hello') socket.write("-ERR unknown command 'hello'\r\n");
        else if (command!.toLowerCase() === 'client') socket.write('+OK\r\n');
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const client = new Redis((server.address() as net.AddressInfo).port, '127.0.0.1', { enableReadyCheck: false, enableAutoPipelining: false, maxRetriesPerRequest: 1 });
  await new Promise((resolve) => client.once('ready', resolve));
  return {
    client,
    async close() {
      client.disconnect();
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
