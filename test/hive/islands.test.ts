import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { formatLayout, type Layout } from "../../src/core/layout.ts";
import { SCORING_RULES } from "../../src/core/scoring/model.ts";
import { rescoreLayout } from "../../src/core/search/result-check.ts";
import { compileSearchModel } from "../../src/core/search/search-problem.ts";
import { AssetCatalog } from "../../src/hive/asset-catalog.ts";
import { Reaper } from "../../src/hive/reaper.ts";
import { UnitRepository } from "../../src/infra/db/unit-repository.ts";
import { type JobContent, type JobView, jobViewSchema } from "../../src/protocol/job-messages.ts";
import { jobProblem } from "../../src/protocol/job-problem.ts";
import {
  heartbeatReplySchema,
  type LeasedUnit,
  leaseReplySchema,
} from "../../src/protocol/node-messages.ts";
import { startHive, type TestHive } from "../helpers/hive.ts";
import {
  registerAgent,
  signedResult,
  submitResult,
  type TestAgent,
} from "../helpers/hive-agent.ts";

/** Layouts of the job's problem `swaps` swaps of movable keys away from its start, with their scores. */
async function layoutsAway(hive: TestHive, content: JobContent, swapCounts: readonly number[]) {
  const problem = await jobProblem(content, (sha) => new AssetCatalog(hive.coordinator).read(sha));
  const model = compileSearchModel(problem);
  const keys = model.movableKeys;
  return swapCounts.map((swaps) => {
    const chars = [...problem.start.chars];
    // Disjoint pairs of movable keys: `swaps` swaps move 2 × swaps keys.
    for (let s = 0; s < swaps; s++) {
      const [a, b] = [keys[2 * s] as number, keys[2 * s + 1] as number];
      [chars[a], chars[b]] = [chars[b] ?? null, chars[a] ?? null];
    }
    const layout: Layout = { ...problem.start, chars };
    return {
      text: formatLayout(layout, problem.board),
      score: rescoreLayout(model, problem, layout),
      chars,
    };
  });
}

