/**
 * Reference for fan-out: plain Socket.IO as it comes (its own adapter, or the stock
 * `@socket.io/redis-adapter` when REFERENCE_REDIS_URL is set), none of the hub's code. Clients
 * join a room with the hub's `room:join` (the ack as large as the hub's answer, its snapshot);
 * on a trigger like the bare baseline's (one ws message, on a port of its own), the room's next
 * event (the hub's event, next seq) goes out with `io.to(room).emit`. On two processes the
 * trigger goes to the first one and the other gets the event over Redis, as the hub's would.
 * What it shows: the least the stack the hub is built on costs for one change to reach every
 * spectator, in the same run and layout as the hub.
 */
import http from 'node:http';
import { createAdapter } from '@socket.io/redis-adapter';
import { Redis } from 'ioredis';
import { Server } from 'socket.io';
import { WebSocketServer } from 'ws';
import { announceReady, serveParent } from './lib/ipc';

const redisUrl = process.env.REFERENCE_REDIS_URL;
let sample: Record<string, unknown> = {};
let joinBytes = 0;
const seqs = new Map<string, number>();

const server = http.createServer((_req, res) => res.writeHead(404).end());
const io = new Server(server, { transports: ['websocket'], serveClient: false, pingInterval: 600_000, pingTimeout: 600_000 });
const redis = redisUrl ? [new Redis(redisUrl), new Redis(redisUrl)] : [];
if (redis.length) io.adapter(createAdapter(redis[0]!, redis[1]!, { key: 'reference' }));

io.on('connection', (socket) => {
  socket.on('room:join', (p: { room?: unknown }, ack: (answer: unknown) => void) => {
    const room = String(p?.room ?? '');
    void socket.join(room);
    ack({ ok: true, data: { room, seq: seqs.get(room) ?? 0, pad: 'x'.repeat(Math.max(0, joinBytes - 60)) } });
  });
});

const trigger = http.createServer((_req, res) => res.writeHead(404).end());
new WebSocketServer({ server: trigger, perMessageDeflate: false }).on('connection', (ws, req) => {
  const room = new URL(req.url ?? '/', 'http://x').searchParams.get('room') ?? 'reference';
  ws.on('message', () => {
    const seq = (seqs.get(room) ?? 0) + 1;
    seqs.set(room, seq);
    io.to(room).emit('event', { ...sample, room, seq });
    ws.send(`{"ack":${seq}}`);
  });
});

const listen = (s: http.Server) => new Promise<number>((resolve) => s.listen(0, '127.0.0.1', () => resolve((s.address() as { port: number }).port)));
const port = await listen(server);
const triggerPort = await listen(trigger);

serveParent({
  configure: (p: { sample: Record<string, unknown>; joinBytes: number }) => {
    sample = p.sample;
    joinBytes = p.joinBytes;
    return { ok: true };
  },
});

announceReady({ port, triggerUrl: `http://127.0.0.1:${triggerPort}`, pid: process.pid });
