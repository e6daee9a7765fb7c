import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { evaluateLayout } from "../../src/core/scoring/layout-evaluation.ts";
import {
  builtinIds,
  loadBoard,
  loadCorpus,
  loadLayout,
  loadWeights,
} from "../../src/infra/system-data.ts";
import {
  compareFromQuery,
  compareToQuery,
  DEFAULT_COMPARE,
  togglePick,
} from "../../web/src/analysis/compare-view.ts";
import { rankLayouts } from "../../web/src/analysis/layout-ranking.ts";

describe("compare view", () => {
  it("comes back from its query, and reads a broken one as the defaults", () => {
    const view = {
      ...DEFAULT_COMPARE,
      board: "corne",
      sort: "rollIn" as const,
      descending: true,
      picked: ["graphite", "sturdy"],
    };
    assert.deepEqual(compareFromQuery(compareToQuery(view)), view);
    assert.deepEqual(compareFromQuery("sort=nonsense&pick=../x,a,b,c&desc=yes"), {
      ...DEFAULT_COMPARE,
      picked: ["a", "b"],
    });
  });

  it("keeps at most two picks, the newest, and drops a pick picked again", () => {
    assert.deepEqual(togglePick([], "a"), ["a"]);
    assert.deepEqual(togglePick(["a", "b"], "c"), ["b", "c"]);
    assert.deepEqual(togglePick(["a", "b"], "a"), ["b"]);
  });
});

describe("ranking in the browser", () => {
  it("gives each layout exactly the numbers of keyforge analyze, models shared by character set", async () => {
    const board = await loadBoard("ortho-3x10");
    const [corpus, weights] = await Promise.all([loadCorpus("en"), loadWeights("balanced")]);
    const layouts = await Promise.all(
      (await builtinIds("layouts")).slice(0, 8).map((name) => loadLayout(name, board)),
    );
    const ranked = rankLayouts(board, corpus, weights, layouts);
    for (const [i, layout] of layouts.entries()) {
      const alone = evaluateLayout({ board, corpus, weights, layout });
      assert.equal(ranked[i]?.score, alone.score, layout.name);
      assert.deepEqual(ranked[i]?.metrics, alone.metrics, layout.name);
    }
  });
});
