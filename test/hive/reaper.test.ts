import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { Reaper } from "../../src/hive/reaper.ts";
import { UnitRepository } from "../../src/infra/db/unit-repository.ts";
import { startHive, type TestHive } from "../helpers/hive.ts";
import { leasedJob, registerAgent } from "../helpers/hive-agent.ts";

for (const stack of ["embedded", "server"] as const) {
  describe(`reaper (${stack === "server" ? "PostgreSQL + Redis" : "PGlite + in-memory"})`, () => {
    let hive: TestHive;
    before(async () => {
      hive = await startHive(stack);
    });
    after(() => hive.close());
    const expireLeases = (jobId: string) =>
      hive.db.query(
        "UPDATE units SET lease_expires_at = now() - interval '1 second' WHERE job_id = $1 AND status = 'leased'",
        [jobId],
      );

    it("requeues the units of a silent agent, keeps those still reported, fails poison units", async () => {
      const agent = await registerAgent(hive.app);
      const { job, units } = await leasedJob(hive.app, hive.auth.alice, agent, 2, 1);
      const [reported, silent] = units as [(typeof units)[number], (typeof units)[number]];
      const beat = await hive.app.inject({
        method: "POST",
        url: `/nodes/${agent.nodeId}/heartbeat`,
        headers: agent.headers,
        payload: { telemetry: { ips: 1000, units: [{ unitId: reported.unitId, bestScore: 1 }] } },
      });
      assert.equal(beat.statusCode, 200);
      const reaper = new Reaper({
        db: hive.db,
        coordinator: hive.coordinator,
        log: () => {},
        maxAttempts: 2,
      });
      await expireLeases(job.id);
      const first = await reaper.runOnce();
      assert.deepEqual(first.extended, [reported.unitId]);
      assert.deepEqual(first.requeued, [silent.unitId]);
      const repository = new UnitRepository(hive.db);
      assert.equal((await repository.getUnit(silent.unitId))?.status, "queued");

      // The unit goes to an agent again, and expires again: it fails, with the reason kept.
      const again = await registerAgent(hive.app);
      const leased = await repository.leaseUnits(again.nodeId, 10, 60);
      assert.ok(leased.some((u) => u.id === silent.unitId));
      await expireLeases(job.id);
      const second = await reaper.runOnce();
      assert.ok(second.failed.includes(silent.unitId));
      const failed = await repository.getUnit(silent.unitId);
      assert.equal(failed?.status, "failed");
      assert.match(failed?.lastError ?? "", /failed after 2 attempts/);
    });

    it("lets empty heartbeats keep no lease: a unit its node does not report goes back", async () => {
      const agent = await registerAgent(hive.app);
      const { job, units } = await leasedJob(hive.app, hive.auth.alice, agent, 2, 2);
      const [reported, hoarded] = units as [(typeof units)[number], (typeof units)[number]];
      const beat = (unitIds: string[]) =>
        hive.app.inject({
          method: "POST",
          url: `/nodes/${agent.nodeId}/heartbeat`,
          headers: agent.headers,
          payload: { telemetry: { ips: 0, units: unitIds.map((unitId) => ({ unitId })) } },
        });
      assert.equal((await beat([])).statusCode, 200);
      // Leased a minute ago, well before their deadlines, by a node that heartbeats.
      await hive.db.query(
        "UPDATE units SET leased_at = now() - interval '1 minute' WHERE job_id = $1",
        [job.id],
      );
      const reaper = new Reaper({ db: hive.db, coordinator: hive.coordinator, log: () => {} });
      assert.deepEqual(
        (await reaper.runOnce()).requeued.filter((id) => id.startsWith(job.id)).sort(),
        [reported.unitId, hoarded.unitId].sort(),
        "an empty heartbeat keeps nothing",
      );
      const repository = new UnitRepository(hive.db);
      const [again] = await repository.leaseUnits(agent.nodeId, 1, 3600);
      assert.equal(again?.id, reported.unitId);
      await hive.db.query(
        "UPDATE units SET leased_at = now() - interval '1 minute' WHERE id = $1",
        [again.id],
      );
      assert.equal((await beat([again.id])).statusCode, 200);
      assert.ok(!(await reaper.runOnce()).requeued.includes(again.id), "a reported unit stays");
      assert.equal((await repository.getUnit(again.id))?.status, "leased");
    });
  });
}
