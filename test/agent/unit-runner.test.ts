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
  type TestAgent,
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

  /** Runs a unit and submits its result, which the hive must accept; the result and its score. */
  async function runAndSubmit(agent: TestAgent, unit: LeasedUnit) {
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
    return { outcome, hiveScore: answer.json().score as number };
  }

  it("searches on a worker thread and finds a result the hive accepts as it is", async () => {
    const agent = await registerAgent(hive.app);
    const { job, units } = await leasedJob(hive.app, hive.auth.alice, agent, 2, 31);
    const [fresh, leased] = units as [LeasedUnit, LeasedUnit];
    const { swapped } = await layoutsOf(job.content, hive.coordinator);
    const onBest = { ...leased, startLayouts: [swapped.text] };
    for (const unit of [fresh, onBest]) {
      const { outcome, hiveScore } = await runAndSubmit(agent, unit);
      assert.equal(hiveScore, outcome.score);
    }
    assert.equal((await hive.app.inject({ url: `/jobs/${job.id}` })).json().status, "completed");
  });

  it("searches a job posed with place, exclude and stayClose as posed, also from a best layout so far", async () => {
    const agent = await registerAgent(hive.app);
    // A penalty far above what any move gains: a unit stays close to where it counts moves from,
    // which is the job's start layout even for a unit started from a best layout so far.
    const posed = { place: "etaoinsr", exclude: ["r1c4"], stayClose: 100 };
    const { job, units } = await leasedJob(hive.app, hive.auth.alice, agent, 2, 33, posed);
    const [fresh, leased] = units as [LeasedUnit, LeasedUnit];
    const { start, swapped } = await layoutsOf(job.content, hive.coordinator);
    const onBest = { ...leased, startLayouts: [swapped.text] };
    const fixed = (text: string) => text.split(/\s+/).filter((char) => !posed.place.includes(char));
    for (const unit of [fresh, onBest]) {
      const { outcome, hiveScore } = await runAndSubmit(agent, unit);
      assert.deepEqual(fixed(outcome.layout), fixed(start.text), "only placed characters move");
      // The hive's own score, within rounding: the agent's sums its moves' deltas, 100 each.
      assert.ok(Math.abs(hiveScore - outcome.score) < 1e-9, `${hiveScore} ${outcome.score}`);
    }
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
