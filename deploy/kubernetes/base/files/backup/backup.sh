#!/bin/sh
# KeyForge's PostgreSQL backups (the compose stack's `backup` service, on postgres:16-alpine).
#
#   backup.sh --once     one backup now, then exit (0: written and verified)
#   backup.sh --daily    a backup at once when the last one is over a day old (or there is
#                        none), then one every day at BACKUP_AT, until stopped
#
# A backup is `pg_dump --format=custom` of the database (see connection.sh: DATABASE_URL,
# DATABASE_URL_FILE or PG* variables) into BACKUP_DIR, written as a hidden temporary file and
# renamed to keyforge-YYYYMMDDTHHMMSSZ.dump (UTC) only once verified: pg_restore --list reads
# it, it holds the schema_migrations table's data (it is a KeyForge database) and it is at
# least BACKUP_MIN_BYTES long. Then old backups are pruned (retention.sh: 14 daily, 8 weekly),
# BACKUP_AFTER_HOOK runs if set, and BACKUP_DIR/last-success records the backup (time, file,
# size, the hook's outcome) for healthcheck.sh.
#
# Settings (environment):
#   BACKUP_DIR           where the backups are (default /backups)
#   BACKUP_AT            the daily backup's time, HH:MM in UTC (default 03:00)
#   BACKUP_MIN_BYTES     the smallest size a dump may have (default 4096)
#   BACKUP_KEEP_DAILY, BACKUP_KEEP_WEEKLY   the retention (default 14 and 8; retention.sh)
#   BACKUP_AFTER_HOOK    a command line run after each verified backup, with the backup's path
#                        added as its last argument (and in BACKUP_FILE): the off-host copy,
#                        e.g. /srv/offsite/copy-backup.sh. It must end; a non-zero exit is
#                        logged, recorded, and makes the service unhealthy until the next backup.
set -eu
script_name=backup
here=$(cd "$(dirname "$0")" && pwd)
. "$here/connection.sh"

usage="usage: backup.sh --once | --daily"
[ $# -eq 1 ] || fail "$usage"
case $1 in --once | --daily) mode=$1 ;; -h | --help) echo "$usage"; exit 0 ;; *) fail "$usage" ;; esac

dir=$(backup_dir)
min_bytes=${BACKUP_MIN_BYTES:-4096}
at=${BACKUP_AT:-03:00}
case $min_bytes in '' | *[!0-9]*) fail "BACKUP_MIN_BYTES must be a whole number of bytes (got '$min_bytes')" ;; esac
echo "$at" | grep -Eq '^([01][0-9]|2[0-3]):[0-5][0-9]$' || fail "BACKUP_AT must be HH:MM in UTC, e.g. 03:00 (got '$at')"
[ -d "$dir" ] || fail "BACKUP_DIR $dir is not a folder"
[ -w "$dir" ] || fail "BACKUP_DIR $dir is not writable by $(id -un)"
use_database_setting
# Backups hold the whole database: readable by this user only.
umask 077

# Checks that the dump $1 can be restored from: readable by pg_restore, a KeyForge database, not
# suspiciously small. Prints why not and returns non-zero otherwise.
verify_dump() {
  if ! contents=$(pg_restore --list "$1"); then
    echo "backup: pg_restore --list cannot read the dump" >&2
    return 1
  fi
  if ! printf '%s\n' "$contents" | grep -Eq ' TABLE DATA [^ ]+ schema_migrations( |$)'; then
    echo "backup: the dump holds no schema_migrations data: $(describe_database) is not a KeyForge database" >&2
    return 1
  fi
  bytes=$(wc -c <"$1" | tr -d ' ')
  if [ "$bytes" -lt "$min_bytes" ]; then
    echo "backup: the dump has only $bytes bytes (BACKUP_MIN_BYTES is $min_bytes)" >&2
    return 1
  fi
}

# Writes BACKUP_DIR/last-success (through a temporary file: a reader never sees half of it).
record_success() {
  {
    echo "time=$(date -u +%Y-%m-%dT%H:%M:%SZ)"
    echo "epoch=$(date +%s)"
    echo "file=$1"
    echo "bytes=$2"
    echo "hook=$3"
  } >"$dir/.$LAST_SUCCESS.partial"
  mv "$dir/.$LAST_SUCCESS.partial" "$dir/$LAST_SUCCESS"
}

