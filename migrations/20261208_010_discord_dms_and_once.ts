import type { Knex } from 'knex';

/**
 * Issue 22: a member may turn the bot's direct messages off on their profile (on by default),
 * and a notice that must go out once per thing (a series ready for a team, a winner) carries a
 * key the outbox keeps unique, so a second command that would queue it again writes nothing.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('users', (t) => {
    t.boolean('discord_dms').notNullable().defaultTo(true);
  });
  await knex.schema.alterTable('discord_outbox', (t) => {
    // Null for notices that may repeat; several nulls never collide (SQLite and PostgreSQL alike).
    t.string('once_key', 120).nullable().unique();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('discord_outbox', (t) => {
    t.dropUnique(['once_key']);
    t.dropColumn('once_key');
  });
  await knex.schema.alterTable('users', (t) => {
    t.dropColumn('discord_dms');
  });
}
