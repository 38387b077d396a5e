import type http from 'node:http';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { clientAddress } from '../../server/realtime/address-limit';
import { startHub, type TestHub } from '../support/hub';
import { connectSocket, socketJar, type SocketOptions, type TestSocket } from '../support/socket';
import { eventually } from '../support/eventually';

const LIMIT = 3;
const fromAddress = (address: string): SocketOptions => ({ headers: { 'x-forwarded-for': address } });
/** A plain Engine.IO handshake, as any client library starts. */
const handshake = (url: string, headers: Record<string, string> = {}) => fetch(`${url}/socket.io/?EIO=4&transport=polling`, { headers });

describe('RT14 connections per client address', () => {
  let t: TestHub;
  const jar = socketJar();
  beforeAll(async () => {
    // One proxy in front, as behind nginx: the address is the one it forwards.
    t = await startHub({ env: { RT_MAX_SOCKETS_PER_ADDRESS: String(LIMIT), TRUST_PROXY: '1' } });
  });
  afterEach(() => jar.closeAll());
  afterAll(() => t?.close());

  it('RT14 refuses the connection past the limit with the reason, and lets one in again once a place is free', async () => {
    const first: TestSocket[] = [];
    for (let i = 0; i < LIMIT; i++) first.push(await jar.open(t.url, fromAddress('203.0.113.7')));
    await expect(connectSocket(t.url, fromAddress('203.0.113.7'))).rejects.toThrow();
    const refused = await handshake(t.url, { 'x-forwarded-for': '203.0.113.7' });
    expect(refused.status).toBe(403);
    expect(((await refused.json()) as { message: string }).message).toBe(
      `too many connections from your address (at most ${LIMIT}): close other tabs or clients and try again`,
    );
    // Another address is not affected.
    await jar.open(t.url, fromAddress('198.51.100.20'));

    first[0]!.close();
    const again = await eventually(() => connectSocket(t.url, fromAddress('203.0.113.7')).catch(() => undefined), 'a free place after a disconnect');
    again.close();
  });

  it('RT14 a burst of handshakes from one address at once gets exactly the limit in', async () => {
    const burst = await Promise.allSettled(Array.from({ length: 12 }, () => connectSocket(t.url, fromAddress('192.0.2.55'))));
    const connected = burst.filter((r) => r.status === 'fulfilled').map((r) => (r as PromiseFulfilledResult<Awaited<ReturnType<typeof connectSocket>>>).value);
    try {
      expect(connected).toHaveLength(LIMIT);
    } finally {
      for (const s of connected) s.close();
    }
  });

  it('RT14 polling handshakes count too, and each upgrade keeps its one place', async () => {
    const polling: TestSocket[] = [];
    for (let i = 0; i < LIMIT; i++) polling.push(await jar.open(t.url, { ...fromAddress('192.0.2.99'), transports: ['polling', 'websocket'] }));
    await eventually(() => polling.every((s) => s.socket.io.engine.transport.name === 'websocket'), 'the upgrades');
    const refused = await handshake(t.url, { 'x-forwarded-for': '192.0.2.99' });
    expect(refused.status).toBe(403);
  });
});

describe('RT14 the client address', () => {
  const request = (remote: string, forwarded?: string) =>
    ({ socket: { remoteAddress: remote }, headers: forwarded === undefined ? {} : { 'x-forwarded-for': forwarded } }) as unknown as http.IncomingMessage;

  it('RT14 is the peer without a trusted proxy, whatever X-Forwarded-For claims', () => {
    expect(clientAddress(request('::ffff:10.0.0.5', '1.2.3.4'), undefined)).toBe('10.0.0.5');
    expect(clientAddress(request('2001:db8::1'), 0)).toBe('2001:db8::1');
  });

  it('RT14 is the address as many hops back as proxies are trusted, as Express counts them', () => {
    // client 1.1.1.1 -> spoofed entry first; nginx appends the real peer it saw.
    expect(clientAddress(request('127.0.0.1', '9.9.9.9, 1.1.1.1'), 1)).toBe('1.1.1.1');
    expect(clientAddress(request('127.0.0.1', '9.9.9.9, 1.1.1.1, 10.0.0.2'), 2)).toBe('1.1.1.1');
    // Fewer entries than trusted hops: the furthest one known.
    expect(clientAddress(request('127.0.0.1', '1.1.1.1'), 3)).toBe('1.1.1.1');
    expect(clientAddress(request('127.0.0.1'), 1)).toBe('127.0.0.1');
  });
});
