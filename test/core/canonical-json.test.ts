import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { canonicalJson, MAX_CANONICAL_DEPTH } from "../../src/core/canonical-json.ts";
import { KeyForgeError } from "../../src/core/errors.ts";

/** The same object with its keys in a shuffled order, at every depth. */
function reordered(value: unknown, seed: number): unknown {
  if (Array.isArray(value)) return value.map((v, i) => reordered(v, seed + i));
  if (value === null || typeof value !== "object") return value;
  const entries = Object.entries(value);
  const rotated = entries.map((_, i) => entries[(i + seed) % entries.length] as [string, unknown]);
  return Object.fromEntries(rotated.reverse().map(([k, v]) => [k, reordered(v, seed + 1)]));
}

describe("canonicalJson", () => {
  it("is the same text whatever order the keys were written in", () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.nat(100), (value, seed) => {
        assert.equal(canonicalJson(reordered(value, seed)), canonicalJson(value));
      }),
    );
  });

  it("is valid JSON that parses back to an equal value", () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const normalised = JSON.parse(JSON.stringify(value));
        assert.deepEqual(JSON.parse(canonicalJson(value)), normalised);
      }),
    );
  });

  it("sorts keys, drops undefined fields and writes no whitespace", () => {
    assert.equal(
      canonicalJson({ b: [1, { d: true, c: null }], a: "x", skipped: undefined, z: -0 }),
      '{"a":"x","b":[1,{"c":null,"d":true}],"z":0}',
    );
  });

  it("refuses values JSON cannot hold", () => {
    assert.throws(() => canonicalJson({ x: Number.NaN }), /no JSON form/);
    assert.throws(() => canonicalJson([() => 1]), /no JSON form/);
  });

  it("refuses a value nested too deeply with a typed error, never a stack overflow", () => {
    const nested = (levels: number, leaf: unknown = 1) => {
      let value: unknown = leaf;
      for (let i = 0; i < levels; i++) value = i % 2 === 0 ? [value] : { a: value };
      return value;
    };
    const deepest = nested(MAX_CANONICAL_DEPTH);
    assert.equal(canonicalJson(deepest), JSON.stringify(deepest));
    for (const levels of [MAX_CANONICAL_DEPTH + 1, 100_000]) {
      assert.throws(
        () => canonicalJson(nested(levels)),
        (error) => error instanceof KeyForgeError && error.code === "JSON_TOO_DEEP",
      );
    }
  });
});
