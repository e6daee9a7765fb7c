import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { runUnit } from "../../src/agent/unit-runner.ts";
import type { LeasedUnit } from "../../src/protocol/node-messages.ts";
import { startHive, type TestHive } from "../helpers/hive.ts";
import {
  layoutsOf,
  leasedJob,
  registerAgent,
  signedResult,
  submitResult,
} from "../helpers/hive-agent.ts";

describe("running a leased unit", () => {
  let hive: TestHive;
  before(async () => {
    hive = await startHive("embedded");
  });
  after(() => hive.close());

  const assets = (sha256: string) =>
    hive.coordinator.getBin(sha256).then((bytes) => {
      if (!bytes) throw new Error(`no blob ${sha256}`);
      return bytes;
    });

  it("searches on a worker thread and finds a result the hive accepts as it is", async () => {
    const agent = await registerAgent(hive.app);
    const { job, units } = await leasedJob(hive.app, hive.auth.alice, agent, 2, 31);
    const [fresh, leased] = units as [LeasedUnit, LeasedUnit];
    const { swapped } = await layoutsOf(job.content, hive.coordinator);
    const onBest = { ...leased, startLayouts: [swapped.text] };
    for (const unit of [fresh, onBest]) {
      const run = runUnit(unit, assets);
      const outcome = await run.done;
      assert.equal(outcome.steps >= unit.steps, true);
      assert.equal(run.bestScore() !== null, true);
      const answer = await submitResult(
        hive.app,
        agent,
        unit.unitId,
        signedResult(agent, unit.unitId, outcome.layout, outcome.score, {
          steps: outcome.steps,
          durationMs: outcome.durationMs,
        }),
      );
      assert.equal(answer.statusCode, 200, answer.body);
      assert.equal(answer.json().score, outcome.score);
    }
    assert.equal((await hive.app.inject({ url: `/jobs/${job.id}` })).json().status, "completed");
  });

  it("stops when aborted, and fails the unit with the reason", async () => {
    const agent = await registerAgent(hive.app);
    const { units } = await leasedJob(hive.app, hive.auth.alice, agent, 1, 32);
    const unit = { ...(units[0] as LeasedUnit), steps: 50_000_000_000 };
    const run = runUnit(unit, assets);
    await new Promise((resolve) => setTimeout(resolve, 500));
    run.abort("its job was cancelled");
    await assert.rejects(run.done, /aborted: its job was cancelled/);
  });
});
