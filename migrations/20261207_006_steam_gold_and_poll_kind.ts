import type { Knex } from 'knex';

/**
 * Issue 17:
 * - OpenDota leaves net worth out of older matches; what it has instead, total gold, is gold
 *   earned over the game, another quantity. net_worth becomes nullable and total_gold is kept
 *   in its own column. Rows imported before this cannot be told apart and keep their value.
 * - The live poller's health says which service failed and how (429 limited, 503 down), so the
 *   status can say "Steam is limiting us since 14:05" rather than a raw error.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('steam_match_players', (t) => {
    t.integer('net_worth').nullable().alter();
    t.integer('total_gold').nullable();
  });
  await knex.schema.alterTable('steam_poll_state', (t) => {
    t.string('error_service', 16).nullable();
    t.string('error_kind', 16).nullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('steam_poll_state', (t) => {
    t.dropColumn('error_kind');
    t.dropColumn('error_service');
  });
  await knex('steam_match_players')
    .whereNull('net_worth')
    .update({ net_worth: knex.raw('coalesce(total_gold, 0)') });
  await knex.schema.alterTable('steam_match_players', (t) => {
    t.dropColumn('total_gold');
    t.integer('net_worth').notNullable().alter();
  });
}
