/** How many backups a retention keeps: the newest of so many days, and of so many weeks. */
export interface RetentionRule {
  readonly daily: number;
  readonly weekly: number;
}

/** Two weeks of daily backups, then one a week for two months. */
export const DEFAULT_RETENTION: RetentionRule = { daily: 14, weekly: 8 };

const DAY_MS = 86_400_000;

/** The UTC day of `time`, as YYYY-MM-DD. */
function dayOf(time: Date): string {
  return time.toISOString().slice(0, 10);
}

/** The Monday (UTC) that starts the ISO week of `time`, as YYYY-MM-DD. */
function weekOf(time: Date): string {
  const daysSinceMonday = (time.getUTCDay() + 6) % 7;
  return dayOf(new Date(time.getTime() - daysSinceMonday * DAY_MS));
}

/** The newest item of each of the `count` newest periods, `period` naming an item's period. */
function newestPerPeriod<T extends { readonly takenAt: Date }>(
  newestFirst: readonly T[],
  period: (time: Date) => string,
  count: number,
): T[] {
  const seen = new Set<string>();
  const kept: T[] = [];
  for (const item of newestFirst) {
    const key = period(item.takenAt);
    if (seen.has(key)) continue;
    if (seen.size === count) break;
    seen.add(key);
    kept.push(item);
  }
  return kept;
}

/**
 * The backups the rule lets go: a backup stays when it is the newest of its day among the
 * `daily` newest days that have one, or the newest of its week among the `weekly` newest weeks
 * that have one. Days and weeks without a backup do not count, so a machine that was off for
 * a month keeps its older backups rather than losing all of them.
 */
export function backupsToRemove<T extends { readonly takenAt: Date }>(
  backups: readonly T[],
  rule: RetentionRule = DEFAULT_RETENTION,
): T[] {
  const newestFirst = [...backups].sort((a, b) => b.takenAt.getTime() - a.takenAt.getTime());
  const kept = new Set([
    ...newestPerPeriod(newestFirst, dayOf, rule.daily),
    ...newestPerPeriod(newestFirst, weekOf, rule.weekly),
  ]);
  return newestFirst.filter((backup) => !kept.has(backup));
}
