import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { KeyForgeError } from "../../../src/core/errors.ts";
import { WEIGHTED_TERMS } from "../../../src/core/scoring/metric-catalogue.ts";
import {
  DEFAULT_WEIGHTS_ID,
  overrideWeights,
  parseWeights,
} from "../../../src/core/scoring/weights.ts";
import { loadWeights } from "../../../src/infra/system-data.ts";

const DEFAULT = JSON.parse(
  readFileSync(new URL("../../../data/system/weights/balanced.json", import.meta.url), "utf8"),
);

function codes(fn: () => unknown): string[] {
  try {
    fn();
  } catch (error) {
    if (error instanceof KeyForgeError) return [error.code, ...error.problems.map((p) => p.code)];
    throw error;
  }
  return [];
}

describe("weights", () => {
  it("reads the default weights, with a weight for every term", () => {
    const weights = parseWeights(DEFAULT, "balanced");
    assert.equal(weights.id, "balanced");
    assert.deepEqual(Object.keys(weights.weights).sort(), [...WEIGHTED_TERMS].sort());
    assert.ok(weights.weights.sfb > 0, "SFBs cost");
    assert.ok(weights.weights.rollIn < 0, "inward rolls are rewarded");
    assert.ok(weights.weights.rollIn < weights.weights.rollOut, "inward rolls more than outward");
    assert.ok(weights.parameters.fingerCaps.pinky < weights.parameters.fingerCaps.index);
  });

  it("ships the presets a user picks by name, the default among them", async () => {
    const [balanced, lowSfb, rolls] = await Promise.all(
      [DEFAULT_WEIGHTS_ID, "low-sfb", "rolls"].map((id) => loadWeights(id)),
    );
    assert.equal(balanced?.id, "balanced");
    assert.ok((lowSfb?.weights.sfb ?? 0) > (balanced?.weights.sfb ?? 0), "low-sfb: SFBs cost more");
    assert.ok((lowSfb?.weights.sfs ?? 0) > (balanced?.weights.sfs ?? 0), "low-sfb: SFSs cost more");
    assert.ok((rolls?.weights.rollIn ?? 0) < (balanced?.weights.rollIn ?? 0), "rolls: more reward");
    assert.ok((rolls?.weights.redirect ?? 0) > (balanced?.weights.redirect ?? 0));
  });

  it("names every problem of a bad weights file", () => {
    assert.deepEqual(
      codes(() => parseWeights({ ...DEFAULT, format: "genkey" }, "x")),
      ["WEIGHTS_INVALID", "WEIGHTS_FORMAT_UNSUPPORTED"],
    );
    assert.deepEqual(
      codes(() =>
        parseWeights({ ...DEFAULT, weights: { ...DEFAULT.weights, sbf: 3, sfs: "3" } }, "x"),
      ),
      ["WEIGHTS_INVALID", "WEIGHTS_FIELD_INVALID", "WEIGHTS_FIELD_INVALID"],
    );
    const badCoverage = { ...DEFAULT, parameters: { ...DEFAULT.parameters, trigramCoverage: 0 } };
    assert.deepEqual(
      codes(() => parseWeights(badCoverage, "x")),
      ["WEIGHTS_INVALID", "WEIGHTS_FIELD_INVALID"],
    );
    const swapped = {
      ...DEFAULT,
      parameters: { ...DEFAULT.parameters, halfScissor: 2, fullScissor: 1 },
    };
    assert.deepEqual(
      codes(() => parseWeights(swapped, "x")),
      ["WEIGHTS_INVALID"],
    );
  });

  it("weighs a term the file leaves out 0, so files written before a metric was added still read", () => {
    const { sfb: _sfb, ...noSfb } = DEFAULT.weights;
    const weights = parseWeights({ ...DEFAULT, weights: noSfb }, "x");
    assert.equal(weights.weights.sfb, 0);
    assert.equal(weights.weights.sfs, DEFAULT.weights.sfs);
  });

  it("overrides one weight or parameter from the command line", () => {
    const base = parseWeights(DEFAULT, "balanced");
    const changed = overrideWeights(base, ["sfb=25", "fingerCaps.pinky=7", "trigramCoverage=0.9"]);
    assert.equal(changed.weights.sfb, 25);
    assert.equal(changed.parameters.fingerCaps.pinky, 7);
    assert.equal(changed.parameters.trigramCoverage, 0.9);
    assert.equal(base.weights.sfb, DEFAULT.weights.sfb, "the base is left alone");
    assert.equal(overrideWeights(base, []), base);
  });

  it("rejects overrides that name nothing or set no number", () => {
    const base = parseWeights(DEFAULT, "balanced");
    for (const bad of ["sfb", "sfb=", "sfb=x", "nope=1", "fingerCaps.toe=1", "fingerCaps=3"]) {
      assert.deepEqual(
        codes(() => overrideWeights(base, [bad])).slice(0, 1),
        ["WEIGHT_OVERRIDE_INVALID"],
        bad,
      );
    }
    assert.deepEqual(codes(() => overrideWeights(base, ["trigramCoverage=2"])).slice(0, 1), [
      "WEIGHTS_INVALID",
    ]);
  });
});
