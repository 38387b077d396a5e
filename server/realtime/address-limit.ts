import type http from 'node:http';

/**
 * How many sockets one client address may hold open on this process (RT14). One address with
 * thousands of sockets slows every other spectator's joins; a person has a few tabs open.
 * A handshake reserves its place when it is admitted, so a burst of handshakes cannot all slip
 * in before the first one is counted.
 */
export interface AddressLimit {
  /** Null when admitted (a place is reserved for this request), else why not. */
  admit(req: http.IncomingMessage): string | null;
  /** The handshake became a connection: its place is held until `close` fires. */
  connected(req: http.IncomingMessage, onClose: (release: () => void) => void): void;
}

/** A handshake admitted but never connected (its upgrade failed) gives its place back after this. */
const RESERVATION_MS = 10_000;

export function createAddressLimit(opts: { max: number; trustProxy: number | undefined; onRefused?: (address: string) => void }): AddressLimit {
  const open = new Map<string, number>();
  const reserved = new WeakMap<http.IncomingMessage, { address: string; timer: NodeJS.Timeout }>();

  const release = (address: string) => {
    const left = (open.get(address) ?? 1) - 1;
    if (left > 0) open.set(address, left);
    else open.delete(address);
  };

  return {
    admit(req) {
      if (opts.max === 0) return null;
      const address = clientAddress(req, opts.trustProxy);
      const now = open.get(address) ?? 0;
      if (now >= opts.max) {
        opts.onRefused?.(address);
        return `too many connections from your address (at most ${opts.max}): close other tabs or clients and try again`;
      }
      open.set(address, now + 1);
      const timer = setTimeout(() => {
        reserved.delete(req);
        release(address);
      }, RESERVATION_MS);
      timer.unref();
      reserved.set(req, { address, timer });
      return null;
    },
    connected(req, onClose) {
      const reservation = reserved.get(req);
      if (!reservation) return;
      reserved.delete(req);
      clearTimeout(reservation.timer);
      let released = false;
      onClose(() => {
        if (released) return;
        released = true;
        release(reservation.address);
      });
    },
  };
}

/**
 * The client's address as Express computes it with `trust proxy` set to a hop count: the
 * peer itself when no proxy is trusted, else the address that many hops back in
 * X-Forwarded-For (the leftmost one when the list is shorter).
 */
export function clientAddress(req: http.IncomingMessage, trustProxy: number | undefined): string {
  const peer = normalise(req.socket.remoteAddress ?? 'unknown');
  if (!trustProxy) return peer;
  const header = req.headers['x-forwarded-for'];
  const forwarded = (Array.isArray(header) ? header.join(',') : (header ?? ''))
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean)
    .reverse();
  const chain = [peer, ...forwarded.map(normalise)];
  return chain[Math.min(trustProxy, chain.length - 1)]!;
}

/** An IPv4 client on a dual-stack socket shows as ::ffff:a.b.c.d; count it once. */
const normalise = (address: string) => (address.startsWith('::ffff:') && address.includes('.') ? address.slice(7) : address);
