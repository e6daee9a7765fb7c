import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { FastifyInstance } from "fastify";
import { IslandHandover } from "../../src/agent/island-handover.ts";
import { runUnit } from "../../src/agent/unit-runner.ts";
import { buildAssetsGateway } from "../../src/assets/assets-gateway.ts";
import { type JobView, jobViewSchema } from "../../src/protocol/job-messages.ts";
import type { LeasedUnit } from "../../src/protocol/node-messages.ts";
import { eventually } from "../helpers/eventually.ts";
import { startHive, type TestHive } from "../helpers/hive.ts";
import { leasedJob, registerAgent } from "../helpers/hive-agent.ts";
import { startTestAgent } from "../helpers/test-agent.ts";

/** Seconds between two heartbeats of an agent (the hive's HEARTBEAT_INTERVAL_SECONDS). */
const HEARTBEAT_SECONDS = 5;

describe("an agent's units are islands", () => {
  let hive: TestHive;
  let gateway: FastifyInstance;
  let urls: { hiveUrl: string; assetsUrl: string };
  before(async () => {
    hive = await startHive("embedded");
    gateway = buildAssetsGateway(hive.coordinator);
    urls = {
      hiveUrl: await hive.app.listen({ host: "127.0.0.1", port: 0 }),
      assetsUrl: await gateway.listen({ host: "127.0.0.1", port: 0 }),
    };
  });
  after(async () => {
    await gateway.close();
    await hive.close();
  });

  const assets = (sha256: string) =>
    hive.coordinator.getBin(sha256).then((bytes) => {
      if (!bytes) throw new Error(`no blob ${sha256}`);
      return bytes;
    });

  async function submit(search: Record<string, unknown>): Promise<JobView> {
    const response = await hive.app.inject({
      method: "POST",
      url: "/jobs",
      headers: hive.auth.alice,
      payload: { name: "islands", board: "corne", corpora: [{ id: "en" }], search },
    });
    assert.equal(response.statusCode, 201, response.body);
    return jobViewSchema.parse(response.json());
  }

  const jobView = async (id: string) =>
    jobViewSchema.parse((await hive.app.inject({ url: `/jobs/${id}` })).json());

  it("continue the island an earlier unit of the job handed over on the node", async () => {
    const agent = await registerAgent(hive.app);
    const { units } = await leasedJob(hive.app, hive.auth.alice, agent, 2, 61);
    const [first, second] = units as [LeasedUnit, LeasedUnit];
    const handover = new IslandHandover();
    const steps = 24_000;
    const firstOutcome = await runUnit({ ...first, steps }, assets, { handover }).done;
    const continued = await runUnit({ ...second, steps }, assets, { handover }).done;
    // One unit of twice the steps, from the first unit's seed: the same search.
    const whole = await runUnit({ ...first, steps: 2 * steps }, assets).done;
    assert.equal(continued.score, whole.score);
    assert.equal(continued.layout, whole.layout);
    assert.ok(continued.score <= firstOutcome.score);
    assert.equal(handover.take(first.jobId) !== undefined, true, "the second unit handed over too");
    assert.equal(handover.take(first.jobId), undefined);
  });

  it("finish when told to, delivering their best, and stop at their time limit", async () => {
    const agent = await registerAgent(hive.app);
    const { units } = await leasedJob(hive.app, hive.auth.alice, agent, 2, 62);
    const [told, timed] = units as [LeasedUnit, LeasedUnit];
    const run = runUnit({ ...told, steps: 50_000_000_000 }, assets);
    await eventually("a first epoch", async () => run.bestScore() !== null, 30_000);
    run.finish("its job's search is over");
    const outcome = await run.done;
    assert.ok(outcome.steps < 50_000_000_000);
    // The exact score of the best it reported (which sums its moves' deltas) as it stopped.
    assert.ok(Math.abs(outcome.score - (run.bestScore() ?? 0)) < 1e-9);
    const began = Date.now();
    const limited = await runUnit({ ...timed, steps: 50_000_000_000, timeLimitSeconds: 1 }, assets)
      .done;
    assert.ok(limited.steps > 0 && limited.steps < 50_000_000_000);
    assert.ok(Date.now() - began < 30_000, "it ended on its time, not its steps");
  });

  it("work a time-budgeted job on two agents until its time is spent, within a heartbeat", async () => {
    const job = await submit({ timeSeconds: 10, seed: 63 });
    const agents = [startTestAgent(urls), startTestAgent(urls)];
    try {
      await eventually(
        "the job completes",
        async () => (await jobView(job.id)).status === "completed",
        60_000,
      );
    } finally {
      await Promise.all(agents.map((agent) => agent.stop()));
    }
    const view = await jobView(job.id);
    assert.equal(view.endedBy, "time");
    assert.ok(view.startedAt && view.endsAt && view.finishedAt);
    const late = Date.parse(view.finishedAt) - Date.parse(view.endsAt);
    assert.ok(late <= HEARTBEAT_SECONDS * 1000, `ended ${late} ms after its time`);
    assert.ok(view.units.done >= 2, "both agents worked it");
    const nodes = new Set(
      (
        await hive.db.query<{ node_id: string }>("SELECT node_id FROM results WHERE job_id = $1", [
          job.id,
        ])
      ).rows.map((row) => row.node_id),
    );
    assert.equal(nodes.size, 2);
    assert.equal(view.best?.score, view.bestScore);
  });

  it("end a job whose best stopped improving, saying so", async () => {
    // Six characters to place: the best is found at once, and nothing beats it after.
    const job = await submit({ timeSeconds: 600, convergeSeconds: 10, place: "etaoin", seed: 64 });
    const agent = startTestAgent(urls);
    try {
      await eventually(
        "the job converges",
        async () => (await jobView(job.id)).status === "completed",
        90_000,
      );
    } finally {
      await agent.stop();
    }
    const view = await jobView(job.id);
    assert.equal(view.endedBy, "convergence");
    assert.ok(view.startedAt && view.finishedAt);
    assert.ok(Date.parse(view.finishedAt) - Date.parse(view.startedAt) < 120_000);
    assert.ok(
      agent.lines.some((line) => /finishing unit .*: its job's search is over/.test(line)),
      agent.lines.join("\n"),
    );
  });
});
