import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { startDailySnapshots } from "../../src/cli/daily-snapshots.ts";

const DAY_MS = 86_400_000;
const dayBefore = (days: number) => new Date(Date.now() - days * DAY_MS).toISOString().slice(0, 10);

/** One pass of up's daily backups on `folder`; resolves with the files it wrote. */
async function onePass(folder: string, snapshot: () => Promise<Uint8Array>): Promise<string[]> {
  const written: string[] = [];
  let failure: Error | undefined;
  const stop = startDailySnapshots(folder, snapshot, {
    written: (file) => written.push(file),
    failed: (error) => {
      failure = error;
    },
  });
  await stop();
  if (failure) throw failure;
  return written;
}

describe("up's daily backups", () => {
  it("writes today's backup once, and prunes the older ones by the retention rule only", async () => {
    const folder = mkdtempSync(join(tmpdir(), "keyforge-daily-"));
    for (let days = 1; days <= 60; days++) {
      writeFileSync(join(folder, `${dayBefore(days)}.keyforge-backup`), "old");
    }
    writeFileSync(join(folder, "before-the-upgrade.keyforge-backup"), "kept by hand");
    let taken = 0;
    const snapshot = async () => {
      taken++;
      return new TextEncoder().encode("today");
    };

    const today = join(folder, `${dayBefore(0)}.keyforge-backup`);
    assert.deepEqual(await onePass(folder, snapshot), [today]);
    assert.equal(readFileSync(today, "utf8"), "today");
    const files = readdirSync(folder);
    assert.ok(files.includes("before-the-upgrade.keyforge-backup"), "another name is not pruned");
    const daily = files.filter((name) => /^\d{4}-\d{2}-\d{2}\.keyforge-backup$/.test(name));
    // 14 days, and the 8 newest weeks' newest of those weeks the 14 days do not reach: the 14
    // days span two ISO weeks when today is a Sunday, else three.
    assert.ok(daily.length >= 19 && daily.length <= 20, `${daily.length} kept`);
    for (let days = 0; days < 14; days++) {
      assert.ok(daily.includes(`${dayBefore(days)}.keyforge-backup`), `${dayBefore(days)} kept`);
    }

    assert.deepEqual(await onePass(folder, snapshot), [], "today's backup is there");
    assert.equal(taken, 1);
  });
});
