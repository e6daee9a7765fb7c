import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { JobEvent } from "../../src/protocol/job-events.ts";
import type { JobView } from "../../src/protocol/job-messages.ts";
import {
  type JobWatch,
  stepsOfHistory,
  watchWithEvent,
  watchWithView,
} from "../../web/src/jobs/job-watch.ts";

const ID = "a".repeat(64);
const CREATED = Date.parse("2026-01-01T00:00:00.000Z");

function viewOf(change: Partial<JobView> = {}): JobView {
  return {
    id: ID,
    name: "ansi, en",
    status: "running",
    priority: 0,
    bestScore: null,
    createdAt: new Date(CREATED).toISOString(),
    updatedAt: new Date(CREATED).toISOString(),
    finishedAt: null,
    startedAt: null,
    endsAt: null,
    endedBy: null,
    content: {
      format: "keyforge-job/1",
      board: { path: "boards/ansi.json", sha256: "b".repeat(64) },
      start: { path: "layouts/qwerty.json", sha256: "c".repeat(64) },
      corpora: [{ path: "corpora/en.json", sha256: "d".repeat(64), weight: 1 }],
      weights: { path: "weights/balanced.json", sha256: "e".repeat(64) },
      weightOverrides: {},
      search: { units: 4, stepsPerUnit: 10_000, seed: 1, pins: "", allKeys: false },
    },
    units: { total: 4, queued: 2, leased: 2, done: 0, failed: 0, cancelled: 0 },
    progress: 0,
    best: null,
    top: [],
    ...change,
  };
}

const applied = (watch: JobWatch, events: readonly JobEvent[], at = CREATED + 1000) =>
  events.reduce((state, event) => watchWithEvent(state, event, at), watch);

describe("a job's watch", () => {
  it("counts units as their events come, never past the job's units", () => {
    const watch = watchWithView(null, viewOf(), CREATED);
    const done = (unit: number): JobEvent => ({
      type: "unit.done",
      jobId: ID,
      unitId: `${ID}.${unit}`,
      score: 10,
    });
    const after = applied(watch, [
      done(0),
      done(1),
      { type: "unit.requeued", jobId: ID, unitId: `${ID}.2` },
      { type: "unit.failed", jobId: ID, unitId: `${ID}.3` },
    ]);
    assert.deepEqual(after.view.units, {
      total: 4,
      queued: 3,
      leased: 0,
      done: 2,
      failed: 1,
      cancelled: 0,
    });
    assert.equal(after.view.progress, 3 / 4);
    const repeated = applied(after, [done(0), done(1), done(2), done(3)]);
    assert.equal(repeated.view.units.done, 4);
    assert.equal(repeated.view.units.leased, 0);
  });

  it("counts a time-budgeted job's unit given back as withdrawn, and keeps its progress its time", () => {
    const base = viewOf();
    const timed = viewOf({
      units: { total: 2, queued: 0, leased: 2, done: 0, failed: 0, cancelled: 0 },
      progress: 0.25,
      content: {
        ...base.content,
        search: { seed: 1, pins: "", allKeys: false, timeSeconds: 600 },
      },
    });
    const after = applied(watchWithView(null, timed, CREATED), [
      { type: "unit.requeued", jobId: ID, unitId: `${ID}.0` },
      { type: "unit.done", jobId: ID, unitId: `${ID}.1`, score: 10 },
    ]);
    assert.deepEqual(after.view.units, {
      total: 2,
      queued: 0,
      leased: 0,
      done: 1,
      failed: 0,
      cancelled: 1,
    });
    assert.equal(after.view.progress, 0.25);
  });

  it("draws the best score over time from the snapshot and each new best, in seconds since the job began", () => {
    const watch = watchWithView(null, viewOf({ bestScore: 50 }), CREATED + 2000);
    const progress = (bestScore: number): JobEvent => ({
      type: "job.progress",
      jobId: ID,
      bestScore,
      layout: "q w e",
    });
    const later = watchWithEvent(
      watchWithEvent(watch, progress(40), CREATED + 5000),
      progress(45),
      CREATED + 6000,
    );
    assert.deepEqual(later.history, { seconds: [2, 5], scores: [50, 40] });
    assert.equal(later.view.bestScore, 40);
    // A fresh view of the same job keeps the history; another job's starts over.
    const again = watchWithView(later, viewOf({ bestScore: 30 }), CREATED + 8000);
    assert.deepEqual(again.history, { seconds: [2, 5, 8], scores: [50, 40, 30] });
    const other = watchWithView(again, viewOf({ id: "f".repeat(64), bestScore: 30 }), CREATED);
    assert.deepEqual(other.history, { seconds: [0], scores: [30] });
  });

  it("ends with the job, and ignores another job's events", () => {
    const watch = watchWithView(null, viewOf(), CREATED);
    const ended = watchWithEvent(
      watch,
      { type: "job.completed", jobId: ID, status: "completed" },
      CREATED + 9000,
    );
    assert.equal(ended.view.status, "completed");
    assert.equal(ended.view.finishedAt, new Date(CREATED + 9000).toISOString());
    const cancelled = watchWithEvent(watch, { type: "job.cancelled", jobId: ID }, CREATED);
    assert.equal(cancelled.view.status, "cancelled");
    const elsewhere = watchWithEvent(
      watch,
      { type: "job.cancelled", jobId: "f".repeat(64) },
      CREATED,
    );
    assert.equal(elsewhere, watch);
    const retried = watchWithEvent(
      cancelled,
      { type: "job.retried", jobId: ID, units: 2 },
      CREATED,
    );
    assert.equal(retried.view.status, "queued");
    assert.equal(retried.view.finishedAt, null);
  });

  it("charts the best score as steps that hold until the next best, and on to the end", () => {
    const history = { seconds: [2, 5], scores: [50, 40] };
    assert.deepEqual(stepsOfHistory(history, 9), {
      seconds: [2, 5, 5, 9],
      scores: [50, 50, 40, 40],
    });
    assert.deepEqual(stepsOfHistory(history, 5), { seconds: [2, 5, 5], scores: [50, 50, 40] });
    assert.deepEqual(stepsOfHistory({ seconds: [3], scores: [7] }, 3), {
      seconds: [3],
      scores: [7],
    });
    assert.deepEqual(stepsOfHistory({ seconds: [], scores: [] }, 3), { seconds: [], scores: [] });
  });
});
