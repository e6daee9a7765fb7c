#!/bin/sh
# The retention rule of the backups, on its own so it can be read and tested alone.
#
#   ls /backups | sh retention.sh       prints the backups to delete, one name a line
#
# Input: file names; only names keyforge-YYYYMMDDTHHMMSSZ.dump (UTC, as backup.sh writes them)
# count, any other line is ignored (never printed, so never deleted). A backup is kept when it is
#   - daily: the newest backup of its UTC calendar day, for the BACKUP_KEEP_DAILY (14) newest
#     days that have a backup, or
#   - weekly: the newest backup of its week (Monday to Sunday, UTC), for the BACKUP_KEEP_WEEKLY
#     (8) newest weeks that have a backup.
# Counting days and weeks that have a backup, not calendar days back from today, means backups
# that stopped for a while are never all deleted by the next run: the newest one is always kept.
# Every other backup is printed.
set -eu
daily=${BACKUP_KEEP_DAILY:-14}
weekly=${BACKUP_KEEP_WEEKLY:-8}
case $daily in '' | *[!0-9]* | 0) echo "retention: BACKUP_KEEP_DAILY must be a whole number of 1 or more (got '$daily')" >&2; exit 1 ;; esac
case $weekly in '' | *[!0-9]*) echo "retention: BACKUP_KEEP_WEEKLY must be a whole number (got '$weekly')" >&2; exit 1 ;; esac

grep -E '^keyforge-[0-9]{8}T[0-9]{6}Z\.dump$' | sort -r | awk -v daily="$daily" -v weekly="$weekly" '
  # Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant, days_from_civil).
  function days(y, m, d,   era, yoe, doy, doe) {
    y -= (m <= 2)
    era = int((y >= 0 ? y : y - 399) / 400)
    yoe = y - era * 400
    doy = int((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1
    doe = yoe * 365 + int(yoe / 4) - int(yoe / 100) + doy
    return era * 146097 + doe - 719468
  }
  {
    day = substr($0, 10, 8)
    # 1970-01-01 was a Thursday: +3 makes weeks start on Mondays.
    week = int((days(substr(day, 1, 4) + 0, substr(day, 5, 2) + 0, substr(day, 7, 2) + 0) + 3) / 7)
    keep = 0
    if (!(day in days_seen)) {
      days_seen[day] = 1
      if (days_kept < daily) { days_kept++; keep = 1 }
    }
    if (!(week in weeks_seen)) {
      weeks_seen[week] = 1
      if (weeks_kept < weekly) { weeks_kept++; keep = 1 }
    }
    if (!keep) print
  }'
