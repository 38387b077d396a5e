import crypto from 'node:crypto';
import { DiscordAPIError, REST } from '@discordjs/rest';
import {
  Routes,
  type RESTGetAPIGuildScheduledEventsResult,
  type RESTPostAPIChannelMessageResult,
  type RESTPostAPICurrentUserCreateDMChannelResult,
  type RESTPostAPIGuildScheduledEventResult,
} from 'discord-api-types/v10';
import type { HubServices } from '../services';
import type { EventBody } from './events';

export interface OutboxDeliverer {
  start(): void;
  /**
   * Stops delivering: aborts the call in flight (its row stays pending; the nonce makes the
   * next attempt harmless). `release: false` leaves the lease to run out, as a dead process would.
   */
  stop(options?: { release?: boolean }): Promise<void>;
  /** One lease check and, when holding it, one pass over the due rows; resolves when done. */
  tick(): Promise<void>;
}

export interface OutboxTiming {
  /** How often the outbox is looked at (and the lease renewed). */
  tickMs?: number;
  /** A holder that stops renewing loses the lease after this. */
  leaseMs?: number;
  /** First retry delay after a 5xx or a network error; doubles per attempt, up to 5 minutes. */
  backoffMs?: number;
}

/** Discord error codes that no retry will cure: the notice is skipped with a log line. */
const PERMANENT: Record<number, string> = {
  10003: 'unknown channel',
  10007: 'not a member of the guild',
  10013: 'unknown user',
  50001: 'missing access to the channel',
  50007: 'the user does not accept direct messages from the bot',
  50013: 'missing permissions in the channel',
};

const LEASE = 'discord-outbox';
const BATCH = 20;

interface OutboxRow {
  id: number;
  kind: string;
  channelId: string | null;
  userDiscordId: string | null;
  content: string;
  nonce: string;
  attempts: number;
  /** event.* rows: the tournament, and the event's fields (JSON) for a create or an update. */
  tournamentId: number | null;
  body: string | null;
}

/** A row to skip for good (nothing a retry could do), with its reason and the event id if any. */
class Skip extends Error {
  constructor(
    readonly reason: string,
    readonly ref: string | null = null,
  ) {
    super(reason);
  }
}

const isEventCall = (row: OutboxRow) => row.kind.startsWith('event.');

/**
 * Delivers the Discord outbox on the one process holding the lease row. Rate limits (per-route
 * buckets, the global limit, 429 retry_after) are left to @discordjs/rest; 5xx and network
 * errors come back here and are retried with backoff; permanent refusals are skipped.
 */
