import assert from "node:assert/strict";
import { before, it } from "node:test";
import type { Database } from "../../../src/infra/db/database.ts";
import { type JobRecord, JobRepository, unitId } from "../../../src/infra/db/job-repository.ts";
import { UnitRepository } from "../../../src/infra/db/unit-repository.ts";
import { forEachDatabase } from "../../helpers/databases.ts";
import { registeredNode, sampleJob } from "../../helpers/store-fixtures.ts";

forEachDatabase("JobRepository", (open) => {
  let db: Database;
  let jobs: JobRepository;
  before(async () => {
    db = await open();
    jobs = new JobRepository(db);
  });

  it("stores a job with its units, in order", async () => {
    const job = sampleJob({ units: 4, priority: 2 });
    const { job: stored, created } = await jobs.createJob(job);
    assert.equal(created, true);
    assert.equal(stored.status, "queued");
    assert.equal(stored.unitCount, 4);
    assert.equal(stored.priority, 2);
    assert.deepEqual(stored.spec, job.spec);
    assert.equal(stored.bestScore, null);
    const units = await new UnitRepository(db).unitsOfJob(job.id);
    assert.deepEqual(
      units.map((u) => [u.id, u.position, u.seed, u.steps, u.priority, u.status]),
      job.units.map((u, i) => [unitId(job.id, i), i, u.seed, u.steps, 2, "queued"]),
    );
  });

  it("stores the same job once: a second submission finds the first", async () => {
    const job = sampleJob();
    const first = await jobs.createJob(job);
    const second = await jobs.createJob({ ...job, name: "renamed" });
    assert.equal(second.created, false);
    assert.deepEqual(second.job, first.job);
    assert.equal((await new UnitRepository(db).unitsOfJob(job.id)).length, job.units.length);
  });

  it("lists newest first, filters, and pages with a cursor", async () => {
    const created: JobRecord[] = [];
    for (let i = 0; i < 5; i++) created.push((await jobs.createJob(sampleJob())).job);
    const all = await jobs.listJobs({ limit: 1000 });
    const ours = all.filter((j) => created.some((c) => c.id === j.id));
    assert.deepEqual(
      ours.map((j) => j.id),
      created.map((j) => j.id).reverse(),
    );
    const pages: string[] = [];
    let after: { createdAt: Date; id: string } | undefined;
    for (;;) {
      const page = await jobs.listJobs({ limit: 2, after });
      if (page.length === 0) break;
      pages.push(...page.map((j) => j.id));
      const last = page.at(-1) as (typeof page)[number];
      after = { createdAt: last.createdAt, id: last.id };
    }
    assert.deepEqual(
      pages,
      all.map((j) => j.id),
      "pages hold every job once, in order",
    );
    const cancelled = created[0] as (typeof created)[number];
    await jobs.cancelJob(cancelled.id);
    const onlyCancelled = await jobs.listJobs({ status: "cancelled", limit: 1000 });
    assert.ok(onlyCancelled.some((j) => j.id === cancelled.id));
    assert.ok(onlyCancelled.every((j) => j.status === "cancelled"));
  });

  it("cancels a job: its queued and leased units stop, the leased ones are reported", async () => {
    const job = sampleJob({ units: 3, priority: 100 });
    await jobs.createJob(job);
    const node = await registeredNode(db);
    const leased = await new UnitRepository(db).leaseUnits(node, 2, 60);
    assert.ok(leased.every((u) => u.jobId === job.id));
    const aborted = await jobs.cancelJob(job.id);
    assert.deepEqual(aborted?.map((a) => a.unitId).sort(), leased.map((u) => u.id).sort());
    assert.ok(aborted?.every((a) => a.nodeId === node));
    assert.deepEqual(await jobs.unitCounts(job.id), {
      queued: 0,
      leased: 0,
      done: 0,
      failed: 0,
      cancelled: 3,
    });
    const stored = await jobs.getJob(job.id);
    assert.equal(stored?.status, "cancelled");
    assert.ok(stored?.finishedAt);
    assert.equal(await jobs.cancelJob(job.id), null, "a finished job cannot be cancelled again");
    assert.equal(await jobs.cancelJob("f".repeat(64)), null);
  });

  it("refuses a job id that is not a SHA-256", async () => {
    await assert.rejects(jobs.createJob({ ...sampleJob(), id: "not-a-hash" }));
  });
});
