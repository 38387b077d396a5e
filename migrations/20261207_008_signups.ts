import type { Knex } from 'knex';

const isPg = (knex: Knex) => knex.client.config.client === 'pg';

/**
 * Issue 21: players sign themselves up. Times are epoch ms on the hub clock (as deadlines are),
 * so the rules compare them with the clock that tests drive.
 */
export async function up(knex: Knex): Promise<void> {
  const json = (t: Knex.CreateTableBuilder, name: string) => (isPg(knex) ? t.jsonb(name) : t.json(name));

  // One row per tournament once staff set a rule; none means the defaults (no limit, manual approval, Steam required).
  await knex.schema.createTable('signup_settings', (t) => {
    t.integer('tournament_id').primary().references('id').inTable('tournaments').onDelete('CASCADE');
    t.integer('capacity').nullable();
    t.bigInteger('closes_at_ms').nullable();
    t.boolean('closed').notNullable().defaultTo(false);
    t.string('approval', 16).notNullable().defaultTo('manual');
    t.integer('mmr_min').nullable();
    t.integer('mmr_max').nullable();
    t.boolean('steam_required').notNullable().defaultTo(true);
    t.bigInteger('checkin_opened_at_ms').nullable();
    t.bigInteger('checkin_closes_at_ms').nullable();
    t.bigInteger('checkin_closed_at_ms').nullable();
  });

  await knex.schema.createTable('signups', (t) => {
    t.integer('tournament_id').notNullable().references('id').inTable('tournaments').onDelete('CASCADE');
    t.integer('user_id').notNullable().references('id').inTable('users').onDelete('CASCADE');
    // Not unique: a withdrawn sign-up frees its account; the rule is checked under the room's lock.
    t.string('steam_id', 20).nullable();
    t.integer('declared_mmr').notNullable();
    json(t, 'positions').notNullable();
    t.text('note').notNullable().defaultTo('');
    t.string('state', 16).notNullable();
    t.bigInteger('signed_up_at_ms').notNullable().comment('order of sign-up (again after a withdrawal)');
    t.bigInteger('queued_at_ms').nullable().comment('when it joined the waitlist: the waitlist order');
    t.bigInteger('checked_in_at_ms').nullable();
    t.boolean('missed_check_in').notNullable().defaultTo(false);
    t.integer('pool_mmr').nullable();
    t.text('reason').nullable();
    t.bigInteger('updated_at_ms').notNullable();
    t.primary(['tournament_id', 'user_id']);
    t.index(['user_id']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('signups');
  await knex.schema.dropTableIfExists('signup_settings');
}
