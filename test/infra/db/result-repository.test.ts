import assert from "node:assert/strict";
import { before, it } from "node:test";
import { KeyForgeError } from "../../../src/core/errors.ts";
import type { Database } from "../../../src/infra/db/database.ts";
import { JobRepository } from "../../../src/infra/db/job-repository.ts";
import { NodeRepository } from "../../../src/infra/db/node-repository.ts";
import { type NewResult, ResultRepository } from "../../../src/infra/db/result-repository.ts";
import { type UnitRecord, UnitRepository } from "../../../src/infra/db/unit-repository.ts";
import { forEachDatabase } from "../../helpers/databases.ts";
import { registeredNode, sampleJob } from "../../helpers/store-fixtures.ts";

function resultFor(unit: UnitRecord, nodeId: string, score: number): NewResult {
  return {
    unitId: unit.id,
    nodeId,
    layout: "q w e r t\na s d f g",
    score,
    steps: unit.steps,
    durationMs: 1234,
    nonce: `nonce-${unit.id}`,
    signature: "c2lnbmF0dXJl",
  };
}

function rejectsWith(code: string) {
  return (error: unknown) => error instanceof KeyForgeError && error.code === code;
}

forEachDatabase("ResultRepository", (open) => {
  let db: Database;
  let jobs: JobRepository;
  let units: UnitRepository;
  let results: ResultRepository;
  before(async () => {
    db = await open();
    jobs = new JobRepository(db);
    units = new UnitRepository(db);
    results = new ResultRepository(db);
  });

  /** A new job of `count` units, all leased to a new node (highest priority, so ours). */
  async function leasedJob(count: number) {
    const job = sampleJob({ units: count, priority: 1_000_000 });
    await jobs.createJob(job);
    const node = await registeredNode(db);
    const leased = await units.leaseUnits(node, count, 60);
    assert.equal(leased.length, count);
    return { job, node, leased };
  }

  it("accepts a result once, moves the job's best, and completes the job with its last unit", async () => {
    const { job, node, leased } = await leasedJob(3);
    const [a, b, c] = leased as [UnitRecord, UnitRecord, UnitRecord];
    const first = await results.acceptResult(resultFor(a, node, 12.5));
    assert.equal(first.created, true);
    assert.equal(first.newBest, true);
    assert.equal(first.jobFinished, null);
    assert.equal((await units.getUnit(a.id))?.status, "done");
    const worse = await results.acceptResult(resultFor(b, node, 13));
    assert.equal(worse.newBest, false);
    const better = await results.acceptResult(resultFor(c, node, 11));
    assert.equal(better.newBest, true);
    assert.equal(better.jobFinished, "completed");
    const stored = await jobs.getJob(job.id);
    assert.equal(stored?.status, "completed");
    assert.equal(stored?.bestScore, 11);
    assert.equal(stored?.bestResultId, better.result.id);
    assert.deepEqual(
      (await results.bestResults(job.id, 2)).map((r) => r.score),
      [11, 12.5],
    );
  });

  it("answers a retry with the stored acceptance instead of a duplicate", async () => {
    const { node, leased } = await leasedJob(2);
    const unit = leased[0] as UnitRecord;
    const first = await results.acceptResult(resultFor(unit, node, 10));
    const retry = await results.acceptResult(resultFor(unit, node, 10));
    assert.equal(retry.created, false);
    assert.deepEqual(retry.result, first.result);
    const other = await registeredNode(db);
    await assert.rejects(
      results.acceptResult(resultFor(unit, other, 9)),
      rejectsWith("RESULT_ALREADY_ACCEPTED"),
    );
  });

  it("stores one result when the same submission arrives many times at once", async () => {
    const { node, leased } = await leasedJob(1);
    const unit = leased[0] as UnitRecord;
    const outcomes = await Promise.all(
      Array.from({ length: 8 }, () => results.acceptResult(resultFor(unit, node, 7))),
    );
    assert.equal(outcomes.filter((o) => o.created).length, 1);
    assert.equal(new Set(outcomes.map((o) => o.result.id)).size, 1);
    const { rows } = await db.query<{ count: string }>(
      "SELECT count(*) AS count FROM results WHERE unit_id = $1",
      [unit.id],
    );
    assert.equal(Number(rows[0]?.count), 1);
  });

  it("completes the job when its last units are accepted at the same moment", async () => {
    for (let round = 0; round < 5; round++) {
      const { job, node, leased } = await leasedJob(6);
      await Promise.all(leased.map((unit, i) => results.acceptResult(resultFor(unit, node, i))));
      assert.equal((await jobs.getJob(job.id))?.status, "completed", `round ${round}`);
    }
  });

  it("accepts a batch in one call, each result with its own outcome", async () => {
    const { job, node, leased } = await leasedJob(3);
    const [a, b, c] = leased as [UnitRecord, UnitRecord, UnitRecord];
    const first = await results.acceptResult(resultFor(a, node, 9));
    const stranger = await registeredNode(db);
    const outcomes = await results.acceptResults([
      resultFor(a, node, 9),
      resultFor(b, node, 8),
      resultFor(c, stranger, 1),
      { ...resultFor(c, node, 2), unitId: "nope" },
      resultFor(c, node, 7),
    ]);
    const [repeated, better, notHeld, missing, last] = outcomes;
    assert.deepEqual(
      repeated && !(repeated instanceof KeyForgeError) && [repeated.created, repeated.result.id],
      [false, first.result.id],
    );
    assert.ok(better && !(better instanceof KeyForgeError) && better.created && better.newBest);
    assert.ok(rejectsWith("LEASE_NOT_HELD")(notHeld));
    assert.ok(rejectsWith("UNIT_NOT_FOUND")(missing));
    assert.ok(last && !(last instanceof KeyForgeError));
    assert.deepEqual([last.newBest, last.jobFinished], [true, "completed"]);
    assert.equal(better.jobFinished, null, "the job finished with the batch's last result");
    const stored = await jobs.getJob(job.id);
    assert.deepEqual([stored?.status, stored?.bestResultId], ["completed", last.result.id]);
  });

  it("refuses results for units the node does not hold", async () => {
    const { job, node, leased } = await leasedJob(2);
    const stranger = await registeredNode(db);
    const unit = leased[0] as UnitRecord;
    await assert.rejects(
      results.acceptResult(resultFor(unit, stranger, 5)),
      rejectsWith("LEASE_NOT_HELD"),
    );
    await jobs.cancelJob(job.id);
    await assert.rejects(
      results.acceptResult(resultFor(leased[1] as UnitRecord, node, 5)),
      (error: unknown) => rejectsWith("LEASE_NOT_HELD")(error) && /cancelled/.test(String(error)),
    );
    await assert.rejects(
      results.acceptResult({ ...resultFor(unit, node, 5), unitId: "nope" }),
      rejectsWith("UNIT_NOT_FOUND"),
    );
  });

  it("keeps results when their node is removed, even when its row is deleted", async () => {
    const { job, node, leased } = await leasedJob(1);
    const accepted = await results.acceptResult(resultFor(leased[0] as UnitRecord, node, 3));
    assert.equal(await new NodeRepository(db).removeNode(node), true);
    assert.equal((await results.resultOfUnit(accepted.result.unitId))?.nodeId, node);
    await db.query("DELETE FROM nodes WHERE id = $1", [node]);
    const kept = await results.resultOfUnit(accepted.result.unitId);
    assert.equal(kept?.id, accepted.result.id);
    assert.equal(kept?.nodeId, null);
    assert.equal((await jobs.getJob(job.id))?.bestResultId, accepted.result.id);
  });
});