export function createOutboxDeliverer(hub: HubServices, timing: OutboxTiming = {}): OutboxDeliverer {
  const bot = hub.config.discordBot;
  const tickMs = timing.tickMs ?? 1_000;
  const leaseMs = timing.leaseMs ?? 15_000;
  const backoffMs = timing.backoffMs ?? 2_000;
  const holder = crypto.randomUUID();
  const log = hub.log.child({ component: 'discord-outbox' });
  // The REST API's base without its version: @discordjs/rest adds /v10 itself.
  const rest = bot ? new REST({ version: '10', api: bot.apiBase.replace(/\/v\d+$/, ''), retries: 1, timeout: 10_000 }).setToken(bot.token) : undefined;
  const dmChannels = new Map<string, string>();
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let abort = new AbortController();
  let stopped = true;

  /** Takes the lease when free or run out, renews it when held; answers whether this process holds it. */
  async function hold(): Promise<boolean> {
    const now = Date.now();
    const taken = await hub
      .db('discord_outbox_lease')
      .where({ name: LEASE })
      .andWhere((q) => q.where({ holder }).orWhere('expiresAt', '<', now))
      .update({ holder, expiresAt: now + leaseMs });
    if (taken > 0) return true;
    const inserted = await hub
      .db('discord_outbox_lease')
      .insert({ name: LEASE, holder, expiresAt: now + leaseMs })
      .onConflict('name')
      .ignore();
    const row = await hub.db('discord_outbox_lease').where({ name: LEASE }).first('holder');
    return Boolean(inserted) && row?.holder === holder;
  }

  async function channelFor(row: OutboxRow, signal: AbortSignal): Promise<string> {
    if (row.channelId) return row.channelId;
    const user = row.userDiscordId!;
    let channel = dmChannels.get(user);
    if (!channel) {
      const dm = (await rest!.post(Routes.userChannels(), { body: { recipient_id: user }, signal })) as RESTPostAPICurrentUserCreateDMChannelResult;
      channel = dm.id;
      dmChannels.set(user, channel);
    }
    return channel;
  }

  async function postMessage(row: OutboxRow, signal: AbortSignal): Promise<string> {
    const channel = await channelFor(row, signal);
    const message = (await rest!.post(Routes.channelMessages(channel), {
      // Mentions stay text: a notice never pings @everyone or a role.
      body: { content: row.content, nonce: row.nonce, enforce_nonce: true, allowed_mentions: { parse: [] } },
      signal,
    })) as RESTPostAPIChannelMessageResult;
    return message.id;
  }

  /** The tournament's event in Discord: found by its location (a create whose answer was lost) or created. */
  async function createEvent(guildId: string, body: EventBody, signal: AbortSignal): Promise<string> {
    const listed = (await rest!.get(Routes.guildScheduledEvents(guildId), { signal })) as RESTGetAPIGuildScheduledEventsResult;
    // SCHEDULED or ACTIVE with this tournament's page as location: made by an attempt whose answer never came.
    const earlier = listed.find((e) => e.entity_metadata?.location === body.entity_metadata.location && (e.status === 1 || e.status === 2));
    if (earlier) return earlier.id;
    const created = (await rest!.post(Routes.guildScheduledEvents(guildId), { body, signal })) as RESTPostAPIGuildScheduledEventResult;
    return created.id;
  }

  /**
   * A scheduled event call (DC40-DC43). The create stores the event id per tournament; the update
   * and the delete use it. An update finding the event gone in Discord (404) creates it again; a
   * delete finding it gone is skipped. Answers the event id.
   */
  async function callEvent(row: OutboxRow, signal: AbortSignal): Promise<string> {
    const guildId = bot!.guildId;
    const tournamentId = row.tournamentId!;
    if (!guildId) throw new Skip('DISCORD_GUILD_ID is no longer set');
    const stored = await hub.db('discord_scheduled_events').where({ tournamentId }).first('eventId');
    const eventId: string | null = stored?.eventId ?? null;
    const keep = (id: string) => hub.db('discord_scheduled_events').insert({ tournamentId, eventId: id }).onConflict('tournamentId').merge({ eventId: id });
    if (row.kind === 'event.delete') {
      if (!eventId) {
        await hub.db('discord_scheduled_events').where({ tournamentId }).delete();
        throw new Skip('no event was created for this tournament');
      }
      try {
        await rest!.delete(Routes.guildScheduledEvent(guildId, eventId), { signal });
      } catch (err) {
        if (!(err instanceof DiscordAPIError && err.status === 404)) throw err;
        await hub.db('discord_scheduled_events').where({ tournamentId }).delete();
        throw new Skip(`${err.code}: the event was already deleted in Discord`, eventId);
      }
      await hub.db('discord_scheduled_events').where({ tournamentId }).delete();
      return eventId;
    }
    const body = JSON.parse(row.body!) as EventBody;
    if (row.kind === 'event.update' && eventId) {
      try {
        await rest!.patch(Routes.guildScheduledEvent(guildId, eventId), { body, signal });
        return eventId;
      } catch (err) {
        if (!(err instanceof DiscordAPIError && err.status === 404)) throw err;
        log.info({ id: row.id, kind: row.kind, tournamentId, eventId, code: err.code }, 'discord event gone (deleted in Discord): created again');
      }
    }
    // A create, or an update with no event to change (its create was refused, or it was deleted in Discord).
    if (!body.scheduled_start_time) throw new Skip('no event to update, and its start has passed');
    const id = await createEvent(guildId, body, signal);
    await keep(id);
    return id;
  }

  async function deliver(row: OutboxRow, signal: AbortSignal) {
    const target = isEventCall(row) ? { tournamentId: row.tournamentId } : row.channelId ? { channel: row.channelId } : { user: row.userDiscordId };
    try {
      const ref = isEventCall(row) ? await callEvent(row, signal) : await postMessage(row, signal);
      await hub
        .db('discord_outbox')
        .where({ id: row.id })
        .update({ state: 'sent', messageId: ref, attempts: row.attempts + 1, lastError: null });
      log.debug({ id: row.id, kind: row.kind, ...target }, 'discord notice sent');
    } catch (err) {
      if (signal.aborted) return; // stopping: the row stays as it was, due now
      if (err instanceof Skip) {
        await hub
          .db('discord_outbox')
          .where({ id: row.id })
          .update({ state: 'skipped', messageId: err.ref, attempts: row.attempts + 1, lastError: err.reason });
        log.info({ id: row.id, kind: row.kind, ...target }, `discord notice skipped: ${err.reason}`);
        return;
      }
      const code = err instanceof DiscordAPIError && typeof err.code === 'number' ? err.code : undefined;
      // An event call Discord refuses with a 4xx (a bad time, the 100-events limit, no Manage Events) fails the same way again.
      const status = err instanceof DiscordAPIError ? err.status : 0;
      const refused =
        isEventCall(row) && status >= 400 && status < 500 && status !== 429 ? `${status} ${err instanceof Error ? err.message : ''}`.trim() : undefined;
      const permanent = (code !== undefined && PERMANENT[code]) || refused;
      if (permanent) {
        await hub
          .db('discord_outbox')
          .where({ id: row.id })
          .update({ state: 'skipped', attempts: row.attempts + 1, lastError: `${code}: ${permanent}`.slice(0, 500) });
        log.info({ id: row.id, kind: row.kind, code, ...target }, `discord notice skipped: ${permanent}`);
        return;
      }
      const attempts = row.attempts + 1;
      const delay = Math.min(backoffMs * 2 ** (attempts - 1), 300_000);
      const reason = err instanceof Error ? err.message : String(err);
      await hub
        .db('discord_outbox')
        .where({ id: row.id })
        .update({ attempts, nextAttemptAt: Date.now() + delay, lastError: reason.slice(0, 500) });
      log.warn({ id: row.id, kind: row.kind, attempts, retryInMs: delay, err: reason }, 'discord notice failed; will retry');
    }
  }

  async function tick() {
    if (!rest) return;
    try {
      if (!(await hold())) return;
      const signal = abort.signal;
      const due: OutboxRow[] = await hub
        .db('discord_outbox as o')
        .where('o.state', 'pending')
        .andWhere('o.nextAttemptAt', '<=', Date.now())
        // One tournament's event calls in order: an update or delete waits for the calls before it
        // (it needs the id the create gets), however long their retries take.
        .whereNotExists((q) =>
          q
            .select(hub.db.raw('1'))
            .from('discord_outbox as before')
            .whereRaw('?? = ??', ['before.tournament_id', 'o.tournament_id'])
            .where('before.state', 'pending')
            .whereRaw('?? < ??', ['before.id', 'o.id']),
        )
        .orderBy('o.id')
        .limit(BATCH)
        .select('o.*');
      // In order, one at a time: notices of one channel arrive as they were queued.
      for (const row of due) {
        if (signal.aborted) return;
        await deliver(row, signal);
      }
    } catch (err) {
      if (!abort.signal.aborted) log.warn({ err: err instanceof Error ? err.message : String(err) }, 'discord outbox pass failed');
    }
  }

  function schedule() {
    if (stopped) return;
    timer = setTimeout(() => {
      running = tick().finally(() => {
        running = undefined;
        schedule();
      });
    }, tickMs);
    timer.unref();
  }

  return {
    start() {
      if (!rest || !stopped) return;
      stopped = false;
      abort = new AbortController();
      schedule();
    },
    async stop({ release = true } = {}) {
      stopped = true;
      clearTimeout(timer);
      abort.abort();
      await running;
      if (release && rest)
        await hub
          .db('discord_outbox_lease')
          .where({ name: LEASE, holder })
          .delete()
          .catch(() => undefined);
    },
    tick,
  };
}