for (const stack of ["embedded", "server"] as const) {
  describe(`islands and time budgets (${stack === "server" ? "PostgreSQL + Redis" : "PGlite + in-memory"})`, () => {
    let hive: TestHive;
    let seed = 700;
    before(async () => {
      hive = await startHive(stack);
    });
    after(() => hive.close());

    async function submit(search: Record<string, unknown>): Promise<JobView> {
      const response = await hive.app.inject({
        method: "POST",
        url: "/jobs",
        headers: hive.auth.alice,
        payload: {
          name: "islands",
          board: "corne",
          corpora: [{ id: "en" }],
          search: { seed: seed++, ...search },
        },
      });
      assert.equal(response.statusCode, 201, response.body);
      return jobViewSchema.parse(response.json());
    }

    async function view(jobId: string): Promise<JobView> {
      return jobViewSchema.parse(
        (await hive.app.inject({ method: "GET", url: `/jobs/${jobId}` })).json(),
      );
    }

    async function lease(agent: TestAgent, max: number, islands = true): Promise<LeasedUnit[]> {
      const reply = await hive.app.inject({
        method: "POST",
        url: "/leases",
        headers: agent.headers,
        payload: {
          nodeId: agent.nodeId,
          max,
          waitSeconds: 0,
          scoring: SCORING_RULES,
          ...(islands && { islands: true }),
        },
      });
      assert.equal(reply.statusCode, 200, reply.body);
      return leaseReplySchema.parse(reply.json()).units;
    }

    async function heartbeat(agent: TestAgent, units: object[], islands = true) {
      const reply = await hive.app.inject({
        method: "POST",
        url: `/nodes/${agent.nodeId}/heartbeat`,
        headers: agent.headers,
        payload: { telemetry: { ips: 1000, units, ...(islands && { islands: true }) } },
      });
      assert.equal(reply.statusCode, 200, reply.body);
      return heartbeatReplySchema.parse(reply.json());
    }

    const deliver = async (
      agent: TestAgent,
      unitId: string,
      layout: { text: string; score: number },
    ) => {
      const answer = await submitResult(
        hive.app,
        agent,
        unitId,
        signedResult(agent, unitId, layout.text, layout.score),
      );
      assert.equal(answer.statusCode, 200, answer.body);
      return answer.json() as { jobStatus: string };
    };

    it("cuts units of a time-budgeted job for the nodes that run islands, until its time is spent", async () => {
      const job = await submit({ timeSeconds: 60 });
      assert.deepEqual(
        [job.units.total, job.startedAt, job.endsAt, job.status],
        [0, null, null, "queued"],
      );
      const older = await registerAgent(hive.app, { threads: 2 });
      assert.deepEqual(await lease(older, 2, false), [], "agents before islands get none");
      const agent = await registerAgent(hive.app, { threads: 2, calibratedIps: 20_000 });
      const units = await lease(agent, 4);
      assert.deepEqual(
        units.map((u) => u.unitId),
        [`${job.id}.0`, `${job.id}.1`],
        "one per thread",
      );
      for (const unit of units) {
        assert.ok(
          (unit.timeLimitSeconds ?? 0) > 55 && (unit.timeLimitSeconds ?? 0) <= 60,
          `${unit.timeLimitSeconds}`,
        );
        // The node's speed per thread is 10,000 steps/s: the steps only bound a faster node.
        assert.ok(unit.steps >= 10_000 * 55 && unit.steps <= 4 * 10_000 * 60, `${unit.steps}`);
      }
      const started = await view(job.id);
      assert.equal(started.status, "running");
      assert.ok(started.startedAt && started.endsAt);
      assert.equal(Date.parse(started.endsAt) - Date.parse(started.startedAt), 60_000);
      assert.ok(started.progress >= 0 && started.progress < 0.1);

      // A unit given back is withdrawn; the job's time goes on in a unit cut anew.
      const given = await hive.app.inject({
        method: "POST",
        url: `/units/${encodeURIComponent(units[1]?.unitId ?? "")}/release`,
        headers: agent.headers,
      });
      assert.equal(given.statusCode, 204, given.body);
      assert.equal(
        (await new UnitRepository(hive.db).getUnit(units[1]?.unitId ?? ""))?.status,
        "cancelled",
      );
      const [next] = await lease(agent, 1);
      assert.equal(next?.unitId, `${job.id}.2`);

      // The time is spent: no more units, and the islands still running are told to finish.
      await hive.db.query("UPDATE jobs SET ends_at = now() - interval '1 second' WHERE id = $1", [
        job.id,
      ]);
      assert.deepEqual(await lease(agent, 2), []);
      const held = [units[0]?.unitId, next?.unitId] as string[];
      const beat = await heartbeat(
        agent,
        held.map((unitId) => ({ unitId, bestScore: 200 })),
      );
      assert.deepEqual(
        beat.commands.map((c) => [c.type, c.unitId]),
        held.map((unitId) => ["finish", unitId]),
      );
      const [start] = await layoutsAway(hive, job.content, [0]);
      assert.ok(start);
      assert.equal((await deliver(agent, held[0] as string, start)).jobStatus, "running");
      assert.equal((await deliver(agent, held[1] as string, start)).jobStatus, "completed");
      const ended = await view(job.id);
      assert.deepEqual([ended.status, ended.endedBy, ended.progress], ["completed", "time", 1]);
    });

    it("ends a time-budgeted job whose last unit came in before its time was spent once the time is up", async () => {
      const job = await submit({ timeSeconds: 60 });
      const agent = await registerAgent(hive.app, { threads: 1 });
      const [unit] = await lease(agent, 1);
      const [start] = await layoutsAway(hive, job.content, [0]);
      assert.ok(unit && start);
      assert.equal(
        (await deliver(agent, unit.unitId, start)).jobStatus,
        "running",
        "its time goes on",
      );
      const reaper = new Reaper({ db: hive.db, coordinator: hive.coordinator, log: () => {} });
      await reaper.runOnce();
      assert.equal((await view(job.id)).status, "running");
      await hive.db.query("UPDATE jobs SET ends_at = now() - interval '1 second' WHERE id = $1", [
        job.id,
      ]);
      const report = await reaper.runOnce();
      assert.deepEqual(
        report.finishedJobs.filter((f) => f.jobId === job.id),
        [{ jobId: job.id, status: "completed" }],
      );
      assert.equal((await view(job.id)).endedBy, "time");
    });

    it("shares the job's best between islands through heartbeats, checked, and only with nodes that run islands", async () => {
      const job = await submit({ timeSeconds: 600 });
      const [a, b, older] = [
        await registerAgent(hive.app, { threads: 1 }),
        await registerAgent(hive.app, { threads: 1 }),
        await registerAgent(hive.app, { threads: 1 }),
      ];
      const [unitA] = await lease(a, 1);
      const [unitB] = await lease(b, 1);
      assert.ok(unitA && unitB);
      const layouts = await layoutsAway(hive, job.content, [0, 1, 2, 3]);
      const [best, worst] = [...layouts].sort((x, y) => x.score - y.score) as [
        (typeof layouts)[number],
        (typeof layouts)[number],
      ];
      // A claims a better score than its layout has: refused, nothing shared.
      const forged = await heartbeat(a, [
        {
          unitId: unitA.unitId,
          bestScore: best.score - 1,
          best: { layout: worst.text, score: best.score - 1 },
        },
      ]);
      assert.equal(forged.migrants, undefined);
      assert.deepEqual(await hive.coordinator.jobBests([job.id]), new Map());

      const fromA = await heartbeat(a, [
        {
          unitId: unitA.unitId,
          bestScore: best.score,
          best: { layout: best.text, score: best.score },
        },
      ]);
      assert.deepEqual(
        [fromA.commands, fromA.migrants],
        [[], undefined],
        "A leads: nothing for it",
      );
      const kept = (await hive.coordinator.jobBests([job.id])).get(job.id);
      assert.equal(kept?.score, best.score);
      assert.equal(kept?.layout, best.text);

      const toB = await heartbeat(b, [
        {
          unitId: unitB.unitId,
          bestScore: worst.score,
          best: { layout: worst.text, score: worst.score },
        },
      ]);
      assert.deepEqual(toB.migrants, [
        { unitId: unitB.unitId, layout: best.text, score: best.score },
      ]);
      assert.equal(
        (await hive.coordinator.jobBests([job.id])).get(job.id)?.score,
        best.score,
        "a worse best is not kept",
      );
      const caughtUp = await heartbeat(b, [{ unitId: unitB.unitId, bestScore: best.score }]);
      assert.equal(caughtUp.migrants, undefined, "an island that holds the best gets nothing");

      // An agent before islands holds a unit of a step job of its own: no migrants for it.
      const stepJob = await submit({ units: 1, stepsPerUnit: 50_000 });
      const [oldUnit] = await lease(older, 1, false);
      assert.equal(oldUnit?.jobId, stepJob.id);
      const [stepStart] = await layoutsAway(hive, stepJob.content, [0]);
      await heartbeat(a, [{ unitId: unitA.unitId, bestScore: best.score }]);
      const oldBeat = await heartbeat(
        older,
        [{ unitId: oldUnit?.unitId, bestScore: (stepStart?.score ?? 0) + 1 }],
        false,
      );
      assert.deepEqual([oldBeat.commands, oldBeat.migrants], [[], undefined]);
      // Neither job may take the next test's leases.
      for (const id of [job.id, stepJob.id]) {
        const cancelled = await hive.app.inject({
          method: "DELETE",
          url: `/jobs/${id}`,
          headers: hive.auth.alice,
        });
        assert.equal(cancelled.statusCode, 200, cancelled.body);
      }
    });

    it("ends a job whose best stopped improving for its convergeSeconds, and tells its islands to finish", async () => {
      const job = await submit({ timeSeconds: 600, convergeSeconds: 10 });
      const agent = await registerAgent(hive.app, { threads: 2 });
      const [timed] = await lease(agent, 1);
      const stepJob = await submit({ units: 3, stepsPerUnit: 50_000, convergeSeconds: 10 });
      const [stepUnit] = await lease(agent, 1, false);
      assert.deepEqual([timed?.jobId, stepUnit?.jobId], [job.id, stepJob.id]);
      assert.ok(timed && stepUnit);
      const [layout] = await layoutsAway(hive, job.content, [1]);
      const [stepLayout] = await layoutsAway(hive, stepJob.content, [1]);
      assert.ok(layout && stepLayout);
      const report = (bests: boolean) =>
        heartbeat(agent, [
          {
            unitId: timed.unitId,
            bestScore: layout.score,
            ...(bests && { best: { layout: layout.text, score: layout.score } }),
          },
          {
            unitId: stepUnit.unitId,
            bestScore: stepLayout.score,
            ...(bests && { best: { layout: stepLayout.text, score: stepLayout.score } }),
          },
        ]);
      assert.deepEqual((await report(true)).commands, []);
      await sleep(5000);
      assert.deepEqual((await report(false)).commands, [], "5 s without a better layout: not yet");
      await sleep(5500);
      const finish = await report(false);
      assert.deepEqual(
        finish.commands.map((c) => [c.type, c.unitId]).sort(),
        [
          ["finish", stepUnit.unitId],
          ["finish", timed.unitId],
        ].sort(),
      );
      const converged = await view(job.id);
      assert.deepEqual([converged.status, converged.endedBy], ["running", "convergence"]);
      assert.deepEqual(await lease(agent, 2), [], "a converged job leases no more");
      assert.equal((await view(stepJob.id)).units.cancelled, 2, "its queued units are cancelled");
      assert.equal((await deliver(agent, timed.unitId, layout)).jobStatus, "completed");
      assert.equal((await deliver(agent, stepUnit.unitId, stepLayout)).jobStatus, "completed");
      const [ended, stepEnded] = [await view(job.id), await view(stepJob.id)];
      assert.deepEqual([ended.status, ended.endedBy], ["completed", "convergence"]);
      assert.deepEqual([stepEnded.status, stepEnded.endedBy], ["completed", "convergence"]);
    });

    it("lists top layouts at least the job's topDistance keys apart", async () => {
      for (const topDistance of [undefined, 2]) {
        const job = await submit({
          units: 4,
          stepsPerUnit: 50_000,
          ...(topDistance && { topDistance }),
        });
        const agent = await registerAgent(hive.app);
        const units = await lease(agent, 4, false);
        const layouts = await layoutsAway(hive, job.content, [0, 1, 3, 4]);
        for (const [i, unit] of units.entries())
          await deliver(agent, unit.unitId, layouts[i] as (typeof layouts)[number]);
        const { top, best } = await view(job.id);
        const distance = topDistance ?? 6;
        assert.equal(top[0]?.score, best?.score);
        const charsOf = (text: string) => layouts.find((l) => l.text === text)?.chars ?? [];
        for (const [i, a] of top.entries()) {
          for (const b of top.slice(i + 1)) {
            const apart = charsOf(a.layout).filter(
              (char, k) => charsOf(b.layout)[k] !== char,
            ).length;
            assert.ok(apart >= distance, `${apart} keys apart, at least ${distance} wanted`);
          }
        }
        // The layouts are 0, 1, 3 and 4 disjoint swaps from the start: each pair at least 2 keys
        // apart, and some pairs fewer than 6.
        if (topDistance === 2) assert.equal(top.length, 4);
        else assert.ok(top.length < 4);
      }
    });
  });
}
