import { formatElapsed } from "../core/elapsed-text.ts";

/**
 * How fast a job goes and when it should end, from what the hive serves: the job's unit counts
 * and steps per unit (GET /jobs/:id), and the live nodes with the units each runs and the steps
 * per second they make (GET /cluster). No step count of a running unit is reported, so the
 * steps a running unit has done are counted while it is seen running: from the first reading
 * that shows it, at its share of its node's speed.
 */

/** What the estimate reads of GET /cluster. */
export interface ClusterReading {
  readonly nodes: readonly {
    readonly telemetry: { readonly ips: number; readonly units: readonly { unitId: string }[] };
  }[];
}

/** What the estimate reads of the job's unit counts. */
export interface UnitsLeft {
  readonly queued: number;
  readonly leased: number;
}

export interface Pace {
  /** The job's running units' speeds added up. */
  readonly stepsPerSecond: number;
  readonly remainingSteps: number;
  /** Null while no unit of the job is seen running. */
  readonly remainingMs: number | null;
}

/**
 * Steps per second of each of the job's running units (unit ids are "<job id>.<position>"): its
 * node's speed, which is its running units' speeds added up, shared evenly among them.
 */
export function unitSpeeds(cluster: ClusterReading, jobId: string): Map<string, number> {
  const speeds = new Map<string, number>();
  for (const { telemetry } of cluster.nodes) {
    const share = telemetry.ips / Math.max(1, telemetry.units.length);
    for (const { unitId } of telemetry.units) {
      if (unitId.startsWith(`${jobId}.`)) speeds.set(unitId, share);
    }
  }
  return speeds;
}

/** The steps of each unit in `speeds` `elapsedMs` later, never past the unit's budget. */
export function advanceUnitSteps(
  steps: ReadonlyMap<string, number>,
  speeds: ReadonlyMap<string, number>,
  elapsedMs: number,
  stepsPerUnit: number,
): Map<string, number> {
  return new Map(
    [...speeds].map(([unitId, speed]) => [
      unitId,
      Math.min(stepsPerUnit, (steps.get(unitId) ?? 0) + (speed * Math.max(0, elapsedMs)) / 1000),
    ]),
  );
}

/**
 * Steps left: a whole unit for each queued or running one, less what the running ones have
 * done; time left: those steps at `stepsPerSecond`, as if the job kept going at that speed
 * until it ends.
 */
export function paceOf(
  units: UnitsLeft,
  stepsPerUnit: number,
  steps: ReadonlyMap<string, number>,
  stepsPerSecond: number,
): Pace {
  const done = [...steps.values()].reduce((sum, unitSteps) => sum + unitSteps, 0);
  const remainingSteps = Math.max(0, (units.queued + units.leased) * stepsPerUnit - done);
  return {
    stepsPerSecond,
    remainingSteps,
    remainingMs: stepsPerSecond > 0 ? (1000 * remainingSteps) / stepsPerSecond : null,
  };
}

/**
 * "~3m 05s left"; "estimating…" before the first reading and while the running units are not
 * seen yet; "finishing…" when the running units should have ended by the estimate (their nodes
 * are slower than they reported).
 */
export function timeLeftText(pace: Pace | null, units: UnitsLeft): string {
  if (pace === null) return "estimating…";
  if (pace.remainingMs === null) return units.leased > 0 ? "estimating…" : "waiting for an agent";
  if (pace.remainingSteps === 0 && units.leased > 0) return "finishing…";
  return `~${formatElapsed(pace.remainingMs)} left`;
}

/**
 * A time-budgeted job's time left at `now` (ms): "waiting for an agent" before its first lease
 * (`endsAt` is ISO time or null), "finishing…" once its time is spent and its units come in.
 */
export function timeBudgetLeftText(endsAt: string | null, now: number): string {
  if (endsAt === null) return "waiting for an agent";
  const left = Date.parse(endsAt) - now;
  return left > 0 ? `~${formatElapsed(left)} left` : "finishing…";
}

/** Sum of a map's values. */
function total(values: ReadonlyMap<string, number>): number {
  return [...values.values()].reduce((sum, value) => sum + value, 0);
}

/**
 * The job's speed is the highest seen in this long. A unit reports no speed until its first
 * epoch is done, and a low one just after (its start-up counts), and from a unit's end to its
 * successor's first heartbeat none of the job's units is seen at all: the job has not slowed
 * down. A real slow-down shows once this has passed.
 */
const SPEED_MEMORY_MS = 15_000;

/**
 * A watched job's pace, kept up to date by readings of the cluster: the units seen running, their
 * speeds, and the steps they have done since they were first seen.
 */
export class PaceTracker {
  readonly #jobId: string;
  #speeds = new Map<string, number>();
  #steps = new Map<string, number>();
  #readAt: number | null = null;
  /** The job's speed at each recent reading. */
  #recentSpeeds: { readonly stepsPerSecond: number; readonly at: number }[] = [];
  /** Units done or failed: a node may go on reporting one until its next heartbeat. */
  readonly #ended = new Set<string>();

  constructor(jobId: string) {
    this.#jobId = jobId;
  }

  /** Takes a reading made at `now` (ms): units in both readings ran in between at the old speed. */
  observe(cluster: ClusterReading, stepsPerUnit: number, now: number): void {
    const ran =
      this.#readAt === null
        ? new Map<string, number>()
        : advanceUnitSteps(this.#steps, this.#speeds, now - this.#readAt, stepsPerUnit);
    this.#speeds = unitSpeeds(cluster, this.#jobId);
    for (const unitId of this.#ended) this.#speeds.delete(unitId);
    this.#steps = new Map([...this.#speeds.keys()].map((unitId) => [unitId, ran.get(unitId) ?? 0]));
    this.#readAt = now;
    this.#recentSpeeds = [
      ...this.#recentSpeeds.filter(({ at }) => now - at < SPEED_MEMORY_MS),
      { stepsPerSecond: total(this.#speeds), at: now },
    ];
  }

  /**
   * A unit's lease ended: done or failed `forGood`, else given back to the queue, where the
   * steps it had done are lost (it starts again when leased again).
   */
  unitEnded(unitId: string, forGood: boolean): void {
    this.#speeds.delete(unitId);
    this.#steps.delete(unitId);
    if (forGood) this.#ended.add(unitId);
  }

  /** The pace at `now`, the running units carried on since the last reading; null before one. */
  paceAt(units: UnitsLeft, stepsPerUnit: number, now: number): Pace | null {
    if (this.#readAt === null) return null;
    const steps = advanceUnitSteps(this.#steps, this.#speeds, now - this.#readAt, stepsPerUnit);
    const speed = Math.max(
      0,
      ...this.#recentSpeeds
        .filter(({ at }) => now - at < SPEED_MEMORY_MS)
        .map(({ stepsPerSecond }) => stepsPerSecond),
    );
    return paceOf(units, stepsPerUnit, steps, speed);
  }
}
