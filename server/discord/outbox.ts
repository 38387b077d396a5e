import crypto from 'node:crypto';
import type { CommandTx } from '../commands/command';
import type { Config } from '../config';

/** What a notice is about (the outbox's `kind`; the tests and logs name them). */
export type NoticeKind =
  | 'draft.turn'
  | 'herodraft.turn'
  | 'series.ready'
  | 'series.confirm'
  | 'draft.started'
  | 'series.result'
  | 'signup.opened'
  | 'checkin.opened'
  | 'teams.final'
  | 'tournament.winner'
  | 'report.disputed'
  | 'match.suggested'
  | 'signup.pending';

export type NoticeTarget =
  /** A member's DMs, by their hub user id (nothing queued if they have no Discord account or turned DMs off). */
  { dm: number } | { channel: 'announce' | 'staff' };

export interface Notice {
  kind: NoticeKind;
  to: NoticeTarget;
  content: string;
  /** Path on the hub (`/drafts/3`); the link uses PUBLIC_URL. */
  path?: string;
  /**
   * Set for a notice that must go out once per thing (`series.ready:12:3`): a second notice with
   * the same key writes nothing (a unique column of the outbox, so two racing commands agree too).
   */
  once?: string;
}

/**
 * Queues a Discord notice inside a command's transaction: it exists only if the command
 * commits. Without a bot token, or without the channel it is meant for, nothing is written; nor
 * is a DM to a member who turned DMs off on their profile (DC12), or a notice whose `once` key was
 * queued before. Answers whether a row was written.
 */
export async function queueDiscord(tx: CommandTx, config: Config, notice: Notice): Promise<boolean> {
  const bot = config.discordBot;
  if (!bot) return false;
  let channelId: string | null = null;
  let userDiscordId: string | null = null;
  if ('dm' in notice.to) {
    const user = await tx.db('users').where({ id: notice.to.dm }).first('discordId', 'discordDms');
    // Development-login members have no real Discord account (their id is not a snowflake).
    if (!/^\d{15,21}$/.test(String(user?.discordId ?? ''))) return false;
    if (!user.discordDms) return false;
    userDiscordId = String(user!.discordId);
  } else {
    channelId = (notice.to.channel === 'announce' ? bot.announceChannelId : bot.staffChannelId) ?? null;
    if (!channelId) return false;
  }
  const link = notice.path ? `${config.publicUrl}${notice.path}` : null;
  const row = {
    kind: notice.kind,
    channelId: channelId,
    userDiscordId: userDiscordId,
    content: link ? `${notice.content}\n${link}` : notice.content,
    link,
    // Discord keeps a nonce for a few minutes per channel; 25 characters at most.
    nonce: `dtx${crypto.randomBytes(11).toString('hex')}`,
    nextAttemptAt: Date.now(),
    onceKey: notice.once ?? null,
  };
  if (!notice.once) {
    await tx.db('discord_outbox').insert(row);
    return true;
  }
  // ON CONFLICT DO NOTHING: a repeat is no error (on PostgreSQL an error would end the transaction).
  const inserted = await tx.db('discord_outbox').insert(row).onConflict('onceKey').ignore().returning('id');
  return inserted.length > 0;
}
