import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { jsonDepth } from "../../src/core/json-depth.ts";

/** The depth by the definition, recursively: for values shallow enough to recurse into. */
function depthByRecursion(value: unknown): number {
  if (value === null || typeof value !== "object") return 0;
  return 1 + Math.max(0, ...Object.values(value).map(depthByRecursion));
}

describe("jsonDepth", () => {
  it("counts the levels of nesting of any JSON value", () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        assert.equal(jsonDepth(value), depthByRecursion(value));
      }),
    );
    assert.equal(jsonDepth("x"), 0);
    assert.equal(jsonDepth({}), 1);
    assert.equal(jsonDepth({ a: [1, { b: [] }] }), 4);
  });

  it("measures values nested far deeper than the call stack reaches", () => {
    let value: unknown = 0;
    for (let i = 0; i < 1_000_000; i++) value = [value];
    assert.equal(jsonDepth(value), 1_000_000);
  });
});
