import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { periodSeconds, portNumber } from "../../src/cli/flag-values.ts";

describe("flag values", () => {
  it("reads a port, 0 included (any free port)", () => {
    assert.equal(portNumber("3001"), 3001);
    assert.equal(portNumber("0"), 0);
    for (const bad of ["-1", "65536", "80.5", "http", ""]) {
      assert.throws(() => portNumber(bad), /is not a port number/, bad);
    }
  });

  it("reads a period in seconds, above zero and at most a day", () => {
    assert.equal(periodSeconds("60"), 60);
    assert.equal(periodSeconds("0.5"), 0.5);
    for (const bad of ["0", "-5", "86401", "soon", "NaN"]) {
      assert.throws(() => periodSeconds(bad), /is not a number of seconds/, bad);
    }
  });
});
