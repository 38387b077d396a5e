#!/usr/bin/env bash
# Restores a backup made by deploy/backup.sh. STOP EVERY HUB PROCESS FIRST, start them after.
#   deploy/restore.sh <backup-file>
# PostgreSQL (DATABASE_URL set): replaces the database's contents in one transaction.
# SQLite (SQLITE_FILE, default ./data/dtx.sqlite): checks the backup, keeps the current file
# as <file>.before-restore, puts the backup in its place.
# A backup from an older version is fine: the next start (or `npm run migrate`) applies the
# migrations added since.
set -euo pipefail
in=$(realpath "${1:?usage: deploy/restore.sh <backup-file>}")
if [ -n "${DATABASE_URL:-}" ]; then
  pg_restore --clean --if-exists --no-owner --no-privileges --single-transaction --dbname="$DATABASE_URL" "$in"
else
  db=$(realpath -m "${SQLITE_FILE:-./data/dtx.sqlite}")
  cd "$(dirname "${BASH_SOURCE[0]}")/.."
  node -e '
    const Database = require("better-sqlite3");
    const db = new Database(process.argv[1], { readonly: true, fileMustExist: true });
    const ok = db.pragma("integrity_check", { simple: true });
    if (ok !== "ok") { console.error("the backup is damaged: " + ok); process.exit(1); }
    db.close();
  ' "$in"
  mkdir -p "$(dirname "$db")"
  [ -f "$db" ] && mv -f "$db" "$db.before-restore"
  # The write-ahead log belongs to the file being replaced.
  rm -f "$db-wal" "$db-shm"
  cp "$in" "$db"
fi
echo "restored from $in"
