import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Board } from "../../../src/core/board.ts";
import { parseBoard } from "../../../src/core/board-validation.ts";
import { corpusFromTables } from "../../../src/core/corpus.ts";
import { countDocuments } from "../../../src/core/count-documents.ts";
import { parseLayout } from "../../../src/core/layout.ts";
import { evaluateLayout } from "../../../src/core/scoring/layout-evaluation.ts";
import { DEFAULT_NORMALIZATION } from "../../../src/core/text-normalization.ts";
import { loadWeights } from "../../../src/infra/system-data.ts";

const weights = await loadWeights("balanced");
/** A corpus of `text` as typed: capitals kept. */
function typedCorpus(text: string) {
  const normalization = { ...DEFAULT_NORMALIZATION, caseFold: false };
  return corpusFromTables(countDocuments([text], normalization), {
    id: "typed",
    name: "typed",
    description: "",
    sources: [{ name: "typed", licence: "CC0", provenance: "test" }],
    normalization,
  });
}

/**
 * One row of four keys, a and b on the left hand (pinky, index), c and d on the right (index,
 * pinky), and the Shift keys each test gives it.
 */
function rowBoard(shiftKeys?: readonly object[]): Board {
  const keys = ["a", "b", "c", "d"].map((id, col) => ({
    id,
    x: col,
    y: 0,
    hand: col < 2 ? "left" : "right",
    finger: col === 0 || col === 3 ? "pinky" : "index",
    home: true,
    row: 0,
    col,
  }));
  return parseBoard(
    { format: "keyforge-board/1", name: "row", keys, ...(shiftKeys && { shiftKeys }) },
    "row",
  );
}

const LEFT_SHIFT = { id: "shift-l", x: 0, y: 1, hand: "left", finger: "pinky" };
const RIGHT_SHIFT = { id: "shift-r", x: 3, y: 1, hand: "right", finger: "pinky" };

/** `text` analysed with layout "a b ; d": the Shift characters are A, B, : and D. */
function shiftOf(board: Board, text: string) {
  const layout = parseLayout("a b ; d", board, "row");
  return evaluateLayout({ board, corpus: typedCorpus(text), weights, layout }).shift;
}

describe("Shift use", () => {
  it("counts the keystrokes typed with Shift, on the key of their base character", () => {
    const board = rowBoard([LEFT_SHIFT, RIGHT_SHIFT]);
    const shift = shiftOf(board, "abAB;:");
    assert.ok(shift, "a board with Shift keys");
    assert.equal(shift.usage.toFixed(6), (100 * (3 / 6)).toFixed(6));
    assert.equal(shift.sameFinger, 0, "the other hand's Shift is always there");
  });

  it("puts Shift and the key on one finger when the only Shift is that finger's", () => {
    const board = rowBoard([LEFT_SHIFT]);
    const shift = shiftOf(board, "AAAB:D");
    assert.ok(shift);
    assert.equal(shift.usage.toFixed(6), "100.000000");
    // A is the left pinky's key, and the left pinky holds the only Shift; B (left index)
    // takes the same Shift with another finger; : and D are on the right hand.
    assert.equal(shift.sameFinger.toFixed(6), (100 * (3 / 6)).toFixed(6));
  });

  it("is not reported on a board without Shift keys", () => {
    assert.equal(shiftOf(rowBoard(), "abAB"), undefined);
  });
});
