import type { Knex } from 'knex';

/**
 * Issue 22 (DC40-DC43): a tournament's Discord scheduled event. Its create, update and delete go
 * through the outbox like the notices: the row says which tournament (so one tournament's calls
 * are delivered in order) and carries the event's fields as JSON. The event id Discord gives back
 * is kept per tournament, for the update and delete that follow.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('discord_outbox', (t) => {
    t.integer('tournament_id').nullable().comment('event.* rows: the tournament whose scheduled event this is (no foreign key: a delete outlives it)');
    t.text('body').nullable().comment('event.create / event.update: the scheduled event fields, JSON');
    t.index(['tournament_id', 'state']);
  });
  await knex.schema.createTable('discord_scheduled_events', (t) => {
    // No foreign key: the event's delete is delivered after the tournament is gone.
    t.integer('tournament_id').primary();
    t.string('event_id', 21).nullable().comment('null until Discord has answered the create');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('discord_scheduled_events');
  await knex.schema.alterTable('discord_outbox', (t) => {
    t.dropIndex(['tournament_id', 'state']);
    t.dropColumn('body');
    t.dropColumn('tournament_id');
  });
}
