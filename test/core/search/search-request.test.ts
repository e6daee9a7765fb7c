import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { KeyForgeError } from "../../../src/core/errors.ts";
import type { Layout } from "../../../src/core/layout.ts";
import { itemsOfLayout, scoreItems } from "../../../src/core/scoring/layout-scorer.ts";
import type { ScoringModel } from "../../../src/core/scoring/model.ts";
import {
  compileSearchModel,
  keysOutsideLetterBlock,
} from "../../../src/core/search/search-problem.ts";
import { type SearchRequest, searchProblemOf } from "../../../src/core/search/search-request.ts";
import { loadBoard, loadCorpus, loadLayout, loadWeights } from "../../../src/infra/system-data.ts";

const board = await loadBoard("corne");
const on = {
  board,
  corpus: await loadCorpus("en"),
  weights: await loadWeights("balanced"),
  start: await loadLayout("qwerty", board),
};
const keyOf = (id: string) => board.keys.findIndex((key) => key.id === id);

function posed(request: Partial<SearchRequest>) {
  return searchProblemOf(on, { pins: "", allKeys: false, ...request });
}

function refused(request: Partial<SearchRequest>, code: string, message: RegExp) {
  assert.throws(
    () => posed(request),
    (error: unknown) =>
      error instanceof KeyForgeError && error.code === code && message.test(error.message),
  );
}

describe("a search request", () => {
  it("searches the letter block by default, every key with allKeys, fewer with exclude", () => {
    assert.deepEqual(posed({}).excludedKeys, keysOutsideLetterBlock(board));
    assert.deepEqual(posed({ allKeys: true }).excludedKeys, []);
    assert.deepEqual(posed({ allKeys: true, exclude: ["r1c4", "r0c1", "r1c4"] }).excludedKeys, [
      keyOf("r0c1"),
      keyOf("r1c4"),
    ]);
    const both = posed({ exclude: ["r1c4"] }).excludedKeys;
    assert.deepEqual(
      both,
      [...keysOutsideLetterBlock(board), keyOf("r1c4")].sort((a, b) => a - b),
    );
  });

  it("pins the pinned characters and, with place, every character not placed", () => {
    assert.deepEqual(posed({ pins: "etne" }).pins, ["e", "t", "n"]);
    const placed = posed({ pins: "q", place: "etaoin" });
    const chars = on.start.chars.filter((c): c is string => c !== null);
    assert.deepEqual(
      [...placed.pins].sort(),
      chars.filter((c) => c === "q" || !"etaoin".includes(c)).sort(),
    );
    assert.equal(compileSearchModel(placed).movableKeys.length, 6, "the six placed characters");
  });

  it("anchors the start layout with stayClose, and keeps that anchor when a unit starts elsewhere", () => {
    assert.equal(posed({}).movePenalty, undefined);
    assert.equal(posed({}).anchor, undefined);
    const close = posed({ stayClose: 0.5 });
    assert.equal(close.movePenalty, 0.5);
    assert.equal(close.anchor, on.start);
    const model = compileSearchModel(close);
    const plain = compileSearchModel(posed({}));
    assert.equal(model.anchorPenalty, 0.5);
    const scoreOf = (m: ScoringModel, layout: Layout) => scoreItems(m, itemsOfLayout(m, layout));
    assert.equal(scoreOf(model, on.start), scoreOf(plain, on.start), "nothing moved, no penalty");
    // An agent's unit may start from a best layout so far: moves still count from the job's
    // start, so the hive, re-scoring with the job's own problem, finds the unit's score.
    const [a, b] = [keyOf("r1c1"), keyOf("r1c2")];
    const chars = [...on.start.chars];
    [chars[a], chars[b]] = [chars[b] ?? null, chars[a] ?? null];
    const best = { ...on.start, chars };
    const unit = compileSearchModel({ ...close, start: best });
    assert.equal(scoreOf(unit, best), scoreOf(model, best));
    assert.ok(Math.abs(scoreOf(model, best) - scoreOf(plain, best) - 2 * 0.5) < 1e-9);
  });

  it("refuses what the board or the start layout does not have, naming it", () => {
    refused({ pins: "e☃" }, "PIN_UNKNOWN_CHAR", /^cannot pin "☃": the layout does not have it$/);
    refused(
      { place: "et€" },
      "PIN_UNKNOWN_CHAR",
      /^cannot place "€": the layout does not have it$/,
    );
    refused(
      { exclude: ["r0c1", "nokey", "nokey", "r9c9"] },
      "FLAG_INVALID",
      /^--exclude names keys board corne does not have: nokey, r9c9$/,
    );
    for (const stayClose of [-1, Number.NaN, Number.POSITIVE_INFINITY]) {
      refused({ stayClose }, "FLAG_INVALID", /--stay-close must be a number of 0 or more/);
    }
  });

  it("leaves to compiling whether anything is left to move", () => {
    const everything = posed({ place: "" });
    assert.throws(
      () => compileSearchModel(everything),
      (error: unknown) => error instanceof KeyForgeError && error.code === "SEARCH_NOTHING_TO_MOVE",
    );
  });
});
