import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { ResultOutbox } from "../../src/agent/result-outbox.ts";

const unit = (position: number) => `${"a".repeat(64)}.${position}`;

function submission(score: number) {
  return {
    layout: "q w e r t",
    score,
    steps: 1000,
    durationMs: 10,
    nonce: "n".repeat(22),
    timestamp: new Date(0).toISOString(),
    signature: "s".repeat(86),
  };
}

const outboxIn = () => new ResultOutbox(mkdtempSync(join(tmpdir(), "keyforge-outbox-")));

describe("result outbox", () => {
  it("keeps results across restarts until they are acknowledged", async () => {
    const outbox = outboxIn();
    await outbox.put({ unitId: unit(2), submission: submission(2) });
    await outbox.put({ unitId: unit(1), submission: submission(1) });
    await outbox.put({ unitId: unit(1), submission: submission(0.5) });
    const restarted = new ResultOutbox(join(outbox.folder, ".."));
    assert.deepEqual(await restarted.pending(), [
      { unitId: unit(1), submission: submission(0.5) },
      { unitId: unit(2), submission: submission(2) },
    ]);
    await restarted.acknowledge(unit(1));
    assert.deepEqual(
      (await restarted.pending()).map((e) => e.unitId),
      [unit(2)],
    );
    assert.deepEqual(readdirSync(outbox.folder), [`${unit(2)}.json`], "no partial files left");
  });

  it("moves a refused result, and an unreadable file, to the dead letters with the reason", async () => {
    const outbox = outboxIn();
    await outbox.put({ unitId: unit(3), submission: submission(3) });
    await outbox.deadLetter(unit(3), "422 RESULT_SCORE_MISMATCH: the layout scores 4");
    writeFileSync(join(outbox.folder, `${unit(4)}.json`), "{ half a write");
    assert.deepEqual(await outbox.pending(), []);
    const letters = readdirSync(outbox.deadLetterFolder).sort();
    assert.deepEqual(letters, [`${unit(3)}.json`, `${unit(4)}.json`]);
    const refused = JSON.parse(
      readFileSync(join(outbox.deadLetterFolder, letters[0] ?? ""), "utf8"),
    );
    assert.equal(refused.reason, "422 RESULT_SCORE_MISMATCH: the layout scores 4");
    assert.equal(refused.content.submission.score, 3);
    const unreadable = JSON.parse(
      readFileSync(join(outbox.deadLetterFolder, letters[1] ?? ""), "utf8"),
    );
    assert.match(unreadable.reason, /^unreadable/);
  });

  it("skips a result acknowledged while the outbox is being read, not a dead letter", async () => {
    const outbox = outboxIn();
    const units = Array.from({ length: 50 }, (_, position) => unit(position));
    for (const unitId of units) await outbox.put({ unitId, submission: submission(1) });
    const reading = new ResultOutbox(join(outbox.folder, "..")).pending();
    await Promise.all(units.map((unitId) => outbox.acknowledge(unitId)));
    await reading;
    assert.deepEqual(await outbox.pending(), []);
    assert.equal(existsSync(outbox.deadLetterFolder), false);
  });

  it("refuses a unit id that is not one (no path tricks)", async () => {
    await assert.rejects(
      outboxIn().put({ unitId: "../../etc/passwd", submission: submission(1) }),
      (error: unknown) => (error as { code?: string }).code === "UNIT_ID_INVALID",
    );
  });
});
