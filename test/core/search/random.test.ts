import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Random } from "../../../src/core/search/random.ts";

describe("seeded random numbers", () => {
  it("repeat for the same seed and stream, and differ between streams", () => {
    const draw = (seed: number, stream: number) => {
      const random = Random.seeded(seed, stream);
      return Array.from({ length: 8 }, () => random.nextUint32());
    };
    assert.deepEqual(draw(42, 3), draw(42, 3));
    assert.notDeepEqual(draw(42, 3), draw(42, 4));
    assert.notDeepEqual(draw(42, 3), draw(43, 3));
  });

  it("continue from a copied state exactly", () => {
    const random = Random.seeded(7);
    random.next();
    const copy = new Random(random.state.slice());
    assert.deepEqual([random.next(), random.next()], [copy.next(), copy.next()]);
  });

  it("stay in range and spread over it", () => {
    const random = Random.seeded(1);
    const counts = new Array(10).fill(0);
    for (let i = 0; i < 10_000; i++) {
      const x = random.next();
      assert.ok(x >= 0 && x < 1);
      counts[random.below(10)]++;
    }
    for (const count of counts) assert.ok(count > 850 && count < 1150, `${count}`);
  });
});
