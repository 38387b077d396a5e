import type { Knex } from 'knex';

/**
 * Issue 19: staff set a tournament's final placements by hand (round-robin or Swiss finals, a
 * disqualification, a tie decided outside the hub). One row per placed team; the rows of a
 * tournament are replaced together, and none means the bracket's placements stand.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('tournament_placements', (t) => {
    t.integer('tournament_id').notNullable().references('id').inTable('tournaments').onDelete('CASCADE');
    // A team that goes takes its place with it (teams only go before the draft, with no results).
    t.integer('team_id').notNullable().references('id').inTable('teams').onDelete('CASCADE');
    t.integer('place').notNullable().comment('1 is the winner; shared places repeat (1, 2, 3, 3, 5)');
    t.integer('set_by').nullable().references('id').inTable('users').onDelete('SET NULL');
    t.timestamp('set_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.primary(['tournament_id', 'team_id']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('tournament_placements');
}
