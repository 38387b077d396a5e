import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { z } from 'zod';
import { toIssues, type Ack, type ApiErrorBody } from '../../shared/errors';
import { RoomJoin, RoomLeave, type SocketCommandName } from '../../shared/realtime';
import { parseSocketInput, runCommand } from '../commands/define';
import { HubError, invalid, notFound, unavailable } from '../commands/errors';
import { socketCommandTable } from '../commands/table';
import { serverTimeOf } from '../deadlines/deadlines';
import type { InFlight } from '../lifecycle/in-flight';
import { runInContext } from '../observability/context';
import type { HubServices } from '../services';
import { TokenBucket, type UserLimiter } from './limits';
import type { PresenceTracker } from './presence';
import { parseRoom, roomKinds } from './room-kinds';
import { currentActor, readRoom } from './socket-reads';
import { hasDeltaEvents, type HubSocket, legacyRoom, protocolOf, sessionRoom } from './hub-socket';

const MINUTE = 60_000;
/** Rooms one connection may be in at once, and how fast it may join (a reconnect rejoins all at once). */
const MAX_ROOMS_PER_SOCKET = 50;
const JOINS_PER_SECOND = 5;
const userRateLimited = () => new HubError('rate_limited', 'too many commands from your account: slow down');
/** A command refused because this process is stopping: the client reconnects (to another one) and sends again. */
const shuttingDown = () => unavailable('this server is shutting down: reconnect and send again', 1000);

/** What every connection of a process shares. */
export interface SocketServices {
  hub: HubServices;
  presence: PresenceTracker;
  userLimiter: UserLimiter;
  /** Commands and joins received and not yet answered: shutdown answers them all before closing sockets. */
  unanswered: InFlight;
  isDraining(): boolean;
}

/**
 * One connection, from connect to disconnect: joining and leaving rooms (counted for presence),
 * and the commands of the command table, each answered through its ack with the shared envelope.
 * Bad payloads and rate-limited commands count as strikes; too many and the socket is cut off.
 */
export function serveSocket(socket: HubSocket, ctx: SocketServices) {
  const { hub, presence, userLimiter, unanswered } = ctx;
  const { log } = hub;
  const rt = hub.config.realtime;
  // A logged-in socket sits in its session's room, so a logout on any process can reach it.
  const sessionId = (socket.request as { sessionID?: string }).sessionID;
  if (socket.data.actor && sessionId) void socket.join(sessionRoom(sessionId));
  const protocol = protocolOf(socket);
  /** The Socket.IO room this socket hears `room` through: an older client hears only its heads. */
  const channelOf = (room: string) => (protocol < 2 && hasDeltaEvents(room) ? legacyRoom(room) : room);
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
      (data) => reply({ ok: true, data, serverTime: serverTimeOf(hub) }),
      (err: unknown) => {
        const error = toAckError(log, err, name);
        reply({ ok: false, error, serverTime: serverTimeOf(hub) });
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
      await def.canJoin(hub.db, socket.data.actor, id);
      // Gone while we checked: joining now would leave a dead member in the room.
      if (socket.disconnected) throw new HubError('unavailable', 'disconnected');
      const first = !joined.has(room);
      if (first) {
        joined.add(room);
        // Join before reading: an event committed from now on reaches this socket, and the
        // client drops those its snapshot already includes (seq <= the answer's seq).
        await socket.join(channelOf(room));
      }
      try {
        const legacy = channelOf(room) !== room;
        const result = await readRoom(hub, def, room, id, legacy ? undefined : lastSeq);
        if (socket.disconnected) throw new HubError('unavailable', 'disconnected');
        if (joined.has(room)) count(room, true);
        return result;
      } catch (err) {
        if (first) {
          joined.delete(room);
          await socket.leave(channelOf(room));
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
        await socket.leave(channelOf(room));
      }
      return { room };
    }),
  );

  for (const [name, def] of socketCommandTable) {
    socket.on(
      name as SocketCommandName,
      ((payload: unknown, ack: unknown) =>
        handle(name, ack, async () => {
          if (ctx.isDraining()) throw shuttingDown();
          // Invalid payloads cost strikes (see handle), valid commands cost tokens.
          const input = parseSocketInput(def, payload);
          if (!bucket.take()) throw new HubError('rate_limited', 'too many commands on this connection: slow down');
          const userId = socket.data.actor?.id;
          if (userId !== undefined && !userLimiter.take(userId)) throw userRateLimited();
          const actor = await currentActor(hub, socket.data.actor?.id);
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
}

/** Expected failures go back as they are; anything else is a bug: logged, answered `internal`. */
function toAckError(log: Logger, err: unknown, name: string): ApiErrorBody {
  if (err instanceof HubError) return err.toBody();
  log.error({ err, event: name }, 'socket handler failed');
  return { code: 'internal', message: 'something went wrong on our side' };
}

function parse<S extends z.ZodType>(schema: S, payload: unknown): z.output<S> {
  const result = schema.safeParse(payload);
  if (!result.success) throw invalid('invalid payload', toIssues(result.error));
  return result.data;
}
