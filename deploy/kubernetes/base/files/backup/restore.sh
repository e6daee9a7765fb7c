#!/bin/sh
# Restores a backup made by backup.sh into the database (see connection.sh: DATABASE_URL,
# DATABASE_URL_FILE or PG* variables), following docs/operations/disaster-recovery.md.
#
#   restore.sh <dump-file | latest> [--force] [--migrations <folder>]
#
# `latest` is the last verified backup in BACKUP_DIR (its last-success file names it).
# Before it writes anything it checks:
#   - the dump is a pg_dump custom-format file of a KeyForge database (schema_migrations);
#   - its schema against this release's migrations (--migrations, else KEYFORGE_MIGRATIONS_DIR,
#     else migrations/ of the checkout this script is in): an older dump is fine (the hive
#     migrates it forward when it starts); a dump with migrations this release does not ship
#     (a newer release's, or rows written by hand) is refused: deploy that release first;
#   - the database is empty (no table in any schema): a non-empty one is refused unless
#     --force, which first drops the schemas the dump holds (with everything in them).
# The restore itself runs in one transaction (pg_restore --single-transaction): it either
# completes or leaves the database as it was before it.
set -eu
script_name=restore
here=$(cd "$(dirname "$0")" && pwd)
. "$here/connection.sh"

usage="usage: restore.sh <dump-file | latest> [--force] [--migrations <folder>]"
dump=""
force=0
migrations=${KEYFORGE_MIGRATIONS_DIR:-$here/../../migrations}
while [ $# -gt 0 ]; do
  case $1 in
    --force) force=1 ;;
    --migrations)
      [ $# -ge 2 ] || fail "--migrations needs a folder; $usage"
      migrations=$2
      shift
      ;;
    -h | --help) echo "$usage"; exit 0 ;;
    -*) fail "unknown option $1; $usage" ;;
    *)
      [ -z "$dump" ] || fail "one dump at a time; $usage"
      dump=$1
      ;;
  esac
  shift
done
[ -n "$dump" ] || fail "$usage"

if [ "$dump" = latest ]; then
  record="$(backup_dir)/$LAST_SUCCESS"
  [ -r "$record" ] || fail "no $record: no backup has succeeded in $(backup_dir) (set BACKUP_DIR, or name the dump file)"
  dump="$(backup_dir)/$(last_success_field "$record" file)"
fi
[ -f "$dump" ] && [ -r "$dump" ] || fail "$dump is not a readable file"
contents=$(pg_restore --list "$dump" 2>/dev/null) || fail "$dump is not a pg_dump custom-format file (pg_restore --list cannot read it)"
printf '%s\n' "$contents" | grep -Eq ' TABLE DATA [^ ]+ schema_migrations( |$)' ||
  fail "$dump holds no schema_migrations table: it is not a backup of a KeyForge database"

