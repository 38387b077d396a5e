import type { Knex } from 'knex';

const isPg = (knex: Knex) => knex.client.config.client === 'pg';

/**
 * Bracket stages, their series and games. Who plays in an elimination series is not stored
 * ahead: it is replayed from the seeding and the results by the pure engine
 * (server/brackets/elimination.ts); a result row keeps the two teams it was reported for.
 */
export async function up(knex: Knex): Promise<void> {
  const json = (t: Knex.CreateTableBuilder, name: string) => (isPg(knex) ? t.jsonb(name) : t.json(name));

  await knex.schema.createTable('bracket_stages', (t) => {
    t.increments('id');
    t.integer('tournament_id').notNullable().references('id').inTable('tournaments').onDelete('CASCADE');
    t.integer('number').notNullable();
    t.string('name', 60).notNullable();
    t.enu('format', ['single_elimination', 'double_elimination', 'round_robin', 'swiss']).notNullable();
    json(t, 'settings').notNullable();
    t.enu('seeding_method', ['ranked', 'mmr', 'random', 'manual', 'standings']).notNullable();
    json(t, 'seeding').notNullable().comment('team ids in seed order');
    t.integer('random_seed').nullable().comment('recorded source of a random seeding and the coin toss');
    json(t, 'coin_toss').notNullable().comment('team ids in coin-toss order, published with the stage');
    json(t, 'disqualified').notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.unique(['tournament_id', 'number']);
  });

  await knex.schema.createTable('bracket_matches', (t) => {
    t.increments('id');
    t.integer('stage_id').notNullable().references('id').inTable('bracket_stages').onDelete('CASCADE');
    t.integer('tournament_id').notNullable();
    t.string('key', 16).notNullable().comment('U1.1, L2.1, GF1, 3RD, or G1R2.3 / S3.1 for group and Swiss series');
    t.integer('group_number').nullable();
    t.integer('round').notNullable();
    t.integer('position').notNullable();
    t.integer('team_id_a').nullable().comment('for elimination: the teams the result was reported for');
    t.integer('team_id_b').nullable();
    t.integer('best_of').notNullable();
    t.enu('winner', ['a', 'b', 'draw']).nullable().comment('null until reported');
    t.integer('score_a').nullable();
    t.integer('score_b').nullable();
    t.enu('forfeit', ['a', 'b']).nullable();
    t.integer('version').notNullable().defaultTo(0);
    json(t, 'claim').nullable().comment("a captain's report awaiting the other captain");
    t.boolean('disputed').notNullable().defaultTo(false);
    t.integer('reported_by').nullable();
    t.timestamp('reported_at', { useTz: true }).nullable();
    t.unique(['stage_id', 'key']);
  });

  await knex.schema.createTable('bracket_games', (t) => {
    t.integer('match_id').notNullable().references('id').inTable('bracket_matches').onDelete('CASCADE');
    t.integer('number').notNullable();
    t.enu('winner', ['a', 'b']).notNullable();
    t.enu('radiant', ['a', 'b']).nullable();
    t.string('steam_match_id', 20).nullable();
    json(t, 'draft').nullable();
    t.primary(['match_id', 'number']);
  });
}

export async function down(knex: Knex): Promise<void> {
  for (const table of ['bracket_games', 'bracket_matches', 'bracket_stages']) await knex.schema.dropTableIfExists(table);
}
