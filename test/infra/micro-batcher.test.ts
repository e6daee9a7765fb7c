import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { MicroBatcher } from "../../src/infra/micro-batcher.ts";

/** A batcher that doubles numbers and records the batches it ran. */
function doubler(options: { maxBatch: number; maxInFlight: number }, failOn?: number) {
  const batches: number[][] = [];
  let running = 0;
  let mostRunning = 0;
  const batcher = new MicroBatcher<number, number>(async (items) => {
    batches.push(items);
    running++;
    mostRunning = Math.max(mostRunning, running);
    await new Promise((resolve) => setTimeout(resolve, 5));
    running--;
    if (failOn !== undefined && items.includes(failOn)) throw new Error(`no ${failOn}`);
    return items.map((item) => item * 2);
  }, options);
  return { batcher, batches, mostRunning: () => mostRunning };
}

describe("MicroBatcher", () => {
  it("runs a lone call by itself", async () => {
    const { batcher, batches } = doubler({ maxBatch: 10, maxInFlight: 1 });
    assert.equal(await batcher.submit(4), 8);
    assert.deepEqual(batches, [[4]]);
  });

  it("gathers calls of the same turn and of the time a batch runs, in order", async () => {
    const { batcher, batches, mostRunning } = doubler({ maxBatch: 3, maxInFlight: 1 });
    const first = [1, 2, 3, 4].map((n) => batcher.submit(n));
    await new Promise((resolve) => setTimeout(resolve, 1));
    const later = [5, 6].map((n) => batcher.submit(n));
    assert.deepEqual(await Promise.all([...first, ...later]), [2, 4, 6, 8, 10, 12]);
    assert.deepEqual(batches, [
      [1, 2, 3],
      [4, 5, 6],
    ]);
    assert.equal(mostRunning(), 1);
  });

  it("runs up to maxInFlight batches at once", async () => {
    const { batcher, batches, mostRunning } = doubler({ maxBatch: 2, maxInFlight: 2 });
    await Promise.all([1, 2, 3, 4, 5].map((n) => batcher.submit(n)));
    assert.deepEqual(batches, [[1, 2], [3, 4], [5]]);
    assert.equal(mostRunning(), 2);
  });

  it("fails every call of a failed batch, and only those", async () => {
    const { batcher } = doubler({ maxBatch: 2, maxInFlight: 1 }, 3);
    const outcomes = await Promise.allSettled([1, 2, 3, 4, 5].map((n) => batcher.submit(n)));
    assert.deepEqual(
      outcomes.map((o) => o.status),
      ["fulfilled", "fulfilled", "rejected", "rejected", "fulfilled"],
    );
  });

  it("fails a batch whose run answers the wrong number of items", async () => {
    const batcher = new MicroBatcher<number, number>(async () => [1], {
      maxBatch: 4,
      maxInFlight: 1,
    });
    const outcomes = await Promise.allSettled([1, 2].map((n) => batcher.submit(n)));
    assert.deepEqual(
      outcomes.map((o) => o.status),
      ["rejected", "rejected"],
    );
  });
});