# --- The dump's schema against this release's migrations ----------------------------------
[ -d "$migrations" ] || fail "no migrations folder at $migrations: name this release's with --migrations (or KEYFORGE_MIGRATIONS_DIR) to check the dump against it"
shipped=$(ls "$migrations" | sed -n 's/^\([^.].*\)\.sql$/\1/p' | sort)
[ -n "$shipped" ] || fail "$migrations holds no migration (*.sql)"
# The names in the dump's schema_migrations rows: COPY ... (id, name, run_on) FROM stdin.
recorded=$(pg_restore --data-only --table=schema_migrations --file=- "$dump" | awk '
  /^COPY .*schema_migrations \(/ {
    inside = 1; column = 0
    header = $0; sub(/^[^(]*\(/, "", header); sub(/\).*$/, "", header)
    n = split(header, names, /, */)
    for (i = 1; i <= n; i++) if (names[i] == "name") column = i
    next
  }
  inside && $0 == "\\." { inside = 0; next }
  inside && column { split($0, fields, "\t"); print fields[column] }' | sort)
[ -n "$recorded" ] || fail "$dump records no migration: it is not a backup of a KeyForge database"
last_shipped=$(printf '%s\n' "$shipped" | tail -n 1)
last_recorded=$(printf '%s\n' "$recorded" | tail -n 1)
# The lines of $1 that are not lines of $2.
lines_not_in() {
  printf '%s\n' "$1" | OTHER="$2" awk 'BEGIN { n = split(ENVIRON["OTHER"], lines, "\n"); for (i = 1; i <= n; i++) other[lines[i]] = 1 } !($0 in other)'
}
unknown=$(lines_not_in "$recorded" "$shipped")
if [ -n "$unknown" ]; then
  newer=$(printf '%s\n' "$unknown" | awk -v last="$last_shipped" '$0 > last' | tr '\n' ' ')
  if [ -n "$newer" ]; then
    fail "$dump comes from a newer release: its schema has migration(s) ${newer}which this release (up to $last_shipped) does not ship. Deploy the release the backup was made with, or a newer one, and restore with its restore.sh"
  fi
  fail "$dump records migration(s) $(printf '%s\n' "$unknown" | tr '\n' ' ')that no release ships (written by hand?); not restoring it"
fi
gaps=$(lines_not_in "$shipped" "$recorded" | awk -v last="$last_recorded" '$0 < last' | tr '\n' ' ')
[ -z "$gaps" ] || fail "$dump skips migration(s) ${gaps}that come before its last one ($last_recorded): its schema is not one any release made"

use_database_setting
target=$(describe_database)
psql_query() {
  PGOPTIONS="${PGOPTIONS:-} -c client_min_messages=warning" \
    psql --no-psqlrc --no-password --quiet --tuples-only --no-align -v ON_ERROR_STOP=1 -c "$1"
}

# --- The database must be empty, unless --force --------------------------------------------
tables=$(psql_query "SELECT n.nspname || '.' || c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
  WHERE c.relkind IN ('r', 'p') AND n.nspname NOT IN ('pg_catalog', 'information_schema')
    AND n.nspname NOT LIKE 'pg\_toast%' AND n.nspname NOT LIKE 'pg\_temp%' ORDER BY 1") ||
  fail "cannot read the tables of $target (is it created, and is the server up?)"
if [ -n "$tables" ]; then
  count=$(printf '%s\n' "$tables" | wc -l | tr -d ' ')
  examples=$(printf '%s\n' "$tables" | head -n 5 | tr '\n' ' ')
  if [ "$force" = 0 ]; then
    fail "$target is not empty ($count tables: ${examples}...); restoring would overwrite it. Restore into a new, empty database (docs/operations/disaster-recovery.md), or pass --force to drop the schemas the backup holds, with everything in them, first"
  fi
  # The schemas the dump puts tables in; it creates those it has a SCHEMA entry for itself.
  schemas=$(printf '%s\n' "$contents" | awk '$4 == "TABLE" && $5 != "DATA" { print $5 }' | sort -u)
  for schema in $schemas; do
    log "--force: dropping schema $schema of $target, with everything in it"
    if printf '%s\n' "$contents" | awk -v s="$schema" '$4 == "SCHEMA" && $6 == s { found = 1 } END { exit !found }'; then
      psql_query "DROP SCHEMA IF EXISTS \"$schema\" CASCADE" >/dev/null
    else
      psql_query "DROP SCHEMA IF EXISTS \"$schema\" CASCADE; CREATE SCHEMA \"$schema\"" >/dev/null
    fi
  done
fi

# --- Restore -------------------------------------------------------------------------------
log "restoring $dump (schema at $last_recorded; this release ships up to $last_shipped) into $target"
started=$(date +%s)
# Objects belong to the role restoring them (the hive's), whoever owned them before.
pg_restore --no-password --single-transaction --exit-on-error --no-owner --no-privileges \
  --dbname="${PGDATABASE:-${PGUSER:-$(id -un)}}" "$dump" ||
  fail "pg_restore failed; nothing was restored (one transaction): $target is as it was before"
log "restored in $(($(date +%s) - started)) s"
if [ "$last_recorded" != "$last_shipped" ]; then
  log "the backup's schema is older than this release's: the hive migrates it forward (to $last_shipped) when it starts, or run keyforge migrate"
fi
log "next: start the stack (docs/operations/disaster-recovery.md); assetmgr publishes the assets again by itself"
