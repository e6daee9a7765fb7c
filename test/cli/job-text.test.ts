import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { differingKeys, shortUnitId, unitStates } from "../../src/cli/job-text.ts";

const JOB = "8229bd927f458d57a3a0e0e9c095c140a856d07a96e7c8d5d9a59e18567d53fc";

describe("job text (job-text.ts)", () => {
  it("shortens a unit's job id to 12 hex digits and keeps its number", () => {
    assert.equal(shortUnitId(`${JOB}.17`), "8229bd927f45.17");
  });

  it("counts units done, running and queued, and failed or cancelled ones when there are any", () => {
    const units = { total: 8, done: 3, leased: 2, queued: 3, failed: 0, cancelled: 0 };
    assert.equal(unitStates(units), "3/8 done, 2 running, 3 queued");
    assert.equal(
      unitStates({ ...units, queued: 0, failed: 2, cancelled: 1 }),
      "3/8 done, 2 running, 0 queued, 2 failed, 1 cancelled",
    );
  });

  it("shows of each layout the keys where they differ, in columns, rows apart", () => {
    const layouts = [
      "_ q w e _\n_ a s d _\n\\s",
      "_ w q e _\n_ a s d _\n\\s",
      "_ q w e _\n_ a d s _\n\\s",
    ];
    assert.deepEqual(differingKeys(layouts), ["q w │ s d", "w q │ s d", "q w │ d s"]);
  });

  it("shows layouts that do not differ whole, a / key included", () => {
    assert.deepEqual(differingKeys(["a / c\nd e f\n"]), ["a / c │ d e f"]);
  });
});
