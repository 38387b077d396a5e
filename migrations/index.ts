import type { Knex } from 'knex';
import * as foundation from './20261126_001_foundation';
import * as brackets from './20261126_003_brackets';

/**
 * Explicit list (not a directory scan) so the same migrations run under tsx, vitest and a
 * bundled build. Append new migrations at the end; never reorder or rename.
 */
const migrations: Record<string, { up(knex: Knex): Promise<void>; down(knex: Knex): Promise<void> }> = {
  '20261126_001_foundation': foundation,
  '20261126_003_brackets': brackets,
};

export const migrationSource: Knex.MigrationSource<string> = {
  getMigrations: async () => Object.keys(migrations),
  getMigrationName: (name) => name,
  getMigration: async (name) => migrations[name]!,
};
