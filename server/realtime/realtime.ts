import type http from 'node:http';
import type { RequestHandler } from 'express';
import type passport from 'passport';
import { Server } from 'socket.io';
import type { WireEvent } from '../../shared/realtime';
import { roomTag } from '../commands/command';
import type { HubServices } from '../services';
import { displayName, User } from '../users/user.model';
import { createFanOut } from './fanout';
import { createUserLimiter } from './limits';
import { parseRoom, roomKinds } from './room-kinds';
import { serveSocket } from './connection';
import { hasDeltaEvents, type HubIo, type HubSocket, legacyRoom, SESSION_ROOM, sessionRoom } from './hub-socket';
import { InFlight } from '../lifecycle/in-flight';
import { SESSION_COOKIE } from '../auth/session';
import { createAddressLimit } from './address-limit';

export interface Realtime {
  io: HubIo;
  /** ok; degraded (Redis down: fan-out limited to this process); draining (shutting down). */
  status(): 'ok' | 'degraded' | 'draining';
  /** Drops the sockets of a login session on every process (logout). */
  endSession(sessionId: string): void;
  /** Refuse new connections and commands (shutdown has begun). */
  beginDrain(): void;
  /** Tell clients to reconnect elsewhere, drop this process's presence, close every socket. */
  close(): Promise<void>;
}

const MINUTE = 60_000;
/** A refused address is logged once a minute at most: a flood of handshakes must not flood the log. */
const REFUSAL_LOG_MS = MINUTE;

/**
 * Socket.IO on the hub's HTTP server. Transport only: parse with the shared schemas, call the
 * room registry or the same service functions as REST, answer the ack. Every committed event
 * of the command bus is broadcast to its room.
 */
