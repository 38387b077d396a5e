import type { Knex } from 'knex';

const isPg = (knex: Knex) => knex.client.config.client === 'pg';

/**
 * Captains Mode hero drafts: one per match between two teams of a tournament. The sequence
 * (steps with their seconds) is stored with the draft, so a later change of presets never
 * changes a draft in progress. Each step done is a row; the hero is unique per draft.
 */
export async function up(knex: Knex): Promise<void> {
  const json = (t: Knex.CreateTableBuilder, name: string) => (isPg(knex) ? t.jsonb(name) : t.json(name));

  await knex.schema.createTable('hero_drafts', (t) => {
    t.increments('id').primary();
    t.integer('tournament_id').notNullable().references('id').inTable('tournaments').onDelete('CASCADE');
    t.integer('home_team_id').notNullable().references('id').inTable('teams').onDelete('CASCADE');
    t.integer('away_team_id').notNullable().references('id').inTable('teams').onDelete('CASCADE');
    // Links to the brackets feature's match (series) and game once it exists; no foreign key on purpose.
    t.integer('bracket_match_id').nullable();
    t.integer('game_number').nullable();
    t.string('preset', 16).notNullable();
    json(t, 'steps').notNullable();
    t.integer('reserve_seconds').notNullable();
    t.enu('status', ['waiting', 'choosing', 'drafting', 'paused', 'completed', 'abandoned']).notNullable().defaultTo('waiting');
    t.boolean('home_ready').notNullable().defaultTo(false);
    t.boolean('away_ready').notNullable().defaultTo(false);
    t.integer('toss_winner').nullable().comment('0 = home (team A), 1 = away (team B)');
    json(t, 'winner_choice').nullable();
    json(t, 'loser_choice').nullable();
    t.integer('first_pick').nullable().comment('0 = home (team A), 1 = away (team B)');
    t.integer('radiant').nullable().comment('0 = home (team A), 1 = away (team B)');
    t.integer('step_index').notNullable().defaultTo(0);
    t.bigInteger('turn_started_at_ms').nullable().comment('when the current step began counting (after a resume countdown)');
    t.integer('step_ms').nullable().comment("the step's own time left at turn_started_at_ms");
    t.integer('home_reserve_ms').notNullable();
    t.integer('away_reserve_ms').notNullable();
    t.string('pause_reason', 200).nullable();
    json(t, 'resume_votes').nullable();
    t.bigInteger('grace_due_at_ms').nullable().comment('a captain is away: pause at this time unless they come back');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('completed_at', { useTz: true }).nullable();
    t.index(['tournament_id']);
  });

  await knex.schema.createTable('hero_draft_steps', (t) => {
    t.integer('hero_draft_id').notNullable().references('id').inTable('hero_drafts').onDelete('CASCADE');
    t.integer('step_index').notNullable();
    t.integer('team_id').notNullable();
    t.enu('action', ['ban', 'pick']).notNullable();
    t.integer('hero_id').nullable().comment('null: a ban skipped on timeout');
    t.enu('method', ['captain', 'timeout']).notNullable();
    t.integer('by_user_id').nullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.primary(['hero_draft_id', 'step_index']);
    // CM3: a hero once per draft, enforced by the database (NULLs, the skipped bans, repeat freely).
    t.unique(['hero_draft_id', 'hero_id']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('hero_draft_steps');
  await knex.schema.dropTableIfExists('hero_drafts');
}
