import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { BoundedCache } from "../../src/infra/bounded-cache.ts";

describe("bounded cache", () => {
  it("keeps the newest entries, dropping the oldest", () => {
    const cache = new BoundedCache<string, number>(2);
    cache.set("a", 1);
    cache.set("b", 2);
    cache.set("a", 3);
    cache.set("c", 4);
    assert.deepEqual(
      ["a", "b", "c"].map((key) => cache.get(key)),
      [3, undefined, 4],
    );
    cache.delete("a");
    assert.equal(cache.get("a"), undefined);
  });
});
