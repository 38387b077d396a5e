#!/usr/bin/env bash
# Backs up the hub's database to one file, while the hub runs.
#   deploy/backup.sh <out-file>
# Reads the same variables as the hub: DATABASE_URL (PostgreSQL: pg_dump, custom format) or
# else SQLITE_FILE (default ./data/dtx.sqlite: SQLite's online backup, consistent even while
# the hub writes). Restore with deploy/restore.sh. Under docker compose, see the README.
set -euo pipefail
out=${1:?usage: deploy/backup.sh <out-file>}
out=$(realpath -m "$out")
if [ -n "${DATABASE_URL:-}" ]; then
  pg_dump --format=custom --no-owner --no-privileges --dbname="$DATABASE_URL" --file="$out"
else
  db=$(realpath -m "${SQLITE_FILE:-./data/dtx.sqlite}")
  [ -f "$db" ] || { echo "no SQLite database at $db" >&2; exit 1; }
  # better-sqlite3 (a dependency of the hub) rather than the sqlite3 CLI, which may be missing.
  cd "$(dirname "${BASH_SOURCE[0]}")/.."
  node -e '
    const Database = require("better-sqlite3");
    const db = new Database(process.argv[1], { readonly: true, fileMustExist: true });
    db.backup(process.argv[2]).then(() => db.close(), (err) => { console.error(err.message); process.exit(1); });
  ' "$db" "$out"
fi
echo "backed up to $out"
