import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { coalesced } from "../../web/src/data/coalesced.ts";

describe("coalesced reads", () => {
  it("run once at a time: a burst of calls while one runs makes one more run, not one each", async () => {
    let runs = 0;
    let finish: () => void = () => {};
    const read = coalesced(async () => {
      runs++;
      await new Promise<void>((resolve) => {
        finish = resolve;
      });
    });
    read();
    for (let i = 0; i < 5; i++) read();
    assert.equal(runs, 1);
    finish();
    await new Promise((resolve) => setTimeout(resolve, 0));
    assert.equal(runs, 2);
    finish();
    await new Promise((resolve) => setTimeout(resolve, 0));
    assert.equal(runs, 2, "nothing came during the second run");
    read();
    assert.equal(runs, 3);
    finish();
  });
});
