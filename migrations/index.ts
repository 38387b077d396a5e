import type { Knex } from 'knex';
import * as foundation from './20261126_001_foundation';
import * as playerDraft from './20261126_002_player_draft';
import * as brackets from './20261126_003_brackets';
import * as heroDraft from './20261126_004_hero_draft';
import * as steam from './20261126_005_steam';
import * as steamGoldAndPollKind from './20261207_006_steam_gold_and_poll_kind';
import * as tournamentPlacements from './20261207_007_tournament_placements';
import * as signups from './20261207_008_signups';
import * as discordOutbox from './20261207_009_discord_outbox';
import * as discordDmsAndOnce from './20261208_010_discord_dms_and_once';
import * as discordScheduledEvents from './20261208_011_discord_scheduled_events';

/**
 * Explicit list (not a directory scan) so the same migrations run under tsx, vitest and a
 * bundled build. Append new migrations at the end; never reorder or rename.
 */
const migrations: Record<string, { up(knex: Knex): Promise<void>; down(knex: Knex): Promise<void> }> = {
  '20261126_001_foundation': foundation,
  '20261126_002_player_draft': playerDraft,
  '20261126_003_brackets': brackets,
  '20261126_004_hero_draft': heroDraft,
  '20261126_005_steam': steam,
  '20261207_006_steam_gold_and_poll_kind': steamGoldAndPollKind,
  '20261207_007_tournament_placements': tournamentPlacements,
  '20261207_008_signups': signups,
  '20261207_009_discord_outbox': discordOutbox,
  '20261208_010_discord_dms_and_once': discordDmsAndOnce,
  '20261208_011_discord_scheduled_events': discordScheduledEvents,
};

export const migrationSource: Knex.MigrationSource<string> = {
  getMigrations: async () => Object.keys(migrations),
  getMigrationName: (name) => name,
  getMigration: async (name) => migrations[name]!,
};
