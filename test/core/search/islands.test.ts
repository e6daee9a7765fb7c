import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { KeyForgeError } from "../../../src/core/errors.ts";
import { layoutOfItems, scoreItems } from "../../../src/core/scoring/layout-scorer.ts";
import { adoptMigrant, type Island } from "../../../src/core/search/island.ts";
import { type SearchOptions, searchLayouts } from "../../../src/core/search/layout-search.ts";
import { sequentialRunner } from "../../../src/core/search/sequential-runner.ts";
import { keysApart, TopLayouts } from "../../../src/core/search/top-layouts.ts";
import { letterBlockProblem } from "../../../src/infra/letter-block-problem.ts";

const problem = await letterBlockProblem("corne");
const base: SearchOptions = {
  seed: 21,
  threads: 1,
  replicasPerThread: 4,
  epochSteps: 1000,
  budget: { steps: 40_000 },
  randomStart: true,
};

function search(options: Partial<SearchOptions> = {}) {
  return searchLayouts(problem, { ...base, ...options }, sequentialRunner);
}

/** A deep copy of an island, so a search that continues it leaves the original alone. */
function copyOf(island: Island): Island {
  return structuredClone(island);
}

describe("islands", () => {
  it("adopt a migrant into the coldest replica when it beats their best, and never a worse or equal one", async () => {
    const { islands, model } = await search({ randomStart: true, budget: { steps: 4000 } });
    const island = copyOf(islands[0] as Island);
    const before = copyOf(island);
    const worse = island.replicas.reduce((a, b) => (b.score > a.score ? b : a));
    assert.ok(worse.score > island.best.score);
    assert.equal(adoptMigrant(island, worse.items, worse.score), false, "a worse layout");
    assert.equal(adoptMigrant(island, island.best.items, island.best.score), false, "its own best");
    assert.deepEqual(island, before, "nothing changed");

    const better = await search({ seed: 5, budget: { steps: 200_000 } });
    assert.ok(better.best.score < island.best.score);
    assert.equal(adoptMigrant(island, better.best.items, better.best.score), true);
    const coldest = island.replicas.reduce((a, b) => (b.temperature < a.temperature ? b : a));
    assert.deepEqual(Array.from(coldest.items), Array.from(better.best.items));
    assert.equal(coldest.score, better.best.score);
    assert.equal(island.best.score, better.best.score);
    assert.equal(scoreItems(model, coldest.items), coldest.score);
    const others = island.replicas.filter((replica) => replica !== coldest);
    const othersBefore = before.replicas.filter((replica) => replica.id !== coldest.id);
    assert.deepEqual(others, othersBefore, "the other replicas keep their places");
  });

  it("continue where they stopped: a search resumed from its islands ends where one uninterrupted search does", async () => {
    const whole = await search({ budget: { steps: 80_000 } });
    const first = await search({ budget: { steps: 40_000 } });
    const handedOver = copyOf(first.islands[0] as Island);
    const temperatures = handedOver.replicas.map((replica) => replica.temperature);
    const resumed = await search({
      seed: 999, // a resumed island draws from its own streams, not from the seed
      budget: { steps: 40_000 },
      resume: [handedOver],
    });
    assert.deepEqual(Array.from(resumed.best.items), Array.from(whole.best.items));
    assert.equal(resumed.best.score, whole.best.score);
    const [wholeIsland] = whole.islands;
    assert.deepEqual(
      resumed.islands[0]?.replicas.map((replica) => replica.temperature).sort(),
      wholeIsland?.replicas.map((replica) => replica.temperature).sort(),
      "the same ladder",
    );
    assert.deepEqual(
      temperatures.slice().sort(),
      wholeIsland?.replicas.map((replica) => replica.temperature).sort(),
      "the ladder is kept, not calibrated again",
    );
    assert.equal(resumed.steps, 40_000, "the budget is the resumed search's own");
  });

  it("refuses islands of another problem, or a number of them other than the threads", async () => {
    const { islands } = await search();
    const other = await letterBlockProblem("ansi");
    await assert.rejects(
      searchLayouts(other, { ...base, resume: islands }, sequentialRunner),
      (error: unknown) => error instanceof KeyForgeError && error.code === "SEARCH_RESUME_INVALID",
    );
    await assert.rejects(
      search({ threads: 2, resume: islands }),
      (error: unknown) => error instanceof KeyForgeError && error.code === "SEARCH_RESUME_INVALID",
    );
  });

  it("share their best: with migration, two islands end on a layout at least as good as without", async () => {
    const options = { threads: 2, budget: { steps: 400_000 } } as const;
    const never = await search({ ...options, migrationEpochs: Number.POSITIVE_INFINITY });
    const shared = await search({ ...options, migrationEpochs: 5 });
    const [a, b] = shared.islands;
    assert.ok(a && b);
    // After the last migration both islands hold the search's best (or one found since).
    assert.ok(Math.abs(a.best.score - b.best.score) < 0.05 * Math.abs(shared.best.score));
    assert.ok(
      shared.best.score <= never.best.score + 1e-9,
      `${shared.best.score} vs ${never.best.score}`,
    );
  });

  it("take migrants offered from elsewhere, and leave out those the search could not have found", async () => {
    const elsewhere = await search({ seed: 8, budget: { steps: 300_000 } });
    const found = layoutOfItems(elsewhere.model, elsewhere.best.items, "found");
    let asked = 0;
    const taken = await search({
      budget: { steps: 8000 },
      migrants: () => (asked++ === 0 ? [found] : []),
    });
    assert.ok(asked > 1, "asked after every epoch");
    assert.ok(taken.best.score <= elsewhere.best.score + 1e-9);
    // Pinned where the start layout has it, a character the migrant moved makes it impossible.
    const moved = problem.start.chars.find(
      (char, key) => char !== null && found.chars[key] !== char,
    ) as string;
    const refused = await searchLayouts(
      { ...problem, pins: [moved] },
      { ...base, budget: { steps: 8000 }, migrants: () => [found] },
      sequentialRunner,
    );
    assert.ok(refused.best.score > elsewhere.best.score + 1e-9, "the migrant was left out");
  });
});

