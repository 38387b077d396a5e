/**
 * Baseline for fan-out: a bare `ws` server. A trigger client sends one small message; the
 * server builds one frame with the same bytes as the hub's event frame (a Socket.IO event
 * packet carrying the same event, with the next seq) and sends it to every other client, then
 * acknowledges to the trigger. Same bytes, so the clients parse the same thing; clients that
 * connect on /socket.io/ get a minimal Engine.IO / Socket.IO handshake, so that the load
 * generator's light client (the hub's spectators' client) can be the baseline's client too,
 * and once a message as large as the hub's answer to their room join, so that both sides'
 * client sockets have taken in as much before the measurement.
 * This is the least any hub can do for "one change reaches every spectator", so the hub's
 * figures are reported against it. For the connections scenario it can also answer a room join
 * with the hub's own answer (configured), the least a hub can do for "a spectator is in".
 */
import http from 'node:http';
import { WebSocketServer, type WebSocket } from 'ws';
import { announceReady, serveParent } from './lib/ipc';
import { nowMs } from './lib/stats';
import { processStats } from './lib/process-stats';

let size = 324;
let sample: Record<string, unknown> | undefined;
let seq = 0;
const spectators = new Set<WebSocket>();
let serverMs: number[] = [];
let sessions = 0;
/** Spectators that connected as Socket.IO clients (the light client); they get the join answer. */
const socketIoClients = new Set<WebSocket>();
let joinAnswered = 0;
/** The hub's answer to a room join (JSON), sent back to every `room:join` once configured (the connections scenario). */
let joinAnswer: string | undefined;

/**
 * The hub's event frame with the room named `bench` and seq `n`; before a sample is known, a
 * frame shaped like one ({room, seq, type, payload}) padded to `size` bytes.
 */
function frame(n: number): string {
  if (sample) return `42${JSON.stringify(['event', { ...sample, room: 'bench', seq: n }])}`;
  const head = `{"room":"bench","seq":${n},"type":"draft.pick","payload":{"pad":"`;
  const tail = '"}}';
  return head + 'x'.repeat(Math.max(0, size - head.length - tail.length)) + tail;
}

const server = http.createServer((_req, res) => res.writeHead(404).end());
const wss = new WebSocketServer({ server, perMessageDeflate: false, maxPayload: 64 * 1024 });
wss.on('connection', (ws, req) => {
  if (req.url?.includes('trigger=1')) {
    ws.on('message', () => {
      const t0 = nowMs();
      const data = frame(++seq);
      for (const client of spectators) client.send(data);
      serverMs.push(nowMs() - t0);
      ws.send(`{"ack":${seq}}`);
    });
    return;
  }
  if (req.url?.startsWith('/socket.io/')) {
    socketIoClients.add(ws);
    ws.on('close', () => socketIoClients.delete(ws));
    // The least of the Engine.IO / Socket.IO handshake (open, then the namespace's connect), so
    // that the baseline's spectators run the very client code the hub's spectators run.
    const sid = String(++sessions);
    ws.send(`0{"sid":"${sid}","upgrades":[],"pingInterval":600000,"pingTimeout":600000,"maxPayload":65536}`);
    ws.on('message', (data: Buffer) => {
      // A namespace connect, with or without an auth payload (the hub's clients send their protocol).
      const text = data.toString();
      if (text.startsWith('40')) ws.send(`40{"sid":"${sid}"}`);
      else if (joinAnswer !== undefined) {
        // A room join (`42<id>["room:join",…]`) gets the hub's answer to it, as it is.
        const ack = /^42(\d+)\["room:join"/.exec(text);
        if (ack) ws.send(`43${ack[1]}[${joinAnswer}]`);
      }
    });
  }
  spectators.add(ws);
  ws.on('close', () => spectators.delete(ws));
  ws.on('error', () => ws.terminate());
});

serveParent({
  configure: (p: { size?: number; sample?: Record<string, unknown>; joinBytes?: number; joinAnswer?: string }) => {
    if (p.joinAnswer !== undefined) joinAnswer = p.joinAnswer;
    if (p.size === undefined) return { size: 0 };
    size = p.size;
    sample = p.sample;
    // What the hub's spectators received on joining their room (a snapshot, KBs), once: a
    // socket that once took in that much is handled differently by the kernel afterwards
    // (measured: about 1.7 µs more system time per later message on the receiving side).
    if (p.joinBytes && p.joinBytes > joinAnswered) {
      joinAnswered = p.joinBytes;
      const answer = `42["room:joined","${'x'.repeat(Math.max(0, p.joinBytes - 20))}"]`;
      for (const client of socketIoClients) client.send(answer);
    }
    return { size: frame(1).length };
  },
  clients: () => spectators.size,
  stats: (p: { gc?: boolean }) => processStats(p?.gc ?? false),
  /** Time spent sending each broadcast since the last call (ms). */
  takeServerTimes: () => {
    const out = serverMs;
    serverMs = [];
    return out;
  },
});

server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  announceReady({ port: typeof address === 'object' && address ? address.port : 0 });
});
