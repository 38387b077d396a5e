import type { Knex } from 'knex';

const isPg = (knex: Knex) => knex.client.config.client === 'pg';

/**
 * The player draft and the generic deadline table. A draft's position is not stored: it is
 * replayed from its picks and tie rolls by the pure rules (server/draft/draft.rules.ts).
 */
export async function up(knex: Knex): Promise<void> {
  const json = (t: Knex.CreateTableBuilder, name: string) => (isPg(knex) ? t.jsonb(name) : t.json(name));

  await knex.schema.createTable('drafts', (t) => {
    t.integer('tournament_id').primary().references('id').inTable('tournaments').onDelete('CASCADE');
    t.enu('style', ['normal', 'snake', 'shuffle']).notNullable().defaultTo('snake');
    t.integer('pick_seconds').nullable().comment('null: no pick timer');
    t.enu('status', ['setup', 'open', 'running', 'paused', 'completed']).notNullable().defaultTo('setup');
    t.integer('paused_remaining_ms').nullable().comment('time left on the turn when paused');
    t.timestamp('started_at', { useTz: true }).nullable();
    t.timestamp('completed_at', { useTz: true }).nullable();
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });

  await knex.schema.createTable('draft_picks', (t) => {
    t.integer('tournament_id').notNullable().references('tournament_id').inTable('drafts').onDelete('CASCADE');
    t.integer('pick_number').notNullable();
    t.integer('team_id').notNullable().references('id').inTable('teams').onDelete('CASCADE');
    t.integer('user_id').notNullable();
    t.enu('method', ['captain', 'staff', 'auto']).notNullable();
    t.integer('by_user_id').nullable().comment('who picked: the captain, a staff member, or null for auto-pick');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.primary(['tournament_id', 'pick_number']);
    // A player is drafted once: two racing picks of the same player cannot both commit.
    t.unique(['tournament_id', 'user_id']);
    t.foreign(['tournament_id', 'user_id']).references(['tournament_id', 'user_id']).inTable('pool_players');
  });

  await knex.schema.createTable('draft_rolls', (t) => {
    t.integer('tournament_id').notNullable().references('tournament_id').inTable('drafts').onDelete('CASCADE');
    t.integer('pick_number').notNullable().comment('the pick whose tie this roll settles');
    t.integer('round').notNullable();
    t.integer('team_id').notNullable().references('id').inTable('teams').onDelete('CASCADE');
    t.integer('value').notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.primary(['tournament_id', 'pick_number', 'round', 'team_id']);
  });

  // A captain's private wish list, in order.
  await knex.schema.createTable('draft_queues', (t) => {
    t.integer('tournament_id').notNullable().references('tournament_id').inTable('drafts').onDelete('CASCADE');
    t.integer('user_id').notNullable();
    json(t, 'player_ids').notNullable();
    t.primary(['tournament_id', 'user_id']);
  });

  // Pending deadlines of any room (pick timers now, hero draft later): rebuilt at start-up.
  await knex.schema.createTable('deadlines', (t) => {
    t.string('kind', 32).notNullable();
    t.string('room', 64).notNullable();
    t.bigInteger('due_at_ms').notNullable().comment('epoch ms on the hub clock');
    t.integer('expected_seq').notNullable().comment('the room seq the deadline was set at: expiry is void once the room moved on');
    json(t, 'payload').notNullable();
    t.primary(['kind', 'room']);
    t.index(['due_at_ms']);
  });
}

export async function down(knex: Knex): Promise<void> {
  for (const table of ['deadlines', 'draft_queues', 'draft_rolls', 'draft_picks', 'drafts']) await knex.schema.dropTableIfExists(table);
}
