/** Constraint errors, recognised on both databases (Objection does not map better-sqlite3's). */
function codes(err: unknown): string[] {
  const e = err as { code?: unknown; nativeError?: { code?: unknown } } | null;
  return [e?.code, e?.nativeError?.code].filter((c): c is string => typeof c === 'string');
}

export function isUniqueViolation(err: unknown): boolean {
  return codes(err).some((c) => c === '23505' || c === 'SQLITE_CONSTRAINT_UNIQUE' || c === 'SQLITE_CONSTRAINT_PRIMARYKEY');
}

export function isForeignKeyViolation(err: unknown): boolean {
  return codes(err).some((c) => c === '23503' || c === 'SQLITE_CONSTRAINT_FOREIGNKEY');
}

/** Serialisation failures and lock timeouts: the command lost a race. */
export function isContention(err: unknown): boolean {
  return codes(err).some((c) => c === '40001' || c === '40P01' || c === 'SQLITE_BUSY' || c === 'SQLITE_BUSY_SNAPSHOT');
}
