import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { EventHub } from "../../src/hive/event-hub.ts";
import type { CoordinatorEvent } from "../../src/infra/coord/coordinator.ts";
import { MemoryCoordinator } from "../../src/infra/coord/memory-coordinator.ts";
import { eventually } from "../helpers/eventually.ts";

/** A hub on an in-memory bus, and what its one listener received. */
async function hubWithListener() {
  const coordinator = new MemoryCoordinator();
  const hub = new EventHub();
  await hub.start(coordinator);
  const received: string[] = [];
  hub.subscribe(
    (event: CoordinatorEvent) => received.push(`${event.type} ${event.bestScore ?? ""}`.trim()),
    () => received.push("end"),
  );
  const progress = (bestScore: number) =>
    coordinator.publishUpdate({ type: "job.progress", jobId: "j", bestScore, layout: "qwerty" });
  return { coordinator, hub, received, progress };
}

describe("event hub", () => {
  it("holds back a job's progress within a second, sending the latest at the interval's end", async () => {
    const { hub, received, progress } = await hubWithListener();
    await progress(3);
    await progress(2);
    await progress(1);
    assert.deepEqual(received, ["job.progress 3"]);
    await eventually("the held progress", () => received.length === 2, 3000);
    assert.deepEqual(received, ["job.progress 3", "job.progress 1"]);
    await hub.stop();
  });

  it("sends the held progress before the job's ending, and before its own end", async () => {
    const { coordinator, hub, received, progress } = await hubWithListener();
    await progress(3);
    await progress(2);
    await coordinator.publishUpdate({ type: "job.completed", jobId: "j", status: "completed" });
    assert.deepEqual(received, ["job.progress 3", "job.progress 2", "job.completed"]);
    await progress(1);
    await progress(0);
    await hub.stop();
    assert.deepEqual(received.slice(3), ["job.progress 1", "job.progress 0", "end"]);
  });
});
