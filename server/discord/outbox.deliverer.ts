import crypto from 'node:crypto';
import { DiscordAPIError, REST } from '@discordjs/rest';
import { Routes, type RESTPostAPIChannelMessageResult, type RESTPostAPICurrentUserCreateDMChannelResult } from 'discord-api-types/v10';
import type { HubServices } from '../services';

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
}

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

  async function deliver(row: OutboxRow, signal: AbortSignal) {
    const target = row.channelId ? { channel: row.channelId } : { user: row.userDiscordId };
    try {
      const channel = await channelFor(row, signal);
      const message = (await rest!.post(Routes.channelMessages(channel), {
        // Mentions stay text: a notice never pings @everyone or a role.
        body: { content: row.content, nonce: row.nonce, enforce_nonce: true, allowed_mentions: { parse: [] } },
        signal,
      })) as RESTPostAPIChannelMessageResult;
      await hub
        .db('discord_outbox')
        .where({ id: row.id })
        .update({ state: 'sent', messageId: message.id, attempts: row.attempts + 1, lastError: null });
      log.debug({ id: row.id, kind: row.kind, ...target }, 'discord notice sent');
    } catch (err) {
      if (signal.aborted) return; // stopping: the row stays as it was, due now
      const code = err instanceof DiscordAPIError && typeof err.code === 'number' ? err.code : undefined;
      const permanent = code !== undefined && PERMANENT[code];
      if (permanent) {
        await hub
          .db('discord_outbox')
          .where({ id: row.id })
          .update({ state: 'skipped', attempts: row.attempts + 1, lastError: `${code}: ${permanent}` });
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
        .db('discord_outbox')
        .where({ state: 'pending' })
        .andWhere('nextAttemptAt', '<=', Date.now())
        .orderBy('id')
        .limit(BATCH);
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
