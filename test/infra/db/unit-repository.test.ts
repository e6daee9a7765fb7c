import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import type { Database } from "../../../src/infra/db/database.ts";
import { JobRepository } from "../../../src/infra/db/job-repository.ts";
import { UnitRepository } from "../../../src/infra/db/unit-repository.ts";
import { forEachDatabase, freshPostgres } from "../../helpers/databases.ts";
import { leaseConcurrently, registeredNode, sampleJob } from "../../helpers/store-fixtures.ts";

/** Leases every queued unit of `db` with one call, so each test starts from an empty queue. */
async function drainQueue(db: Database): Promise<void> {
  const node = await registeredNode(db);
  await new UnitRepository(db).leaseUnits(node, 1_000_000, 3600);
}

forEachDatabase("UnitRepository", (open) => {
  let db: Database;
  let jobs: JobRepository;
  let units: UnitRepository;
  before(async () => {
    db = await open();
    jobs = new JobRepository(db);
    units = new UnitRepository(db);
  });

  it("leases the best priority first, then the oldest job, in unit order", async () => {
    await drainQueue(db);
    const low = sampleJob({ units: 2, priority: 0 });
    const high = sampleJob({ units: 2, priority: 5 });
    const later = sampleJob({ units: 1, priority: 5 });
    for (const job of [low, high, later]) await jobs.createJob(job);
    const node = await registeredNode(db);
    const leased = await units.leaseUnits(node, 4, 60);
    assert.deepEqual(
      leased.map((u) => [u.jobId, u.position]),
      [
        [high.id, 0],
        [high.id, 1],
        [later.id, 0],
        [low.id, 0],
      ],
    );
    for (const unit of leased) {
      assert.equal(unit.status, "leased");
      assert.equal(unit.nodeId, node);
      assert.equal(unit.attempts, 1);
      const seconds =
        ((unit.leaseExpiresAt?.getTime() ?? 0) - (unit.leasedAt?.getTime() ?? 0)) / 1000;
      assert.equal(seconds, 60);
    }
    assert.equal((await jobs.getJob(high.id))?.status, "running");
    assert.deepEqual(
      (await units.leaseUnits(node, 10, 60)).map((u) => [u.jobId, u.position]),
      [[low.id, 1]],
    );
    assert.deepEqual(await units.leaseUnits(node, 10, 60), [], "the queue is empty");
  });

  it("takes a released unit back without counting the attempt", async () => {
    await drainQueue(db);
    const job = sampleJob({ units: 1 });
    await jobs.createJob(job);
    const [node, other] = [await registeredNode(db), await registeredNode(db)];
    const [unit] = await units.leaseUnits(node, 1, 60);
    assert.ok(unit);
    assert.equal(await units.releaseUnit(unit.id, other), null, "only the holder releases");
    assert.deepEqual(await units.releaseUnit(unit.id, node), {
      outcome: "requeued",
      finishedJob: null,
    });
    const again = await units.getUnit(unit.id);
    assert.equal(again?.status, "queued");
    assert.equal(again?.attempts, 0);
    const [released] = await units.leaseUnits(other, 1, 60);
    assert.equal(released?.id, unit.id);
  });

  it("reaps expired leases: extends running ones, requeues silent ones, fails poison units", async () => {
    await drainQueue(db);
    const job = sampleJob({ units: 2 });
    await jobs.createJob(job);
    const node = await registeredNode(db);
    const [running, silent] = await units.leaseUnits(node, 2, 0);
    assert.ok(running && silent);
    const reap = () =>
      units.reapExpiredLeases({
        isStillRunning: (unit) => unit.id === running.id,
        extendSeconds: 120,
        maxAttempts: 2,
        limit: 100,
        reported: null,
        silentAfterSeconds: 30,
      });
    const first = await reap();
    assert.deepEqual(first, {
      extended: [running.id],
      requeued: [silent.id],
      failed: [],
      finishedJobs: [],
    });
    assert.equal((await units.getUnit(running.id))?.status, "leased");
    const requeued = await units.getUnit(silent.id);
    assert.equal(requeued?.status, "queued");
    assert.match(requeued?.lastError ?? "", /lease expired/);

    const [second] = await units.leaseUnits(node, 1, 0);
    assert.equal(second?.id, silent.id);
    const last = await reap();
    assert.deepEqual(last.failed, [silent.id], "failed after its second expired lease");
    const failed = await units.getUnit(silent.id);
    assert.equal(failed?.status, "failed");
    assert.match(failed?.lastError ?? "", /failed after 2 attempts/);
    assert.equal((await jobs.getJob(job.id))?.status, "running", "one unit still runs");
  });

  it("takes back before their deadlines the units a node no longer reports, or a silent node's", async () => {
    await drainQueue(db);
    const job = sampleJob({ units: 4 });
    await jobs.createJob(job);
    const [dead, live, newcomer] = [
      await registeredNode(db),
      await registeredNode(db),
      await registeredNode(db),
    ];
    const [ofDead] = await units.leaseUnits(dead, 1, 3600);
    const [ofLive, dropped] = await units.leaseUnits(live, 2, 3600);
    const [ofNewcomer] = await units.leaseUnits(newcomer, 1, 3600);
    assert.ok(ofDead && ofLive && dropped && ofNewcomer);
    // The newcomer has not heartbeated yet, but its lease is younger than the silence allowed.
    await db.query(
      "UPDATE units SET leased_at = now() - interval '1 minute' WHERE id = ANY($1::text[])",
      [[ofDead.id, ofLive.id, dropped.id]],
    );
    const reap = (reported: Map<string, Set<string>> | null) =>
      units.reapExpiredLeases({
        isStillRunning: () => false,
        extendSeconds: 120,
        maxAttempts: 3,
        limit: 100,
        reported,
        silentAfterSeconds: 30,
      });
    const ours = (ids: readonly string[]) => ids.filter((id) => id.startsWith(job.id));
    assert.deepEqual(ours((await reap(null)).requeued), [], "nobody can tell while Valkey is down");
    // The live node heartbeats with one of its units; the other unit's id is reported by
    // another node, which does not make it that node's.
    const report = await reap(
      new Map([
        [live, new Set([ofLive.id])],
        [newcomer, new Set([dropped.id])],
      ]),
    );
    assert.deepEqual(ours(report.requeued).sort(), [ofDead.id, dropped.id].sort());
    const requeued = await units.getUnit(ofDead.id);
    assert.equal(requeued?.status, "queued");
    assert.match(requeued?.lastError ?? "", /stopped heartbeating/);
    assert.match((await units.getUnit(dropped.id))?.lastError ?? "", /no longer reports it/);
    assert.equal((await units.getUnit(ofLive.id))?.status, "leased");
    assert.equal((await units.getUnit(ofNewcomer.id))?.status, "leased");
  });

  it("leases a node no more units than it may hold, nor for longer than the longest lease", async () => {
    await drainQueue(db);
    await jobs.createJob(sampleJob({ units: 4 }));
    const node = await registeredNode(db);
    const limits = { stepsPerSecond: 1, maxSeconds: 600, maxHeld: 3 };
    const first = await units.leaseUnits(node, 2, 60, limits);
    assert.equal(first.length, 2);
    for (const unit of first) {
      const seconds =
        ((unit.leaseExpiresAt?.getTime() ?? 0) - (unit.leasedAt?.getTime() ?? 0)) / 1000;
      assert.equal(seconds, 600);
    }
    assert.equal((await units.leaseUnits(node, 2, 60, limits)).length, 1);
    assert.deepEqual(await units.leaseUnits(node, 2, 60, limits), []);
    assert.equal((await units.leaseUnits(await registeredNode(db), 2, 60, limits)).length, 1);
  });

  it("holds a node to what it may hold when its lease requests come at once", async () => {
    await drainQueue(db);
    await jobs.createJob(sampleJob({ units: 12 }));
    const node = await registeredNode(db);
    const limits = { maxHeld: 3 };
    const leased = await Promise.all(
      Array.from({ length: 4 }, () => units.leaseUnits(node, 2, 60, limits)),
    );
    assert.equal(leased.flat().length, 3);
  });

  it("fails the last unit of a job for good, and the job with it", async () => {
    await drainQueue(db);
    const job = sampleJob({ units: 1 });
    await jobs.createJob(job);
    const node = await registeredNode(db);
    const [unit] = await units.leaseUnits(node, 1, 60);
    assert.ok(unit);
    assert.deepEqual(await units.failUnit(unit.id, node, "worker crashed", 1), {
      outcome: "failed",
      finishedJob: { jobId: job.id, status: "failed" },
    });
    assert.equal(await units.failUnit(unit.id, node, "again", 1), null, "no longer held");
    assert.equal((await units.getUnit(unit.id))?.status, "failed");
    const stored = await jobs.getJob(job.id);
    assert.equal(stored?.status, "failed");
  });

  it("never hands one unit to two concurrent leasers", async () => {
    await drainQueue(db);
    const job = sampleJob({ units: 120 });
    await jobs.createJob(job);
    const { leasedBy } = await leaseConcurrently(db, units, 6, 3);
    const all = leasedBy.flat();
    assert.equal(new Set(all).size, all.length, "no duplicates");
    assert.equal(all.length, 120, "every unit leased");
  });
});

describe("UnitRepository leasing on a real PostgreSQL, many connections at once", () => {
  it("gives every unit to exactly one of 16 concurrent leasers", async () => {
    const { db, drop } = await freshPostgres({ maxConnections: 16 });
    try {
      const job = sampleJob({ units: 600 });
      await new JobRepository(db).createJob(job);
      const { leasedBy } = await leaseConcurrently(db, new UnitRepository(db), 16, 2);
      const all = leasedBy.flat();
      assert.equal(new Set(all).size, 600, "no duplicates");
      assert.equal(all.length, 600, "every unit leased");
      const busy = leasedBy.filter((mine) => mine.length > 0).length;
      assert.ok(busy > 1, "several leasers got work");
      const { rows } = await db.query<{ count: string }>(
        "SELECT count(*) AS count FROM units WHERE status = 'leased' AND attempts = 1",
      );
      assert.equal(Number(rows[0]?.count), 600);
    } finally {
      await drop();
    }
  });
});
