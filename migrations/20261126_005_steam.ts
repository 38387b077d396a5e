import type { Knex } from 'knex';

const isPg = (knex: Knex) => knex.client.config.client === 'pg';

/**
 * Steam data: imported matches with per-player stats, live games as the poller last saw them,
 * links from matches to bracket series (automatic or suggested), and the poller's health.
 * Steam ids are kept as decimal text (they exceed 2^53 or are ids, not quantities).
 */
export async function up(knex: Knex): Promise<void> {
  const json = (t: Knex.CreateTableBuilder, name: string) => (isPg(knex) ? t.jsonb(name) : t.json(name));

  await knex.schema.createTable('steam_matches', (t) => {
    t.string('match_id', 20).primary();
    t.integer('league_id').nullable();
    t.timestamp('start_time', { useTz: true }).notNullable();
    t.integer('duration').notNullable();
    t.boolean('radiant_win').notNullable();
    t.string('source', 16).notNullable();
    t.timestamp('imported_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });

  await knex.schema.createTable('steam_match_players', (t) => {
    t.string('match_id', 20).notNullable().references('match_id').inTable('steam_matches').onDelete('CASCADE');
    t.integer('player_slot').notNullable();
    t.bigInteger('account_id').nullable().index();
    t.boolean('is_radiant').notNullable();
    t.integer('hero_id').notNullable();
    t.integer('kills').notNullable();
    t.integer('deaths').notNullable();
    t.integer('assists').notNullable();
    t.integer('net_worth').notNullable();
    t.integer('gpm').notNullable();
    t.integer('xpm').notNullable();
    t.integer('last_hits').notNullable();
    t.integer('denies').notNullable();
    t.primary(['match_id', 'player_slot']);
  });

  await knex.schema.createTable('live_games', (t) => {
    t.string('match_id', 20).primary();
    t.integer('league_id').nullable();
    t.string('lobby_id', 20).nullable();
    t.string('status', 16).notNullable();
    json(t, 'state').notNullable().comment('the scoreboard as last published');
    json(t, 'gold_graph').notNullable();
    t.string('fingerprint', 64).notNullable().comment('what the last publish looked like: unchanged polls publish nothing');
    t.boolean('radiant_win').nullable();
    t.timestamp('updated_at', { useTz: true }).notNullable();
    t.timestamp('finished_at', { useTz: true }).nullable();
    t.index(['status']);
  });

  await knex.schema.createTable('match_links', (t) => {
    t.increments('id');
    t.string('match_id', 20).notNullable().references('match_id').inTable('steam_matches').onDelete('CASCADE');
    t.integer('tournament_id').notNullable().references('id').inTable('tournaments').onDelete('CASCADE');
    t.integer('series_id').notNullable().references('id').inTable('bracket_matches').onDelete('CASCADE');
    t.integer('team_a').notNullable();
    t.integer('team_b').notNullable();
    t.integer('overlap').notNullable();
    t.string('state', 16).notNullable();
    t.string('radiant', 1).nullable();
    t.string('winner', 1).nullable();
    t.integer('decided_by').nullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.unique(['match_id', 'series_id']);
    t.index(['tournament_id', 'state']);
  });

  await knex.schema.createTable('steam_poll_state', (t) => {
    t.string('name', 32).primary();
    t.timestamp('last_success_at', { useTz: true }).nullable();
    t.text('last_error').nullable();
    t.timestamp('error_since', { useTz: true }).nullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  for (const table of ['steam_poll_state', 'match_links', 'live_games', 'steam_match_players', 'steam_matches']) await knex.schema.dropTableIfExists(table);
}
