import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { backupsToRemove, DEFAULT_RETENTION } from "../../src/infra/backup-retention.ts";

const DAY_MS = 86_400_000;

/** One backup a day for `days` days, the last on 2026-12-06 (a Sunday), newest first. */
function dailyBackups(days: number) {
  const last = Date.parse("2026-12-06T03:00:00Z");
  return Array.from({ length: days }, (_, i) => ({
    name: new Date(last - i * DAY_MS).toISOString().slice(0, 10),
    takenAt: new Date(last - i * DAY_MS),
  }));
}

const names = (backups: readonly { name: string }[]) => backups.map((b) => b.name).sort();

describe("backup retention", () => {
  it("keeps everything while there are no more than 14 days of backups", () => {
    assert.deepEqual(backupsToRemove(dailyBackups(14)), []);
  });

  it("keeps the newest of each of 14 days and of each of 8 weeks, the two counted apart", () => {
    const backups = dailyBackups(120);
    const removed = new Set(names(backupsToRemove(backups)));
    const kept = names(backups.filter((b) => !removed.has(b.name)));
    assert.deepEqual(kept, [
      // Two of the 8 weeks are within the 14 days; the newest of each of the six before them (a
      // Sunday, the last day of an ISO week) stays too.
      "2026-10-18",
      "2026-10-25",
      "2026-11-01",
      "2026-11-08",
      "2026-11-15",
      "2026-11-22",
      ...names(dailyBackups(14)),
    ]);
    assert.equal(kept.length, 20);
  });

  it("counts days and weeks that have a backup, so a pause never empties the folder", () => {
    const backups = [
      { name: "a", takenAt: new Date("2025-01-01T00:00:00Z") },
      { name: "b", takenAt: new Date("2025-06-01T00:00:00Z") },
    ];
    assert.deepEqual(backupsToRemove(backups), []);
  });

  it("keeps the newest backup of a day that has several", () => {
    const backups = [
      { name: "morning", takenAt: new Date("2026-12-06T08:00:00Z") },
      { name: "evening", takenAt: new Date("2026-12-06T20:00:00Z") },
    ];
    assert.deepEqual(names(backupsToRemove(backups)), ["morning"]);
  });

  it("follows the rule it is given", () => {
    const removed = backupsToRemove(dailyBackups(10), { daily: 3, weekly: 0 });
    assert.equal(removed.length, 7);
    assert.deepEqual(DEFAULT_RETENTION, { daily: 14, weekly: 8 });
  });
});
