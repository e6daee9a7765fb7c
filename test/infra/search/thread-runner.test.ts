import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { KeyForgeError } from "../../../src/core/errors.ts";
import { searchLayouts } from "../../../src/core/search/layout-search.ts";
import { Random } from "../../../src/core/search/random.ts";
import { newReplica } from "../../../src/core/search/replica.ts";
import { compileSearchModel } from "../../../src/core/search/search-problem.ts";
import { sequentialRunner } from "../../../src/core/search/sequential-runner.ts";
import { letterBlockProblem } from "../../../src/infra/letter-block-problem.ts";
import { LOW_PRIORITY_NICENESS, threadRunner } from "../../../src/infra/search/thread-runner.ts";

const problem = await letterBlockProblem();

describe("search on worker threads", () => {
  it("finds exactly what the same search finds in one thread", async () => {
    const options = {
      seed: 5,
      threads: 2,
      replicasPerThread: 2,
      epochSteps: 3000,
      budget: { steps: 36_000 },
      randomStart: true,
    };
    const inThreads = await searchLayouts(problem, options, () => threadRunner(problem, 2));
    const inOne = await searchLayouts(problem, options, sequentialRunner);
    assert.deepEqual(Array.from(inThreads.best.items), Array.from(inOne.best.items));
    assert.equal(inThreads.best.score, inOne.best.score);
    assert.equal(inThreads.steps, inOne.steps);
  });

  it("lowers the priority of its search threads, and of nothing else in the process", {
    skip: process.platform !== "linux" && "nice values per thread are read from /proc (Linux)",
  }, async () => {
    /** The nice value of every thread of this process, by thread id (field 19 of its stat). */
    const niceValues = () =>
      readdirSync("/proc/self/task").map((task) => {
        const stat = readFileSync(`/proc/self/task/${task}/stat`, "utf8");
        return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[16]);
      });
    const before = niceValues();
    const model = compileSearchModel(problem);
    const runner = threadRunner(problem, 1, LOW_PRIORITY_NICENESS);
    try {
      const start = new Int32Array(model.size).map((_, i) => i);
      await runner.run([[newReplica(0, start, 0, 1, Random.seeded(1))]], 10);
      const during = niceValues();
      assert.equal(during.filter((nice) => nice === LOW_PRIORITY_NICENESS).length, 1, "the worker");
      assert.ok(
        before.every((nice) => nice !== LOW_PRIORITY_NICENESS),
        "none before",
      );
    } finally {
      await runner.close();
    }
  });

  it("fails with an error, not a hang, when a worker dies", async () => {
    const model = compileSearchModel(problem);
    const broken = { ...problem, corpus: undefined } as unknown as typeof problem;
    const runner = threadRunner(broken, 1);
    const replica = newReplica(
      0,
      new Int32Array(model.size).map((_, i) => i),
      0,
      1,
      Random.seeded(1),
    );
    try {
      await assert.rejects(
        runner.run([[replica]], 10),
        (e: unknown) => e instanceof KeyForgeError && e.code === "SEARCH_WORKER_FAILED",
      );
    } finally {
      await runner.close();
    }
  });
});
