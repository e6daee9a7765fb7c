import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { SCORING_RULES } from "../../src/core/scoring/model.ts";
import type { CoordinatorEvent } from "../../src/infra/coord/coordinator.ts";
import { type JobContent, jobViewSchema } from "../../src/protocol/job-messages.ts";
import {
  clusterSchema,
  type LeasedUnit,
  MAX_REJECTED_RESULTS,
  resultAcceptedSchema,
} from "../../src/protocol/node-messages.ts";
import { eventually } from "../helpers/eventually.ts";
import { FlakyDatabase } from "../helpers/flaky-database.ts";
import { startHive, type TestHive } from "../helpers/hive.ts";
import {
  layoutsOf as layoutsOn,
  leasedJob as leasedJobOn,
  registerAgent,
  signedResult,
  submitResult,
  type TestAgent,
} from "../helpers/hive-agent.ts";

for (const stack of ["embedded", "server"] as const) {
  describe(`hive results API (${stack === "server" ? "PostgreSQL + Redis" : "PGlite + in-memory"})`, () => {
    let hive: TestHive;
    let flaky: FlakyDatabase;
    const events: CoordinatorEvent[] = [];
    before(async () => {
      hive = await startHive(stack, {
        wrapDatabase: (db) => {
          flaky = new FlakyDatabase(db);
          return flaky.db;
        },
      });
      await hive.coordinator.subscribe((event) => events.push(event));
    });
    after(() => hive.close());

    const agent = () => registerAgent(hive.app);
    const leasedJob = (node: TestAgent, units: number, seed: number) =>
      leasedJobOn(hive.app, hive.auth.alice, node, units, seed);
    const layoutsOf = (content: JobContent) => layoutsOn(content, hive.coordinator);
    const signed = signedResult;
    const submit = (node: TestAgent, unitId: string, body: object) =>
      submitResult(hive.app, node, unitId, body);

    it("re-scores and accepts a result once, and completes the job with its last unit", async () => {
      const node = await agent();
      const { job, units } = await leasedJob(node, 2, 1);
      const layouts = await layoutsOf(job.content);
      const [first, second] = units as [LeasedUnit, LeasedUnit];
      const body = signed(node, first.unitId, layouts.start.text, layouts.start.score);
      const accepted = await submit(node, first.unitId, body);
      assert.equal(accepted.statusCode, 200, accepted.body);
      const answer = resultAcceptedSchema.parse(accepted.json());
      assert.deepEqual(
        { ...answer, resultId: 0 },
        {
          resultId: 0,
          unitId: first.unitId,
          score: layouts.start.score,
          created: true,
          newBest: true,
          jobStatus: "running",
        },
      );
      const retry = resultAcceptedSchema.parse((await submit(node, first.unitId, body)).json());
      assert.equal(retry.created, false);
      assert.equal(retry.resultId, answer.resultId);

      const better = layouts.swapped.score < layouts.start.score;
      const last = resultAcceptedSchema.parse(
        (
          await submit(
            node,
            second.unitId,
            signed(node, second.unitId, layouts.swapped.text, layouts.swapped.score),
          )
        ).json(),
      );
      assert.equal(last.jobStatus, "completed");
      assert.equal(last.newBest, better);
      const view = jobViewSchema.parse(
        (await hive.app.inject({ method: "GET", url: `/jobs/${job.id}` })).json(),
      );
      assert.equal(view.status, "completed");
      assert.equal(view.progress, 1);
      assert.equal(view.best?.score, Math.min(layouts.start.score, layouts.swapped.score));
      assert.deepEqual(view.best?.metrics, layouts.metricsOf(view.best?.layout ?? ""));
      assert.ok((view.best?.metrics.sfb ?? 0) > 0, "the best layout's metrics are measured");
      // The two layouts are one swap apart: under the default top distance (6 keys), the
      // runner-up is no real alternative, and the list holds the best alone.
      assert.deepEqual(
        view.top.map((entry) => entry.score),
        [view.best?.score],
      );
      await eventually("the event", () =>
        events.some((e) => e.type === "job.completed" && e.jobId === job.id),
      );
      assert.equal(events.filter((e) => e.type === "unit.done" && e.jobId === job.id).length, 2);
      assert.ok(events.some((e) => e.type === "job.progress" && e.jobId === job.id));
    });

    it("stores one result when the same submission arrives many times at once", async () => {
      const node = await agent();
      const { job, units } = await leasedJob(node, 1, 2);
      const layouts = await layoutsOf(job.content);
      const unit = units[0] as LeasedUnit;
      const body = signed(node, unit.unitId, layouts.start.text, layouts.start.score);
      const answers = await Promise.all(
        Array.from({ length: 6 }, () => submit(node, unit.unitId, body)),
      );
      // One is accepted; copies that race it get its stored answer, or a 503 to retry later.
      const accepted = answers
        .filter((a) => a.statusCode === 200)
        .map((a) => resultAcceptedSchema.parse(a.json()));
      assert.equal(accepted.filter((a) => a.created).length, 1);
      for (const other of answers.filter((a) => a.statusCode !== 200)) {
        assert.deepEqual([other.statusCode, other.json().code], [503, "RESULT_PENDING"]);
        assert.ok(Number(other.headers["retry-after"]) > 0);
      }
      const later = await submit(node, unit.unitId, body);
      assert.equal(later.statusCode, 200, later.body);
      const stored = resultAcceptedSchema.parse(later.json());
      assert.equal(stored.created, false);
      assert.equal(stored.resultId, accepted.find((a) => a.created)?.resultId);
      const { rows } = await hive.db.query(
        "SELECT count(*)::int AS count FROM results WHERE unit_id = $1",
        [unit.unitId],
      );
      assert.equal(rows[0]?.count, 1);
    });

    it("accepts a result sent again after the database failed to store it", async () => {
      const node = await agent();
      const { job, units } = await leasedJob(node, 1, 4);
      const layouts = await layoutsOf(job.content);
      const unit = units[0] as LeasedUnit;
      const body = signed(node, unit.unitId, layouts.start.text, layouts.start.score);
      flaky.failing = /accept_results/;
      try {
        const failed = await submit(node, unit.unitId, body);
        assert.deepEqual([failed.statusCode, failed.json().code], [503, "DATABASE_UNAVAILABLE"]);
      } finally {
        flaky.failing = null;
      }
      const retried = await submit(node, unit.unitId, body);
      assert.equal(retried.statusCode, 200, retried.body);
      assert.equal(resultAcceptedSchema.parse(retried.json()).created, true);
    });

    it("waits for a copy still being decided, and decides one whose first copy was abandoned", async () => {
      const node = await agent();
      const { job, units } = await leasedJob(node, 1, 5);
      const layouts = await layoutsOf(job.content);
      const unit = units[0] as LeasedUnit;
      const body = signed(node, unit.unitId, layouts.start.text, layouts.start.score);
      // Another instance claimed the nonce a moment ago and still decides on its copy.
      await hive.coordinator.claimNonce(
        node.nodeId,
        body.nonce,
        `${unit.unitId} ${Date.now()}`,
        60,
      );
      const pending = await submit(node, unit.unitId, body);
      assert.deepEqual([pending.statusCode, pending.json().code], [503, "RESULT_PENDING"]);
      // That instance died two minutes ago, its claim left behind: this copy is decided.
      await hive.coordinator.forgetNonce(node.nodeId, body.nonce);
      const abandoned = `${unit.unitId} ${Date.now() - 120_000}`;
      await hive.coordinator.claimNonce(node.nodeId, body.nonce, abandoned, 60);
      const decided = await submit(node, unit.unitId, body);
      assert.equal(decided.statusCode, 200, decided.body);
      assert.equal(resultAcceptedSchema.parse(decided.json()).created, true);
    });

    it("marks a result that claims fewer steps than its unit asked for", async () => {
      const node = await agent();
      const { job, units } = await leasedJob(node, 2, 6);
      const layouts = await layoutsOf(job.content);
      const [short, full] = units as [LeasedUnit, LeasedUnit];
      for (const [unit, steps] of [
        [short, 10],
        [full, full.steps],
      ] as const) {
        const body = signed(node, unit.unitId, layouts.start.text, layouts.start.score, { steps });
        assert.equal((await submit(node, unit.unitId, body)).statusCode, 200);
      }
      const { rows } = await hive.db.query<{ unit_id: string; steps_short: boolean }>(
        "SELECT unit_id, steps_short FROM results WHERE job_id = $1 ORDER BY unit_id",
        [job.id],
      );
      assert.deepEqual(
        rows.map((row) => [row.unit_id, row.steps_short]),
        [
          [short.unitId, true],
          [full.unitId, false],
        ],
      );
    });

    it("leases no more units to a node past its refused results, and /cluster shows them", async () => {
      const node = await agent();
      await hive.db.query("UPDATE nodes SET rejected_results = $2 WHERE id = $1", [
        node.nodeId,
        MAX_REJECTED_RESULTS,
      ]);
      const beat = await hive.app.inject({
        method: "POST",
        url: `/nodes/${node.nodeId}/heartbeat`,
        headers: node.headers,
        payload: { telemetry: { ips: 0, units: [] } },
      });
      assert.equal(beat.statusCode, 200);
      const cluster = clusterSchema.parse((await hive.app.inject({ url: "/cluster" })).json());
      assert.equal(
        cluster.nodes.find((n) => n.nodeId === node.nodeId)?.rejectedResults,
        MAX_REJECTED_RESULTS,
      );
      const refused = await hive.app.inject({
        method: "POST",
        url: "/leases",
        headers: node.headers,
        payload: { nodeId: node.nodeId, max: 1, waitSeconds: 0, scoring: SCORING_RULES },
      });
      assert.equal(refused.statusCode, 403, refused.body);
      assert.equal(refused.json().code, "NODE_SUSPENDED");
    });

    it("refuses forged, stale, replayed, wrongly scored and impossible results", async () => {
      const node = await agent();
      const { job, units } = await leasedJob(node, 3, 3);
      const layouts = await layoutsOf(job.content);
      const [a, b, c] = units as [LeasedUnit, LeasedUnit, LeasedUnit];
      const code = async (body: object, unitId = a.unitId, by = node) => {
        const response = await submit(by, unitId, body);
        return [response.statusCode, response.json().code];
      };
      const good = signed(node, a.unitId, layouts.start.text, layouts.start.score);
      assert.deepEqual(await code({ ...good, score: good.score + 1 }), [
        401,
        "RESULT_SIGNATURE_INVALID",
      ]);
      const old = new Date(Date.now() - 60 * 60 * 1000).toISOString();
      assert.deepEqual(
        await code(
          signed(node, a.unitId, layouts.start.text, layouts.start.score, { timestamp: old }),
        ),
        [400, "RESULT_STALE"],
      );
      assert.deepEqual(
        await code(signed(node, a.unitId, layouts.start.text, layouts.start.score + 0.5)),
        [422, "RESULT_SCORE_MISMATCH"],
      );
      const { rows } = await hive.db.query("SELECT rejected_results FROM nodes WHERE id = $1", [
        node.nodeId,
      ]);
      assert.equal(rows[0]?.rejected_results, 1, "the mismatch counts against the node");
      assert.deepEqual(await code(signed(node, a.unitId, layouts.movingFixedKey, 0)), [
        422,
        "RESULT_LAYOUT_INVALID",
      ]);
      assert.deepEqual(await code(signed(node, a.unitId, "q w e", 0)), [
        422,
        "RESULT_LAYOUT_INVALID",
      ]);
      const after = await hive.db.query("SELECT rejected_results FROM nodes WHERE id = $1", [
        node.nodeId,
      ]);
      assert.equal(after.rows[0]?.rejected_results, 3, "so do impossible and unreadable layouts");
      assert.equal((await submit(node, a.unitId, good)).statusCode, 200);
      assert.deepEqual(
        await code(
          {
            ...signed(node, b.unitId, layouts.start.text, layouts.start.score, {
              nonce: good.nonce,
            }),
          },
          b.unitId,
        ),
        [409, "NONCE_REPLAYED"],
      );
      const stranger = await agent();
      assert.deepEqual(
        await code(
          signed(stranger, c.unitId, layouts.start.text, layouts.start.score),
          c.unitId,
          stranger,
        ),
        [409, "LEASE_NOT_HELD"],
      );
      const unknown = `${"0".repeat(64)}.0`;
      assert.deepEqual(await code(signed(node, unknown, layouts.start.text, 1), unknown), [
        404,
        "UNIT_NOT_FOUND",
      ]);
    });
  });
}
