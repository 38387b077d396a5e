import crypto from 'node:crypto';
import type { CommandTx } from '../commands/command';
import type { HubServices } from '../services';

/**
 * A tournament's Discord scheduled event (DC40-DC43): created with the tournament, updated when
 * its name, start or description change, deleted with it. Each call is an outbox row written in
 * the tournament command's transaction and delivered in order per tournament by the outbox's
 * deliverer (outbox.deliverer.ts), which keeps the event id Discord answers.
 */

/** Scheduled events outside a voice channel must have an end: this long after the start. */
export const EVENT_LENGTH_HOURS = 4;

const EVENT_FIELDS = ['name', 'startsAt', 'description'];

export type EventCallKind = 'event.create' | 'event.update' | 'event.delete';

/** The fields the hub sets on an event (Discord's names). */
export interface EventBody {
  name: string;
  description: string;
  privacy_level: 2;
  entity_type: 3;
  entity_metadata: { location: string };
  /** Left out of an update once the start has passed: Discord no longer lets a started event move. */
  scheduled_start_time?: string;
  scheduled_end_time?: string;
}

interface TournamentFields {
  id: number;
  name: string;
  description: string;
  startsAt: string;
}

/** The tournament's page, which is the event's location (Discord allows 100 characters there). */
export function eventLocation(publicUrl: string, tournamentId: number): string {
  const link = `${publicUrl}/tournaments/${tournamentId}`;
  return link.length <= 100 ? link : `${new URL(publicUrl).host}/tournaments/${tournamentId}`.slice(0, 100);
}

export function eventBody(publicUrl: string, t: TournamentFields, withTimes: boolean): EventBody {
  const link = `${publicUrl}/tournaments/${t.id}`;
  const start = new Date(t.startsAt);
  const body: EventBody = {
    name: t.name.slice(0, 100),
    // Discord wants 1-1000 characters: the link is always there.
    description: (t.description ? `${t.description.slice(0, 800)}\n\n${link}` : link).slice(0, 1000),
    privacy_level: 2,
    entity_type: 3,
    entity_metadata: { location: eventLocation(publicUrl, t.id) },
  };
  if (withTimes) {
    body.scheduled_start_time = start.toISOString();
    body.scheduled_end_time = new Date(start.getTime() + EVENT_LENGTH_HOURS * 3_600_000).toISOString();
  }
  return body;
}

async function insertCall(tx: CommandTx, kind: EventCallKind, tournamentId: number, body: EventBody | null, summary: string) {
  await tx.db('discord_outbox').insert({
    kind,
    tournamentId,
    body: body ? JSON.stringify(body) : null,
    content: summary,
    // Not sent for events (Discord has no nonce there); the column is required and unique.
    nonce: `dtx${crypto.randomBytes(11).toString('hex')}`,
    nextAttemptAt: Date.now(),
  });
}

/**
 * Queues what a tournament change means for its scheduled event, in the command's transaction.
 * Nothing without the bot token and DISCORD_GUILD_ID. An event is created only for a start
 * still ahead (Discord refuses one in the past); a tournament that has none yet gets it on its
 * next change with a start ahead. Answers the call queued, if any.
 */
export async function queueTournamentEvent(
  tx: CommandTx,
  hub: Pick<HubServices, 'config' | 'clock'>,
  change:
    | { type: 'created'; tournament: TournamentFields }
    | { type: 'updated'; tournament: TournamentFields; changed: string[] }
    | { type: 'deleted'; tournamentId: number },
): Promise<EventCallKind | null> {
  const bot = hub.config.discordBot;
  if (!bot?.guildId) return null;
  // The event shows the name, the start (and end) and the description: nothing else moves it.
  if (change.type === 'updated' && !change.changed.some((f) => EVENT_FIELDS.includes(f))) return null;
  const tournamentId = change.type === 'deleted' ? change.tournamentId : change.tournament.id;
  const known = await tx.db('discord_scheduled_events').where({ tournamentId }).first('tournamentId');
  if (change.type === 'deleted') {
    if (!known) return null;
    await insertCall(tx, 'event.delete', tournamentId, null, `delete the scheduled event of tournament ${tournamentId}`);
    return 'event.delete';
  }
  const t = change.tournament;
  const ahead = new Date(t.startsAt).getTime() > hub.clock.now();
  if (known) {
    await insertCall(tx, 'event.update', tournamentId, eventBody(hub.config.publicUrl, t, ahead), `update the scheduled event: ${t.name}`);
    return 'event.update';
  }
  if (!ahead) return null;
  await tx.db('discord_scheduled_events').insert({ tournamentId, eventId: null });
  await insertCall(tx, 'event.create', tournamentId, eventBody(hub.config.publicUrl, t, true), `create the scheduled event: ${t.name}`);
  return 'event.create';
}