export async function createRealtime(
  hub: HubServices,
  deps: { server: http.Server; session: RequestHandler; passport: passport.PassportStatic },
): Promise<Realtime> {
  const { config, log, db } = hub;
  const rt = config.realtime;
  let draining = false;
  /** Commands and joins received and not yet answered: shutdown answers them all before closing sockets. */
  const unanswered = new InFlight();
  const refusalsLogged = new Map<string, number>();
  const addressLimit = createAddressLimit({
    max: rt.maxSocketsPerAddress,
    trustProxy: config.trustProxy,
    onRefused(address) {
      const now = Date.now();
      if (now - (refusalsLogged.get(address) ?? 0) < REFUSAL_LOG_MS) return;
      if (refusalsLogged.size > 1000) refusalsLogged.clear();
      refusalsLogged.set(address, now);
      log.warn(
        { address, limit: rt.maxSocketsPerAddress },
        'socket handshakes refused: too many connections from one address (behind a proxy? set TRUST_PROXY)',
      );
    },
  });

  const io: HubIo = new Server(deps.server, {
    serveClient: false,
    maxHttpBufferSize: rt.maxPayloadBytes,
    allowRequest: (req, done) => {
      if (draining) return done('shutting down', false);
      if (!originAllowed(req, config.publicUrl)) {
        log.info({ origin: req.headers.origin }, 'socket handshake refused: foreign origin');
        return done('origin not allowed', false);
      }
      const refused = addressLimit.admit(req);
      if (refused) return done(refused, false);
      done(null, true);
    },
  });
  // A place taken at the handshake is held for as long as its connection lasts.
  io.engine.on('connection', (conn: { request: http.IncomingMessage; once(event: 'close', listener: () => void): void }) =>
    addressLimit.connected(conn.request, (release) => conn.once('close', release)),
  );

  // The Express session and Passport, on the handshake request only (not on every poll), and
  // only when it carries our session cookie: without one the visitor is a spectator, and making
  // a session for them (an id from the random pool, a hash, Passport) cost about a tenth of a
  // join while thousands of spectators arrive at once (bench/README.md, "Joins").
  // If the session store fails (Redis down), the visitor still gets in, as a spectator.
  const sessionCookie = `${SESSION_COOKIE}=`;
  const onHandshake =
    (mw: RequestHandler) => (req: http.IncomingMessage & { _query?: { sid?: string } }, res: http.ServerResponse, next: (err?: unknown) => void) => {
      if (req._query?.sid !== undefined || !req.headers.cookie?.includes(sessionCookie)) return next();
      mw(req as never, res as never, (err?: unknown) => {
        if (err) log.warn({ err }, 'socket handshake without a session: the session store failed');
        next();
      });
    };
  io.engine.use(onHandshake(deps.session));
  io.engine.use(onHandshake(deps.passport.initialize() as RequestHandler));
  io.engine.use(onHandshake(deps.passport.session() as RequestHandler));

  io.use((socket, next) => {
    // Who the socket is. Commands re-read the role (currentActor); names are for presence.
    const user = (socket.request as { user?: User }).user;
    socket.data.actor = user ? { id: user.id, role: user.role } : null;
    socket.data.viewer = { userId: user?.id ?? null, name: user ? displayName(user) : null };
    next();
  });

  const fanout = createFanOut(io, { redis: hub.redis, publisher: hub.redisInOrder, prefix: config.redis?.prefix ?? '', db, log, mode: rt.fanout });
  await fanout.ready(2000);
  // Read when /metrics is scraped. Every socket sits in a room named by its id: not counted.
  hub.metrics?.watchRealtime(() => {
    const rooms = io.of('/').adapter.rooms;
    let named = 0;
    for (const room of rooms.keys()) if (!io.of('/').sockets.has(room) && !room.startsWith(SESSION_ROOM)) named++;
    return { connections: io.engine.clientsCount, rooms: named, fanoutUp: fanout.status() !== 'down' };
  });

  const presence = hub.presence;
  const stopPresence = presence.onChange((room) => void broadcastPresence(room));

  async function broadcastPresence(room: string) {
    try {
      const now = await presence.read(room);
      const { kind, id } = parseRoom(room);
      const def = roomKinds[kind];
      const ids = def?.participants
        ? await hub.cache.get(`participants:${room}`, [roomTag(room), ...(def.tags?.(id) ?? [])], () => def.participants!(db, id))
        : [];
      const watching = new Set(now.viewers.map((v) => v.id));
      const participants = ids.map((userId) => ({ userId, connected: watching.has(userId) }));
      io.to(room).emit('presence', { ...now, participants });
      if (def?.onPresence) await def.onPresence(hub, id, participants, now.version);
    } catch (err) {
      log.warn({ err, room }, 'presence broadcast failed');
    }
  }

  // The broadcast path, no reads: each committed event goes to the other processes at once
  // (Redis runs their PUBLISH after the command's cache invalidation, sent before it on the same
  // connection) and to this process's sockets once that invalidation is done (EventSink).
  const unsubscribe = hub.commands.subscribe((event, { invalidated, moreToFollow }) => {
    fanout.committed(event.room, event.seq);
    const wire: WireEvent = { room: event.room, seq: event.seq, type: event.type, payload: event.payload, actorUserId: event.actorUserId, at: event.at };
    // Clients older than the event's shape hear only the room's head, and join again for a snapshot.
    const legacy = hasDeltaEvents(event.room) ? legacyRoom(event.room) : undefined;
    const head = { room: event.room, seq: event.seq };
    const deliver = () => {
      io.local.to(event.room).emit('event', wire);
      if (legacy) io.local.to(legacy).emit('room:head', head);
    };
    const publish = () => {
      fanout.toOtherProcesses(event.room, 'event', wire);
      if (legacy) fanout.toOtherProcesses(legacy, 'room:head', head);
    };
    if (moreToFollow) fanout.coalescing(publish);
    else publish();
    invalidated
      .then(() => (moreToFollow ? fanout.coalescing(deliver) : deliver()))
      .catch((err: unknown) => log.error({ err, room: event.room, seq: event.seq }, 'local delivery of an event failed'));
  });

  // On the in-order connection: written at once, after the command's invalidation and PUBLISH.
  const userLimiter = createUserLimiter({
    perSecond: rt.userCommandsPerSecond,
    burst: rt.userCommandBurst,
    redis: hub.redisInOrder,
    prefix: config.redis?.prefix ?? '',
    log,
  });

  io.on('connection', (socket: HubSocket) => serveSocket(socket, { hub, presence, userLimiter, unanswered, isDraining: () => draining }));

  function status(): 'ok' | 'degraded' | 'draining' {
    if (draining) return 'draining';
    return fanout.status() === 'down' ? 'degraded' : 'ok';
  }

  return {
    io,
    status,
    endSession(sessionId) {
      // The socket keeps the identity of its handshake: after a logout it must not act as that
      // user any more. Dropped, it reconnects (client library) as whoever the cookie now says.
      const room = io.in(sessionRoom(sessionId));
      room.emit('session:ended', { reason: 'you logged out' });
      room.disconnectSockets(true);
    },
    beginDrain() {
      draining = true;
    },
    async close() {
      draining = true;
      // Every command this process received gets its answer (done, or unavailable) before
      // the sockets close; commands still arriving are refused with a retry hint meanwhile.
      if (!(await unanswered.idle(rt.shutdownGraceMs))) log.warn({ unanswered: unanswered.size }, 'closing sockets with commands still unanswered');
      unsubscribe();
      await presence.close(); // its last changes (this process's share gone) still reach the rooms
      stopPresence();
      io.local.emit('server:shutdown', { reason: 'this server is restarting: reconnect' });
      // Close each connection once its buffer (the notice) is flushed. Clients see a transport
      // close, which socket.io-client answers by reconnecting (to another process).
      const flushed = [...io.of('/').sockets.values()].map(
        (socket) =>
          new Promise<void>((resolve) => {
            socket.conn.once('close', () => resolve());
            socket.conn.close();
          }),
      );
      await Promise.race([Promise.all(flushed), new Promise((resolve) => setTimeout(resolve, 2000).unref())]);
      const closed = io.close();
      deps.server.closeAllConnections?.();
      await closed;
      await fanout.close();
    },
  };
}

/**
 * Cross-site WebSocket hijacking guard: browsers always send Origin on a WebSocket or a
 * cross-origin request; accept the public URL's origin and the host the request was sent
 * to. Non-browser clients send none and cannot ride on a visitor's cookies anyway.
 */
export function originAllowed(req: http.IncomingMessage, publicUrl: string): boolean {
  const origin = req.headers.origin;
  if (origin === undefined) return true;
  let parsed: URL;
  try {
    parsed = new URL(origin);
  } catch {
    return false;
  }
  if (parsed.origin === new URL(publicUrl).origin) return true;
  return parsed.host === req.headers.host;
}
