import { Model } from 'objection';

/**
 * Models are never bound to a global knex: every query passes its db or transaction
 * (`User.query(db)`), so several hubs can run in one process (tests, benchmarks).
 */
export class BaseModel extends Model {}

/** Timestamps come back as Date (PostgreSQL) or text (SQLite); the wire format is ISO 8601 UTC. */
export function isoTime(value: Date | string | number): string {
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'string' && /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/.test(value)) {
    return new Date(`${value.replace(' ', 'T')}Z`).toISOString(); // SQLite CURRENT_TIMESTAMP is UTC
  }
  return new Date(value).toISOString();
}
