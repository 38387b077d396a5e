import type { Knex } from 'knex';

/**
 * Issue 22: Discord notifications go through an outbox. A command writes its row in its own
 * transaction (so a notice exists only if the change committed); one process at a time, the
 * holder of the lease row, delivers them.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('discord_outbox', (t) => {
    t.increments('id').primary();
    t.string('kind', 40).notNullable().comment('what it tells: draft.turn, herodraft.turn, draft.started, series.result, report.disputed');
    // Exactly one target: a channel (announcements, staff) or a member's DMs (by Discord user id).
    t.string('channel_id', 21).nullable();
    t.string('user_discord_id', 21).nullable();
    t.text('content').notNullable();
    t.string('link', 500).nullable();
    // Sent with enforce_nonce: a retry after a lost answer gets the first message back, never a second.
    t.string('nonce', 25).notNullable().unique();
    t.integer('attempts').notNullable().defaultTo(0);
    t.bigInteger('next_attempt_at').notNullable().comment('epoch ms');
    t.string('state', 10).notNullable().defaultTo('pending').comment('pending, sent, skipped');
    t.text('last_error').nullable();
    t.string('message_id', 21).nullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.index(['state', 'next_attempt_at']);
  });
  await knex.schema.createTable('discord_outbox_lease', (t) => {
    t.string('name', 40).primary();
    t.string('holder', 64).notNullable();
    t.bigInteger('expires_at').notNullable().comment('epoch ms');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('discord_outbox_lease');
  await knex.schema.dropTable('discord_outbox');
}
