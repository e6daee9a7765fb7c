import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  advanceUnitSteps,
  type ClusterReading,
  PaceTracker,
  paceOf,
  timeLeftText,
  unitSpeeds,
} from "../../src/protocol/job-pace.ts";

const JOB = "a".repeat(64);
const OTHER = "b".repeat(64);
const STEPS = 1_000_000;

/** A cluster whose nodes run the given units at the given speeds (steps/s of the whole node). */
function cluster(...nodes: [ips: number, units: string[]][]): ClusterReading {
  return {
    nodes: nodes.map(([ips, units]) => ({
      telemetry: { ips, units: units.map((unitId) => ({ unitId })) },
    })),
  };
}

describe("job pace (job-pace.ts)", () => {
  it("shares each node's speed among the units it runs and keeps the job's", () => {
    const speeds = unitSpeeds(
      cluster([300, [`${JOB}.0`, `${JOB}.1`, `${OTHER}.0`]], [80, [`${JOB}.2`]], [50, []]),
      JOB,
    );
    assert.deepEqual(
      speeds,
      new Map([
        [`${JOB}.0`, 100],
        [`${JOB}.1`, 100],
        [`${JOB}.2`, 80],
      ]),
    );
  });

  it("advances running units by their speed, never past a unit's steps, drops the others", () => {
    const steps = new Map([
      ["u.0", 100_000],
      ["u.1", 990_000],
      ["gone", 5],
    ]);
    const speeds = new Map([
      ["u.0", 50_000],
      ["u.1", 50_000],
      ["new", 50_000],
    ]);
    assert.deepEqual(
      advanceUnitSteps(steps, speeds, 2000, STEPS),
      new Map([
        ["u.0", 200_000],
        ["u.1", STEPS],
        ["new", 100_000],
      ]),
    );
    assert.deepEqual(advanceUnitSteps(steps, speeds, -5000, STEPS).get("u.0"), 100_000);
  });

  it("counts the steps left and the time they take at the job's speed", () => {
    const pace = paceOf(
      { queued: 2, leased: 2 },
      STEPS,
      new Map([
        ["u.0", 250_000],
        ["u.1", 750_000],
      ]),
      100_000,
    );
    assert.deepEqual(pace, {
      stepsPerSecond: 100_000,
      remainingSteps: 3_000_000,
      remainingMs: 30_000,
    });
    assert.equal(paceOf({ queued: 3, leased: 0 }, STEPS, new Map(), 0).remainingMs, null);
  });

  it("says what it knows of the time left", () => {
    const running = { queued: 1, leased: 1 };
    const pace = (remainingSteps: number, remainingMs: number | null) => ({
      stepsPerSecond: remainingMs === null ? 0 : 1,
      remainingSteps,
      remainingMs,
    });
    assert.equal(timeLeftText(null, running), "estimating…");
    assert.equal(timeLeftText(pace(STEPS, null), running), "estimating…");
    assert.equal(timeLeftText(pace(STEPS, null), { queued: 4, leased: 0 }), "waiting for an agent");
    assert.equal(timeLeftText(pace(STEPS, 100_000), running), "~1m 40s left");
    assert.equal(timeLeftText(pace(0, 0), running), "finishing…");
  });

  it("tracks a job across readings: units seen running count their steps from then on", () => {
    const tracker = new PaceTracker(JOB);
    const units = { queued: 2, leased: 2 };
    assert.equal(tracker.paceAt(units, STEPS, 0), null, "nothing before the first reading");

    tracker.observe(cluster([100_000, [`${JOB}.0`, `${JOB}.1`]]), STEPS, 0);
    assert.deepEqual(tracker.paceAt(units, STEPS, 0), {
      stepsPerSecond: 100_000,
      remainingSteps: 4_000_000,
      remainingMs: 40_000,
    });
    // Between readings the running units carry on.
    assert.equal(tracker.paceAt(units, STEPS, 10_000)?.remainingMs, 30_000);

    // Unit 0 ends; its node still lists it until its next heartbeat, and unit 2 has started.
    tracker.unitEnded(`${JOB}.0`, true);
    tracker.observe(cluster([100_000, [`${JOB}.0`, `${JOB}.1`, `${JOB}.2`]]), STEPS, 10_000);
    const after = { queued: 1, leased: 2 };
    // Left: 3 units, of which unit 1 has done 500,000 (10 s at 50,000) and unit 2 none yet;
    // unit 0's share of its node is lost to the job, but the last 15 s saw it at 100,000 steps/s.
    assert.deepEqual(tracker.paceAt(after, STEPS, 10_000), {
      stepsPerSecond: 100_000,
      remainingSteps: 2_500_000,
      remainingMs: 25_000,
    });
    assert.equal(tracker.paceAt(after, STEPS, 24_000)?.stepsPerSecond, 66_666.666_666_666_67);

    // Unit 1 given back: its steps are lost.
    tracker.unitEnded(`${JOB}.1`, false);
    assert.equal(
      tracker.paceAt({ queued: 2, leased: 1 }, STEPS, 10_000)?.remainingSteps,
      3_000_000,
    );
  });

  it("keeps the job's speed a while when none of its units is seen, then waits for agents", () => {
    const tracker = new PaceTracker(JOB);
    const units = { queued: 3, leased: 0 };
    tracker.observe(cluster([200_000, [`${JOB}.0`]]), STEPS, 0);
    tracker.observe(cluster([0, []]), STEPS, 5000);
    assert.equal(tracker.paceAt(units, STEPS, 5000)?.stepsPerSecond, 200_000);
    tracker.observe(cluster([0, []]), STEPS, 20_000);
    const waiting = tracker.paceAt(units, STEPS, 20_000);
    assert.equal(waiting?.remainingMs, null);
    assert.equal(timeLeftText(waiting ?? null, units), "waiting for an agent");
  });
});
