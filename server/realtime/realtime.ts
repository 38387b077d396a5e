import { createHash, randomUUID } from 'node:crypto';
import type http from 'node:http';
import type { RequestHandler } from 'express';
import type passport from 'passport';
import { Server, type Socket } from 'socket.io';
import type { z } from 'zod';
import { toIssues, type Ack, type ApiErrorBody } from '../../shared/errors';
import {
  RoomJoin,
  RoomLeave,
  type ClientToServerEvents,
  type JoinResult,
  type ServerToClientEvents,
  type SocketCommandName,
  type WireEvent,
} from '../../shared/realtime';
import type { Actor } from '../auth/actor';
import { tags } from '../cache/read-cache';
import { roomTag } from '../commands/command';
import { RoomEventRow, toRoomEvent } from '../events/event.model';
import { HubError, invalid, notFound, unavailable } from '../commands/errors';
import type { HubServices } from '../services';
import { roomSeq } from '../events/snapshot';
import { sqliteConnectionOf } from '../db/knex';
import { displayName, User } from '../users/user.model';
import { createFanOut } from './fanout';
import { createUserLimiter, TokenBucket } from './limits';
import type { Viewer } from './presence';
import { parseRoom, roomKinds, type RoomKindDef } from './room-kinds';
import { socketCommandTable } from '../commands/table';
import { parseSocketInput, runCommand } from '../commands/define';
import { runInContext } from '../observability/context';
import { InFlight } from '../lifecycle/in-flight';
import { serverTimeOf } from '../deadlines/deadlines';
import { createAddressLimit } from './address-limit';