describe("the top layouts", () => {
  it("keep the best and only alternatives at least the distance apart, each the best of its neighbourhood", async () => {
    const { top, best } = await search({
      threads: 2,
      budget: { steps: 200_000 },
      top: 5,
      topDistance: 6,
    });
    assert.equal(top[0]?.score, best.score);
    for (const [i, a] of top.entries()) {
      for (const b of top.slice(i + 1)) assert.ok(keysApart(a.items, b.items) >= 6);
    }
  });

  it("hold for any order of offers (property)", () => {
    const size = 12;
    let state = 7;
    const next = () => {
      state = (Math.imul(state, 1103515245) + 12345) >>> 0;
      return state / 2 ** 32;
    };
    for (let run = 0; run < 200; run++) {
      const distance = 1 + Math.floor(next() * 6);
      const top = new TopLayouts(4, distance);
      const offered: { items: Int32Array; score: number }[] = [];
      for (let offer = 0; offer < 40; offer++) {
        const items = Int32Array.from({ length: size }, (_, k) => k);
        for (let swap = Math.floor(next() * 5); swap > 0; swap--) {
          const i = Math.floor(next() * size);
          const j = Math.floor(next() * size);
          [items[i], items[j]] = [items[j] as number, items[i] as number];
        }
        const score = Math.round(next() * 100);
        offered.push({ items, score });
        top.offer(items, score);
      }
      const kept = top.list();
      const best = Math.min(...offered.map((entry) => entry.score));
      assert.equal(kept[0]?.score, best, "the best is always kept");
      for (const [i, a] of kept.entries()) {
        if (i > 0) assert.ok((kept[i - 1]?.score ?? 0) <= a.score, "lowest score first");
        for (const b of kept.slice(i + 1)) assert.ok(keysApart(a.items, b.items) >= distance);
      }
      assert.ok(kept.length <= 4);
    }
  });
});
