import type { Knex } from 'knex';

const isPg = (knex: Knex) => knex.client.config.client === 'pg';

export async function up(knex: Knex): Promise<void> {
  const json = (t: Knex.CreateTableBuilder, name: string) => (isPg(knex) ? t.jsonb(name) : t.json(name));

  await knex.schema.createTable('users', (t) => {
    t.increments('id');
    t.string('discord_id', 32).notNullable().unique();
    t.string('username', 100).notNullable();
    t.string('global_name', 100).nullable();
    t.string('guild_nickname', 100).nullable();
    t.string('avatar', 100).nullable();
    json(t, 'guild_role_ids').notNullable();
    t.string('steam_id', 20).nullable().unique();
    t.integer('mmr').nullable();
    json(t, 'positions').notNullable();
    t.enu('role', ['admin', 'staff', 'member']).notNullable().defaultTo('member');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });

  await knex.schema.createTable('leagues', (t) => {
    t.increments('id');
    t.string('name', 100).notNullable().unique();
    t.integer('steam_league_id').nullable().unique();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });

  await knex.schema.createTable('tournaments', (t) => {
    t.increments('id');
    t.string('name', 100).notNullable();
    t.text('description').notNullable().defaultTo('');
    t.timestamp('starts_at', { useTz: true }).notNullable();
    t.string('time_zone', 64).notNullable();
    t.enu('state', ['draft', 'registration', 'drafting', 'playing', 'finished']).notNullable().defaultTo('draft');
    t.integer('team_size').notNullable().defaultTo(5);
    t.integer('league_id').nullable().references('id').inTable('leagues').onDelete('RESTRICT');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.index(['starts_at']);
  });

  await knex.schema.createTable('tournament_staff', (t) => {
    t.integer('tournament_id').notNullable().references('id').inTable('tournaments').onDelete('CASCADE');
    t.integer('user_id').notNullable().references('id').inTable('users').onDelete('CASCADE');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.primary(['tournament_id', 'user_id']);
  });

  await knex.schema.createTable('pool_players', (t) => {
    t.integer('tournament_id').notNullable().references('id').inTable('tournaments').onDelete('CASCADE');
    t.integer('user_id').notNullable().references('id').inTable('users').onDelete('CASCADE');
    t.integer('mmr').notNullable();
    t.timestamp('added_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.primary(['tournament_id', 'user_id']);
  });

  await knex.schema.createTable('teams', (t) => {
    t.increments('id');
    t.integer('tournament_id').notNullable().references('id').inTable('tournaments').onDelete('CASCADE');
    t.string('name', 60).notNullable();
    t.integer('captain_user_id').notNullable();
    t.integer('draft_order').notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.unique(['tournament_id', 'captain_user_id']);
    t.unique(['tournament_id', 'name']);
    t.unique(['tournament_id', 'draft_order']);
    // A captain comes from the pool and cannot leave it while captain.
    t.foreign(['tournament_id', 'captain_user_id']).references(['tournament_id', 'user_id']).inTable('pool_players');
  });

  await knex.schema.createTable('team_members', (t) => {
    t.integer('team_id').notNullable().references('id').inTable('teams').onDelete('CASCADE');
    t.integer('tournament_id').notNullable();
    t.integer('user_id').notNullable();
    t.integer('pick_number').nullable().comment('null for the captain');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.primary(['team_id', 'user_id']);
    // One team per player per tournament, and only players from the pool.
    t.unique(['tournament_id', 'user_id']);
    t.foreign(['tournament_id', 'user_id']).references(['tournament_id', 'user_id']).inTable('pool_players');
  });

  // Sessions of the default store (connect-session-knex's layout); Redis holds them when configured.
  await knex.schema.createTable('sessions', (t) => {
    t.string('sid').primary();
    t.text('sess').notNullable();
    t.timestamp('expired', { useTz: true }).notNullable().index();
  });

  // Per-room version row: commands lock it, so commands on one room run one at a time.
  await knex.schema.createTable('rooms', (t) => {
    t.string('name', 64).primary();
    t.integer('seq').notNullable().defaultTo(0);
  });

  // Append-only event log: every change to a room, in order.
  await knex.schema.createTable('events', (t) => {
    t.increments('id');
    t.string('room', 64).notNullable();
    t.integer('seq').notNullable();
    t.string('type', 64).notNullable();
    json(t, 'payload').notNullable();
    t.integer('actor_user_id').nullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.unique(['room', 'seq']);
  });
}

export async function down(knex: Knex): Promise<void> {
  for (const table of ['events', 'rooms', 'sessions', 'team_members', 'teams', 'pool_players', 'tournament_staff', 'tournaments', 'leagues', 'users']) {
    await knex.schema.dropTableIfExists(table);
  }
}
