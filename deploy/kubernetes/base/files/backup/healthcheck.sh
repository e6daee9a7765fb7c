#!/bin/sh
# The backup service's healthcheck: healthy while the last verified backup (BACKUP_DIR/
# last-success, written by backup.sh) is at most BACKUP_MAX_AGE_HOURS (26: a daily backup and
# two hours' slack) old, its file is still there with the recorded size, and its off-host copy
# (BACKUP_AFTER_HOOK) did not fail. Prints what it found; exit 1 when unhealthy.
set -eu
script_name=backup-health
here=$(cd "$(dirname "$0")" && pwd)
. "$here/connection.sh"

dir=$(backup_dir)
max_hours=${BACKUP_MAX_AGE_HOURS:-26}
case $max_hours in '' | *[!0-9]*) fail "BACKUP_MAX_AGE_HOURS must be a whole number of hours (got '$max_hours')" ;; esac
record="$dir/$LAST_SUCCESS"
[ -r "$record" ] || fail "no backup has succeeded yet ($record does not exist)"
epoch=$(last_success_field "$record" epoch)
name=$(last_success_field "$record" file)
bytes=$(last_success_field "$record" bytes)
hook=$(last_success_field "$record" hook)
case $epoch in '' | *[!0-9]*) fail "$record is damaged (no epoch=)" ;; esac
age=$(($(date +%s) - epoch))
[ "$age" -le $((max_hours * 3600)) ] ||
  fail "the last backup, $name, is $((age / 3600)) h old (more than BACKUP_MAX_AGE_HOURS=$max_hours): backups are failing"
[ -f "$dir/$name" ] || fail "the last backup, $name, is gone from $dir"
actual=$(wc -c <"$dir/$name" | tr -d ' ')
[ "$actual" = "$bytes" ] || fail "the last backup, $name, has $actual bytes, not the $bytes it was written with"
[ "$hook" != failed ] || fail "the off-host copy (BACKUP_AFTER_HOOK) of $name failed"
echo "backup ok: $name, $bytes bytes, $((age / 60)) min old"
