import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { columns, table, truncate, wrap } from "../../src/cli/output.ts";

describe("terminal output (output.ts)", () => {
  it("cuts text to a width with an ellipsis, counting characters, not UTF-16 units", () => {
    assert.equal(truncate("abcdef", 6), "abcdef");
    assert.equal(truncate("abcdef", 4), "abc…");
    assert.equal(truncate("😀😀😀😀", 3), "😀😀…");
  });

  it("wraps text at spaces within a width, cutting only a word longer than it", () => {
    assert.deepEqual(wrap("3 units × 100,000 steps, seed 1, start qwerty", 20), [
      "3 units × 100,000",
      "steps, seed 1, start",
      "qwerty",
    ]);
    assert.deepEqual(wrap("abcdefghij kl", 4), ["abcd", "efgh", "ij", "kl"]);
    assert.deepEqual(wrap("", 10), [""]);
    for (const line of wrap("a long sentence that wraps over several lines of text", 12)) {
      assert.ok(columns(line) <= 12, line);
    }
  });

  it("lines up columns", () => {
    assert.equal(
      table([
        ["id", "name"],
        ["abc", "x"],
      ]),
      "id   name\nabc  x",
    );
  });
});