interface SocketData {
  actor: Actor | null;
  viewer: Viewer;
}
type HubSocket = Socket<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>;
export type HubIo = Server<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>;

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
/** Rooms one connection may be in at once, and how fast it may join (a reconnect rejoins all at once). */
const MAX_ROOMS_PER_SOCKET = 50;
const JOINS_PER_SECOND = 5;
/** Internal rooms (not joinable by clients): the sockets of one login session. */
const SESSION_ROOM = 'session:';
const ROLE_OF_USER = 'select role from users where id = ?';
const userRateLimited = () => new HubError('rate_limited', 'too many commands from your account: slow down');
/** A command refused because this process is stopping: the client reconnects (to another one) and sends again. */
const shuttingDown = () => unavailable('this server is shutting down: reconnect and send again', 1000);
/** A refused address is logged once a minute at most: a flood of handshakes must not flood the log. */
const REFUSAL_LOG_MS = MINUTE;
/** Named by a hash: a session id is a credential, and room names travel through Redis. */
const sessionRoom = (sessionId: string) => SESSION_ROOM + createHash('sha256').update(sessionId).digest('base64url');

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

  // The Express session and Passport, on the handshake request only (not on every poll).
  // If the session store fails (Redis down), the visitor still gets in, as a spectator.
  const onHandshake =
    (mw: RequestHandler) => (req: http.IncomingMessage & { _query?: { sid?: string } }, res: http.ServerResponse, next: (err?: unknown) => void) => {
      if (req._query?.sid !== undefined) return next();
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
    const deliver = () => io.local.to(event.room).emit('event', wire);
    if (moreToFollow) fanout.coalescing(() => fanout.toOtherProcesses(event.room, 'event', wire));
    else fanout.toOtherProcesses(event.room, 'event', wire);
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

  /**
   * The actor as of now: a role can change while a socket stays open, and REST reads the
   * user on every request too. In one process, from the in-memory cache (under the user's
   * tag, which a role change touches); with Redis, from the database: a local read there costs
   * less than the cache's round trip to Redis, which every command would wait for.
   */
  async function currentActor(socket: HubSocket): Promise<Actor | null> {
    const id = socket.data.actor?.id;
    if (id === undefined) return null;
    const load = async () => {
      // On SQLite, straight from the connection when no transaction holds it: a cold knex query
      // costs as much as the Redis round trip this avoids (bench/README.md, "Round trips to Redis").
      const sqlite = sqliteConnectionOf(db);
      const row = sqlite && !sqlite.inTransaction ? sqlite.prepare(ROLE_OF_USER).get(id) : await db('users').where({ id }).first('role');
      return (row as Pick<User, 'role'> | undefined)?.role ?? null;
    };
    const role = hub.redis ? await load() : await hub.cache.get(`actor-role:${id}`, [tags.user(id)], load);
    return role ? { id, role } : null;
  }

  const serverTime = () => serverTimeOf(hub);

  /** Expected failures go back as they are; anything else is a bug: logged, answered `internal`. */
  function toAckError(err: unknown, name: string): ApiErrorBody {
    if (err instanceof HubError) return err.toBody();
    log.error({ err, event: name }, 'socket handler failed');
    return { code: 'internal', message: 'something went wrong on our side' };
  }

  /** Room snapshot, or the missed events when the log still has all of them. */
  async function readRoom(def: RoomKindDef, room: string, id: number, lastSeq: number | undefined): Promise<JoinResult> {
    if (lastSeq !== undefined) {
      const head = await roomSeq(db, room);
      if (lastSeq <= head && head - lastSeq <= rt.replayLimit) {
        // Events up to `head` were committed with it: they are all there unless the log was pruned.
        const rows = head === lastSeq ? [] : await RoomEventRow.query(db).where({ room }).where('seq', '>', lastSeq).where('seq', '<=', head).orderBy('seq');
        if (rows.length === head - lastSeq) {
          return { room, seq: head, events: rows.map((r) => toWire(toRoomEvent(r))) };
        }
      }
    }
    // Cached: every event of the room bumps its tag before it is broadcast, so a cached
    // snapshot is never older than an event this socket could have missed.
    const snap = await hub.cache.get(`room-snapshot:${room}`, [roomTag(room), ...(def.tags?.(id) ?? [])], () => def.snapshot(db, id));
    return { room, seq: snap.seq, snapshot: snap.data };
  }

  io.on('connection', (socket: HubSocket) => {
    // A logged-in socket sits in its session's room, so a logout on any process can reach it.
    const sessionId = (socket.request as { sessionID?: string }).sessionID;
    if (socket.data.actor && sessionId) void socket.join(sessionRoom(sessionId));
    const joined = new Set<string>();
    /** Rooms this socket is counted in for presence (a join still reading is not yet). */
    const counted = new Set<string>();
    const count = (room: string, on: boolean) => {
      if (on === counted.has(room)) return;
      if (on) counted.add(room);
      else counted.delete(room);
      if (on) presence.add(room, socket.data.viewer);
      else presence.remove(room, socket.data.viewer);
    };
    const bucket = new TokenBucket(rt.socketCommandsPerSecond, rt.socketCommandBurst);
    const joins = new TokenBucket(JOINS_PER_SECOND, MAX_ROOMS_PER_SOCKET);
    const strikes = new TokenBucket(rt.abuseStrikes / (MINUTE / 1000), rt.abuseStrikes);

    /** Bad payloads and rate-limited commands count; too many in a minute and the socket is cut off. */
    const strike = (why: string) => {
      if (strikes.take()) return;
      log.info({ user: socket.data.actor?.id ?? null, why }, 'socket disconnected for abuse');
      socket.disconnect(true);
    };

    /** Runs a handler and answers its ack with the shared envelope. */
    const handle = <T>(name: string, ack: unknown, run: () => Promise<T>) => {
      if (typeof ack !== 'function') {
        strike(`${name} without an ack`);
        return;
      }
      const answered = unanswered.begin();
      const reply = (answer: Ack<T>) => {
        (ack as (answer: Ack<T>) => void)(answer);
        answered();
      };
      // Its own request id: the log lines and the command it causes carry it.
      runInContext({ requestId: randomUUID(), command: name }, run).then(
        (data) => reply({ ok: true, data, serverTime: serverTime() }),
        (err: unknown) => {
          const error = toAckError(err, name);
          reply({ ok: false, error, serverTime: serverTime() });
          if (error.code === 'invalid_payload' || error.code === 'rate_limited') strike(`${name}: ${error.code}`);
        },
      );
    };

    socket.on('room:join', (payload, ack) =>
      handle('room:join', ack, async () => {
        const { room, lastSeq } = parse(RoomJoin, payload);
        if (!joins.take()) throw new HubError('rate_limited', 'joining rooms too fast: slow down');
        if (!joined.has(room) && joined.size >= MAX_ROOMS_PER_SOCKET) {
          throw new HubError('rate_limited', `one connection may watch ${MAX_ROOMS_PER_SOCKET} rooms at most: leave one first`);
        }
        const { kind, id } = parseRoom(room);
        const def = roomKinds[kind];
        if (!def) throw notFound(`room ${room}`);
        await def.canJoin(db, socket.data.actor, id);
        // Gone while we checked: joining now would leave a dead member in the room.
        if (socket.disconnected) throw new HubError('unavailable', 'disconnected');
        const first = !joined.has(room);
        if (first) {
          joined.add(room);
          // Join before reading: an event committed from now on reaches this socket, and the
          // client drops those its snapshot already includes (seq <= the answer's seq).
          await socket.join(room);
        }
        try {
          const result = await readRoom(def, room, id, lastSeq);
          if (socket.disconnected) throw new HubError('unavailable', 'disconnected');
          if (joined.has(room)) count(room, true);
          return result;
        } catch (err) {
          if (first) {
            joined.delete(room);
            await socket.leave(room);
          }
          throw err;
        }
      }),
    );

    socket.on('room:leave', (payload, ack) =>
      handle('room:leave', ack, async () => {
        const { room } = parse(RoomLeave, payload);
        if (joined.delete(room)) {
          count(room, false);
          await socket.leave(room);
        }
        return { room };
      }),
    );

    for (const [name, def] of socketCommandTable) {
      socket.on(
        name as SocketCommandName,
        ((payload: unknown, ack: unknown) =>
          handle(name, ack, async () => {
            if (draining) throw shuttingDown();
            // Invalid payloads cost strikes (see handle), valid commands cost tokens.
            const input = parseSocketInput(def, payload);
            if (!bucket.take()) throw new HubError('rate_limited', 'too many commands on this connection: slow down');
            const userId = socket.data.actor?.id;
            if (userId !== undefined && !userLimiter.take(userId)) throw userRateLimited();
            const actor = await currentActor(socket);
            try {
              return await runCommand(hub, def, actor, input);
            } finally {
              // After the command (its broadcast is out), before its answer: the user's next
              // command is refused here if this one emptied the bucket shared by all processes.
              if (userId !== undefined) await userLimiter.charge(userId);
            }
          })) as never,
      );
    }

    socket.onAny((event: string) => {
      if (event !== 'room:join' && event !== 'room:leave' && !socketCommandTable.has(event)) strike(`unknown event ${event}`);
    });

    socket.on('disconnect', () => {
      for (const room of counted) presence.remove(room, socket.data.viewer);
      counted.clear();
      joined.clear();
    });
  });

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

function parse<S extends z.ZodType>(schema: S, payload: unknown): z.output<S> {
  const result = schema.safeParse(payload);
  if (!result.success) throw invalid('invalid payload', toIssues(result.error));
  return result.data;
}

function toWire(e: ReturnType<typeof toRoomEvent>): WireEvent {
  return { room: e.room, seq: e.seq, type: e.type, payload: e.payload, actorUserId: e.actorUserId, at: e.at };
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
