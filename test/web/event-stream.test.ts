import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { JOB_STREAM_TYPES, jobStreamMessage } from "../../web/src/data/event-stream.ts";

const ID = "a".repeat(64);

describe("a job's event stream in the browser", () => {
  it("takes the protocol's events, and listens for every type of them and the snapshot", () => {
    const done = { type: "unit.done", jobId: ID, unitId: `${ID}.0`, score: 12.5 };
    assert.deepEqual(jobStreamMessage("unit.done", JSON.stringify(done)), done);
    for (const type of ["snapshot", "unit.done", "job.progress", "job.completed", "job.cancelled"])
      assert.ok(JOB_STREAM_TYPES.includes(type), type);
  });

  it("drops what is not the protocol's: not JSON, the wrong shape, a type unlike its name", () => {
    const done = { type: "unit.done", jobId: ID, unitId: `${ID}.0`, score: 12.5 };
    for (const [type, data] of [
      ["unit.done", "{not json"],
      ["unit.done", JSON.stringify({ ...done, score: "12" })],
      ["unit.done", JSON.stringify({ ...done, extra: "<img onerror>" })],
      ["job.completed", JSON.stringify(done)],
      ["snapshot", JSON.stringify({ id: ID })],
      ["snapshot", "null"],
    ] as const) {
      assert.equal(jobStreamMessage(type, data), null, `${type} ${data}`);
    }
  });
});
