import assert from "node:assert/strict";
import { generateKeyPairSync } from "node:crypto";
import { after, before, describe, it } from "node:test";
import { SCORING_RULES } from "../../src/core/scoring/model.ts";
import { buildHive } from "../../src/hive/hive-app.ts";
import { LeaseService } from "../../src/hive/lease-service.ts";
import { WorkSignal } from "../../src/hive/work-signal.ts";
import type { CoordinatorEvent } from "../../src/infra/coord/coordinator.ts";
import { NodeRepository } from "../../src/infra/db/node-repository.ts";
import { UnitRepository } from "../../src/infra/db/unit-repository.ts";
import { jobEventSchema } from "../../src/protocol/job-events.ts";
import type { JobView } from "../../src/protocol/job-messages.ts";
import { leaseReplySchema, nodeRegisteredSchema } from "../../src/protocol/node-messages.ts";
import { eventually } from "../helpers/eventually.ts";
import { HIVE_SECRET, startHive, type TestHive } from "../helpers/hive.ts";
import { registerAgent } from "../helpers/hive-agent.ts";

for (const stack of ["embedded", "server"] as const) {
  describe(`hive leases API (${stack === "server" ? "PostgreSQL + Redis" : "PGlite + in-memory"})`, () => {
    let hive: TestHive;
    before(async () => {
      hive = await startHive(stack);
    });
    after(() => hive.close());

    const registered = (app = hive.app, options: Parameters<typeof registerAgent>[1] = {}) =>
      registerAgent(app, options);
    const lease = (
      node: { nodeId: string; headers: Record<string, string> },
      max: number,
      waitSeconds = 0,
      app = hive.app,
    ) =>
      app.inject({
        method: "POST",
        url: "/leases",
        headers: node.headers,
        payload: { nodeId: node.nodeId, max, waitSeconds, scoring: SCORING_RULES },
      });
    const submit = async (seed: number, units = 2, app = hive.app, stepsPerUnit = 500_000) => {
      const response = await app.inject({
        method: "POST",
        url: "/jobs",
        headers: hive.auth.alice,
        payload: {
          name: `lease ${seed}`,
          board: "corne",
          corpora: [{ id: "en" }],
          search: { units, stepsPerUnit, seed },
        },
      });
      assert.equal(response.statusCode, 201, response.body);
      return response.json() as JobView;
    };
    /** Takes every queued unit, so each test starts from an empty queue. */
    const drain = async () => {
      // A new sink each time: a node holds no more units than it has threads.
      while (leaseReplySchema.parse((await lease(await registered(), 64)).json()).units.length > 0);
    };

    it("leases nothing to a node that scores by older rules, and says to upgrade it", async () => {
      await drain();
      await submit(7);
      const node = await registered();
      for (const scoring of [undefined, SCORING_RULES - 1]) {
        const reply = await hive.app.inject({
          method: "POST",
          url: "/leases",
          headers: node.headers,
          payload: { nodeId: node.nodeId, max: 1, waitSeconds: 0, ...(scoring && { scoring }) },
        });
        assert.equal(reply.statusCode, 409, reply.body);
        assert.equal(reply.json().code, "NODE_SCORING_OUTDATED");
        assert.match(reply.json().message, /upgrade the agent to the hive's release/);
      }
      const leased = leaseReplySchema.parse((await lease(node, 1)).json());
      assert.equal(leased.units.length, 1, "the units wait for an agent of this release");
    });

    it("leases units with what an agent needs to run them", async () => {
      await drain();
      const job = await submit(1);
      const node = await registered(hive.app, { threads: 2 });
      const reply = leaseReplySchema.parse((await lease(node, 5)).json());
      assert.deepEqual(
        reply.units.map((u) => u.jobId),
        [job.id, job.id],
      );
      const [unit] = reply.units;
      assert.ok(unit);
      assert.deepEqual(unit.content, job.content);
      assert.equal(unit.steps, 500_000);
      assert.deepEqual(unit.startLayouts, []);
      // 120 s of grace plus three times 500,000 steps at 50,000 steps/s per thread (2 threads).
      const seconds = (Date.parse(unit.leaseExpiresAt) - Date.now()) / 1000;
      assert.ok(seconds > 140 && seconds <= 150, `lease of ${seconds} s`);
      assert.equal(
        (await hive.app.inject({ method: "GET", url: `/jobs/${job.id}` })).json().status,
        "running",
      );
    });

    it("leases for four hours at most, however slow the node says it is", async () => {
      await drain();
      await submit(7, 1, hive.app, 100_000_000);
      const slowest = await registered(hive.app, { calibratedIps: 100, threads: 1 });
      const [unit] = leaseReplySchema.parse((await lease(slowest, 1)).json()).units;
      assert.ok(unit);
      const seconds = (Date.parse(unit.leaseExpiresAt) - Date.now()) / 1000;
      assert.ok(seconds > 4 * 3600 - 60 && seconds <= 4 * 3600, `lease of ${seconds} s`);
    });

    it("leases a node no more units at once than it has threads", async () => {
      await drain();
      const job = await submit(8, 5);
      const pair = await registered(hive.app, { threads: 2 });
      const units = async (node: { nodeId: string; headers: Record<string, string> }, max = 5) =>
        leaseReplySchema.parse((await lease(node, max)).json()).units;
      assert.equal((await units(pair)).length, 2);
      assert.deepEqual(await units(pair), [], "it holds all it may");
      // An agent older than the thread count is taken for a single thread.
      const publicKey = generateKeyPairSync("ed25519").publicKey.export({ format: "jwk" }).x;
      const older = await hive.app.inject({
        method: "POST",
        url: "/nodes/register",
        headers: hive.auth.secret,
        payload: {
          publicKey,
          hardware: { cpuModel: "Old agent CPU", cores: 16, arch: "x64" },
          calibratedIps: 100_000,
        },
      });
      const { nodeId, token } = nodeRegisteredSchema.parse(older.json());
      const old = { nodeId, headers: { authorization: `Bearer ${token}` } };
      assert.equal((await units(old)).length, 1);
      assert.deepEqual(await units(old), []);
      // The rest go to the next node.
      assert.deepEqual(
        (await units(await registered())).map((u) => u.jobId),
        [job.id, job.id],
      );
    });

    it("answers at once with no units when asked not to wait", async () => {
      await drain();
      assert.deepEqual(
        leaseReplySchema.parse((await lease(await registered(), 4)).json()).units,
        [],
      );
    });

    it("holds a lease request open over HTTP, and wakes it when a job arrives", async () => {
      await drain();
      const node = await registered();
      const base = await hive.app.listen({ host: "127.0.0.1", port: 0 });
      let answered = false;
      const waiting = fetch(`${base}/leases`, {
        method: "POST",
        headers: { ...node.headers, "content-type": "application/json" },
        body: JSON.stringify({
          nodeId: node.nodeId,
          max: 4,
          waitSeconds: 25,
          scoring: SCORING_RULES,
        }),
      }).finally(() => {
        answered = true;
      });
      await new Promise((resolve) => setTimeout(resolve, 500));
      assert.equal(answered, false, "the request waits for work");
      const job = await submit(2);
      const reply = leaseReplySchema.parse(await (await waiting).json());
      assert.deepEqual(
        reply.units.map((u) => u.jobId),
        [job.id, job.id],
      );
    });

    it("takes a released unit back for the next agent", async () => {
      await drain();
      const job = await submit(3, 1);
      const events: CoordinatorEvent[] = [];
      const unsubscribe = await hive.coordinator.subscribe((event) => {
        if (event.type === "unit.requeued") events.push(event);
      });
      const [a, b] = [await registered(), await registered()];
      const [unit] = leaseReplySchema.parse((await lease(a, 1)).json()).units;
      assert.ok(unit);
      const release = (node: typeof a) =>
        hive.app.inject({
          method: "POST",
          url: `/units/${unit.unitId}/release`,
          headers: node.headers,
        });
      assert.equal((await release(b)).statusCode, 409, "only the holder releases");
      assert.equal((await release(a)).statusCode, 204);
      await eventually("the job's streams hear of it", () => events.length > 0);
      await unsubscribe();
      assert.deepEqual(jobEventSchema.parse(events[0]), {
        type: "unit.requeued",
        jobId: job.id,
        unitId: unit.unitId,
      });
      assert.deepEqual(
        leaseReplySchema.parse((await lease(b, 1)).json()).units.map((u) => u.unitId),
        [unit.unitId],
      );
    });

    it("refuses unit ids of the wrong shape with 400, a NUL byte included, before the database", async () => {
      const agent = await registered();
      for (const id of ["%00", "x", `${"a".repeat(64)}.`, `${"a".repeat(64)}.1%00`]) {
        for (const action of ["release", "fail", "result"]) {
          const response = await hive.app.inject({
            method: "POST",
            url: `/units/${id}/${action}`,
            headers: agent.headers,
            payload: action === "fail" ? { reason: "x" } : {},
          });
          assert.equal(response.statusCode, 400, `${action} ${id}: ${response.body}`);
        }
      }
      const heartbeat = await hive.app.inject({
        method: "POST",
        url: `/nodes/${agent.nodeId}/heartbeat`,
        headers: agent.headers,
        payload: { telemetry: { ips: 0, units: [{ unitId: "a\u0000b" }] } },
      });
      assert.equal(heartbeat.statusCode, 400, heartbeat.body);
    });

    it("gives back at once the units leased to an agent that went away meanwhile", async () => {
      await drain();
      const job = await submit(6, 1);
      const node = await registered();
      const leases = new LeaseService({
        db: hive.db,
        coordinator: hive.coordinator,
        work: new WorkSignal(),
        log: () => {},
      });
      assert.deepEqual(await leases.lease(node.nodeId, 1, 0, AbortSignal.abort()), []);
      const [unit] = await new UnitRepository(hive.db).unitsOfJob(job.id);
      assert.deepEqual([unit?.status, unit?.attempts], ["queued", 0]);
    });

    it("counts a unit its agent could not run, and fails it for good after three leases", async () => {
      await drain();
      const job = await submit(5, 1);
      const events: CoordinatorEvent[] = [];
      const unsubscribe = await hive.coordinator.subscribe((event) => {
        if (event.jobId === job.id) events.push(event);
      });
      const [a, b] = [await registered(), await registered()];
      const fail = (node: typeof a, unitId: string, payload: object) =>
        hive.app.inject({
          method: "POST",
          url: `/units/${unitId}/fail`,
          headers: node.headers,
          payload,
        });
      for (let attempt = 1; attempt <= 3; attempt++) {
        const [unit] = leaseReplySchema.parse((await lease(a, 1)).json()).units;
        assert.ok(unit, `leased again for attempt ${attempt}`);
        assert.equal((await fail(a, unit.unitId, {})).statusCode, 400, "a reason is needed");
        assert.equal((await fail(b, unit.unitId, { reason: "x" })).statusCode, 409);
        const failed = await fail(a, unit.unitId, { reason: "the worker thread crashed" });
        assert.equal(failed.statusCode, 204, failed.body);
      }
      assert.deepEqual(leaseReplySchema.parse((await lease(a, 1)).json()).units, []);
      const view = (await hive.app.inject({ url: `/jobs/${job.id}` })).json() as JobView;
      assert.equal(view.status, "failed");
      const [stored] = await new UnitRepository(hive.db).unitsOfJob(job.id);
      assert.match(stored?.lastError ?? "", /the worker thread crashed; failed after 3 attempts/);
      // The job's event streams hear the unit fail and the job end.
      const ending = ["unit.requeued", "unit.requeued", "unit.failed", "job.completed"];
      await eventually("the job's events", () => events.length >= ending.length);
      await unsubscribe();
      assert.deepEqual(
        events.map((e) => e.type).filter((type) => type !== "job.created"),
        ending,
      );
      assert.equal(events.at(-1)?.status, "failed");
      for (const event of events) jobEventSchema.parse(event);
    });

    it("refuses leases for another node, for removed nodes, and without a token", async () => {
      const [a, b] = [await registered(), await registered()];
      assert.equal((await lease({ nodeId: a.nodeId, headers: b.headers }, 1)).statusCode, 403);
      assert.equal(
        (await lease({ nodeId: a.nodeId, headers: hive.auth.alice }, 1)).statusCode,
        401,
      );
      await new NodeRepository(hive.db).removeNode(a.nodeId);
      const removed = await lease(a, 1);
      assert.equal(removed.statusCode, 403);
      assert.equal(removed.json().code, "NODE_REMOVED");
      const bad = await hive.app.inject({
        method: "POST",
        url: "/leases",
        headers: b.headers,
        payload: { nodeId: b.nodeId, max: 0 },
      });
      assert.equal(bad.statusCode, 400);
    });

    if (stack === "server") {
      it("wakes a lease request waiting on another instance", async () => {
        await drain();
        const other = await buildHive({
          db: hive.db,
          coordinator: hive.coordinator,
          secrets: [HIVE_SECRET],
          log: () => {},
        });
        try {
          const node = await registered(other);
          const waiting = lease(node, 2, 25, other);
          await new Promise((resolve) => setTimeout(resolve, 200));
          const job = await submit(4);
          assert.deepEqual(
            leaseReplySchema.parse((await waiting).json()).units.map((u) => u.jobId),
            [job.id, job.id],
          );
        } finally {
          await other.close();
        }
        const stillQueued = await new UnitRepository(hive.db).queuedCount();
        assert.equal(stillQueued, 0);
      });
    }
  });
}
