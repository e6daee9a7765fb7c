import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { KeyForgeError } from "../../../src/core/errors.ts";
import { layoutOfItems } from "../../../src/core/scoring/layout-scorer.ts";
import { type SearchOptions, searchLayouts } from "../../../src/core/search/layout-search.ts";
import type { SearchProblem } from "../../../src/core/search/search-problem.ts";
import { sequentialRunner } from "../../../src/core/search/sequential-runner.ts";
import { letterBlockProblem } from "../../../src/infra/letter-block-problem.ts";

const problem = await letterBlockProblem();
const base: SearchOptions = {
  seed: 11,
  threads: 2,
  replicasPerThread: 2,
  epochSteps: 2000,
  budget: { steps: 40_000 },
  randomStart: true,
};

function search(options: Partial<SearchOptions> = {}, overrides: Partial<SearchProblem> = {}) {
  return searchLayouts({ ...problem, ...overrides }, { ...base, ...options }, sequentialRunner);
}

function charsOf(result: Awaited<ReturnType<typeof search>>, items: Int32Array) {
  return layoutOfItems(result.model, items, "x").chars;
}

function codeOf(error: unknown): string {
  return error instanceof KeyForgeError ? error.code : String(error);
}

describe("layout search", () => {
  it("gives the same result for the same seed, steps and threads, and another for another seed", async () => {
    const first = await search();
    const second = await search();
    assert.deepEqual(Array.from(second.best.items), Array.from(first.best.items));
    assert.equal(second.best.score, first.best.score);
    assert.deepEqual(
      second.top.map((t) => t.score),
      first.top.map((t) => t.score),
    );
    const other = await search({ seed: 12 });
    assert.notDeepEqual(Array.from(other.best.items), Array.from(first.best.items));
  });

  it("improves on the start and reports its statistics", async () => {
    const result = await search();
    assert.ok(result.best.score < result.start.score);
    assert.ok(result.top.length >= 1 && result.top.length <= 5);
    assert.equal(result.top[0]?.score, result.best.score);
    for (let i = 1; i < result.top.length; i++)
      assert.ok((result.top[i - 1]?.score ?? 0) <= (result.top[i]?.score ?? 0));
    assert.ok(result.acceptance > 0 && result.acceptance < 1);
    assert.ok(result.stepsToBest > 0 && result.stepsToBest <= result.steps);
    assert.equal(result.reproducible, true);
  });

  it("spends the step budget and no more", async () => {
    const result = await search({ budget: { steps: 30_001 } });
    assert.ok(result.steps <= 30_001 && result.steps > 30_001 - 4, `${result.steps}`);
    assert.equal(result.stoppedBy, "steps");
  });

  it("stops on convergence and on wall time, and says a timed run is not reproducible", async () => {
    const converged = await search({ budget: { stagnationSteps: 8000, steps: 10_000_000 } });
    assert.equal(converged.stoppedBy, "convergence");
    const timed = await search({ budget: { timeMs: 50 } });
    assert.equal(timed.stoppedBy, "time");
    assert.equal(timed.reproducible, false);
  });

  it("keeps pinned characters on their keys and leaves excluded keys alone", async () => {
    const start = problem.start.chars;
    const pins = ["e", "t", "a"];
    const excludedKeys = [...problem.excludedKeys, 0, 9];
    const result = await search({}, { pins, excludedKeys });
    for (const entry of [result.best, ...result.top]) {
      const chars = charsOf(result, entry.items);
      for (const pin of pins) assert.equal(chars.indexOf(pin), start.indexOf(pin), `${pin} stays`);
      for (const key of excludedKeys) assert.equal(chars[key], start[key], `key ${key} untouched`);
    }
  });

  it("stays on the start layout when every move costs more than it can gain", async () => {
    const result = await search({ randomStart: false }, { movePenalty: 1e6 });
    assert.deepEqual(charsOf(result, result.best.items), problem.start.chars);
  });

  it("stops cleanly when asked, with the best found so far", async () => {
    const stop = new AbortController();
    const result = await search({
      budget: { steps: 10_000_000 },
      signal: stop.signal,
      onProgress: (progress) => {
        if (progress.steps >= 16_000) stop.abort();
      },
    });
    assert.equal(result.stoppedBy, "signal");
    assert.ok(result.steps < 10_000_000);
    assert.ok(result.best.score < result.start.score);
  });

  it("refuses a search without a budget or without keys to move", async () => {
    await assert.rejects(search({ budget: {} }), (e: unknown) => codeOf(e) === "SEARCH_NO_BUDGET");
    const everything = problem.board.keys.map((_, k) => k);
    await assert.rejects(
      search({}, { excludedKeys: everything }),
      (e: unknown) => codeOf(e) === "SEARCH_NOTHING_TO_MOVE",
    );
    await assert.rejects(
      search({}, { pins: ["☃"] }),
      (e: unknown) => codeOf(e) === "PIN_UNKNOWN_CHAR",
    );
  });
});