# Deletes the backups the retention rule no longer keeps.
prune() {
  ls "$dir" | sh "$here/retention.sh" | while IFS= read -r old; do
    rm -f "$dir/$old"
    log "deleted $old (retention: ${BACKUP_KEEP_DAILY:-14} daily, ${BACKUP_KEEP_WEEKLY:-8} weekly)"
  done
}

# One backup: dump, verify, rename, prune, hook, record. Returns 0 when done, 1 when no
# verified backup was written, 2 when it was but the hook failed. (Called in an `if`, where
# `set -e` does not apply: every step that matters is checked.)
take_backup() {
  started=$(date +%s)
  name="keyforge-$(date -u +%Y%m%dT%H%M%SZ).dump"
  partial="$dir/.$name.partial"
  # What an interrupted run (a crash, a kill) left.
  rm -f "$dir"/.keyforge-*.dump.partial
  log "dumping $(describe_database)"
  if ! pg_dump --format=custom --no-password --file="$partial"; then
    rm -f "$partial"
    echo "backup: pg_dump of $(describe_database) failed; no backup written" >&2
    return 1
  fi
  if ! verify_dump "$partial"; then
    rm -f "$partial"
    echo "backup: the dump failed verification; no backup written" >&2
    return 1
  fi
  mv "$partial" "$dir/$name" || {
    echo "backup: cannot rename the verified dump to $dir/$name" >&2
    return 1
  }
  bytes=$(wc -c <"$dir/$name" | tr -d ' ')
  log "wrote $dir/$name ($bytes bytes, verified) in $(($(date +%s) - started)) s"
  prune
  hook=none
  if [ -n "${BACKUP_AFTER_HOOK:-}" ]; then
    # The command line as given, with the backup's path added as its last argument.
    if BACKUP_FILE="$dir/$name" sh -c "$BACKUP_AFTER_HOOK \"\$1\"" backup-hook "$dir/$name"; then
      hook=ok
      log "BACKUP_AFTER_HOOK done for $name"
    else
      hook=failed
      echo "backup: BACKUP_AFTER_HOOK failed (exit $?) for $name" >&2
    fi
  fi
  record_success "$name" "$bytes" "$hook" || {
    echo "backup: cannot write $dir/$LAST_SUCCESS" >&2
    return 1
  }
  [ "$hook" != failed ] || return 2
}

# Seconds from now until the next $at (UTC); a whole day when it is that time now.
seconds_until_next() {
  set -- $(date -u '+%H %M %S')
  # ${n#0}: "08" is not an octal number to the shell.
  now_s=$((${1#0} * 3600 + ${2#0} * 60 + ${3#0}))
  hours=${at%%:*} minutes=${at#*:}
  at_s=$((${hours#0} * 3600 + ${minutes#0} * 60))
  wait_s=$(((at_s - now_s + 86400) % 86400))
  [ "$wait_s" -gt 0 ] || wait_s=86400
  echo "$wait_s"
}

# Seconds since the last verified backup; a very large number when there is none.
age_of_last_backup() {
  epoch=""
  [ ! -r "$dir/$LAST_SUCCESS" ] || epoch=$(last_success_field "$dir/$LAST_SUCCESS" epoch)
  case $epoch in '' | *[!0-9]*) echo 999999999 ;; *) echo $(($(date +%s) - epoch)) ;; esac
}

if [ "$mode" = --once ]; then
  take_backup
  exit
fi

# --daily: a loop of sleeps rather than crond: it runs as any user, keeps this environment
# (the secrets' file names), logs to the container's output, and stops at once on SIGTERM.
sleeper=""
trap '[ -z "$sleeper" ] || kill "$sleeper" 2>/dev/null; log "stopped"; exit 0' TERM INT
retry_s=${BACKUP_RETRY_SECONDS:-600}
due=0
[ "$(age_of_last_backup)" -lt 86400 ] || due=1
log "daily backups at $at UTC into $dir"
while :; do
  wait_s=$(seconds_until_next)
  if [ "$due" = 1 ]; then
    outcome=0
    take_backup || outcome=$?
    # A failed backup is tried again soon, not a day later; a failed off-host copy is not
    # (the backup itself is good; the healthcheck reports the copy until the next one).
    if [ "$outcome" = 1 ] && [ "$wait_s" -gt "$retry_s" ]; then
      wait_s=$retry_s
      log "trying again in $wait_s s"
    fi
  fi
  sleep "$wait_s" &
  sleeper=$!
  log "next backup in $wait_s s"
  wait "$sleeper" || true
  sleeper=""
  due=1
done
