import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { charsAfter, NO_EDITS, redo, undo, withSwap } from "../../web/src/analysis/edit-history.ts";

describe("edit history", () => {
  const start = ["a", "b", "c", null];

  it("swaps, undoes and redoes, in order", () => {
    const one = withSwap(NO_EDITS, 0, 1);
    const two = withSwap(one, 1, 3);
    assert.deepEqual(charsAfter(start, two.done), ["b", null, "c", "a"]);
    const undone = undo(two);
    assert.deepEqual(charsAfter(start, undone.done), ["b", "a", "c", null]);
    assert.deepEqual(undone.undone, [{ a: 1, b: 3 }]);
    assert.deepEqual(redo(undone), two);
    assert.deepEqual(undo(undo(undo(two))), {
      done: [],
      undone: [
        { a: 0, b: 1 },
        { a: 1, b: 3 },
      ],
    });
  });

  it("forgets what was undone at the next new swap, and ignores a key swapped with itself", () => {
    const undone = undo(withSwap(NO_EDITS, 0, 1));
    assert.deepEqual(withSwap(undone, 2, 3), { done: [{ a: 2, b: 3 }], undone: [] });
    assert.equal(withSwap(undone, 2, 2), undone);
    assert.equal(redo(NO_EDITS), NO_EDITS);
    assert.equal(undo(NO_EDITS), NO_EDITS);
  });

  it("leaves the start as it was", () => {
    charsAfter(start, [{ a: 0, b: 2 }]);
    assert.deepEqual(start, ["a", "b", "c", null]);
  });
});
