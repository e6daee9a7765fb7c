import type { Database, SqlExecutor } from "./database.ts";
import { type JobStatus, settleJob } from "./job-repository.ts";

export type UnitStatus = "queued" | "leased" | "done" | "failed" | "cancelled";

/** Where a unit and its job stand, as a heartbeat's answer needs it. */
export interface UnitHolder {
  readonly status: UnitStatus;
  readonly nodeId: string | null;
  readonly jobId: string;
  /** The job's search is over: its time is spent, or it converged (or ended otherwise). */
  readonly searchOver: boolean;
  /** The job ends when its best has not improved for this long (null: it does not). */
  readonly convergeSeconds: number | null;
  readonly startedAt: Date | null;
}

export interface UnitRecord {
  readonly id: string;
  readonly jobId: string;
  readonly position: number;
  readonly seed: number;
  readonly steps: number;
  /** A unit of a time-budgeted job ends this long after its lease (or at its steps). */
  readonly timeLimitSeconds: number | null;
  readonly priority: number;
  readonly status: UnitStatus;
  /** The node holding the lease (or that held it last). */
  readonly nodeId: string | null;
  /** Leases handed out so far, voluntary releases not counted. */
  readonly attempts: number;
  readonly leasedAt: Date | null;
  readonly leaseExpiresAt: Date | null;
  readonly lastError: string | null;
  readonly finishedAt: Date | null;
}

interface UnitRow {
  id: string;
  job_id: string;
  position: number;
  seed: string | number;
  steps: string | number;
  time_limit_seconds: number | null;
  priority: number;
  status: UnitStatus;
  node_id: string | null;
  attempts: number;
  leased_at: Date | null;
  lease_expires_at: Date | null;
  last_error: string | null;
  finished_at: Date | null;
}

export function unitFromRow(row: UnitRow): UnitRecord {
  return {
    id: row.id,
    jobId: row.job_id,
    position: row.position,
    seed: Number(row.seed),
    steps: Number(row.steps),
    timeLimitSeconds: row.time_limit_seconds,
    priority: row.priority,
    status: row.status,
    nodeId: row.node_id,
    attempts: row.attempts,
    leasedAt: row.leased_at,
    leaseExpiresAt: row.lease_expires_at,
    lastError: row.last_error,
    finishedAt: row.finished_at,
  };
}

/** What the reaper did with the expired leases it looked at. */
export interface ReapReport {
  readonly extended: readonly string[];
  readonly requeued: readonly string[];
  readonly failed: readonly string[];
  /** Jobs whose last open unit was among the failed: each ended, with its final status. */
  readonly finishedJobs: readonly FinishedJob[];
}

/** A job that ended when its last open unit did. */
export interface FinishedJob {
  readonly jobId: string;
  readonly status: JobStatus;
}

/**
 * What became of a unit given up on: its work back to the job (the unit queued again, or, for
 * a time-budgeted job, withdrawn: the job's time goes on in units cut for the next nodes), or
 * failed for good. Either may have ended its job.
 */
export type UnitReturn =
  | { readonly outcome: "requeued"; readonly finishedJob?: FinishedJob | null }
  | { readonly outcome: "failed"; readonly finishedJob: FinishedJob | null };

export interface ReapOptions {
  /** True when the lease holder still reports the unit in its heartbeats: the lease is extended. */
  readonly isStillRunning: (unit: UnitRecord) => boolean;
  readonly extendSeconds: number;
  /** A unit that expired this many times fails for good, with the reason recorded. */
  readonly maxAttempts: number;
  /** Most expired leases handled in one call. */
  readonly limit: number;
  /**
   * The units each node heartbeating now reports, or null when nobody can tell (Valkey down).
   * A lease older than `silentAfterSeconds` whose unit its node does not report ends before its
   * deadline: the node died, or dropped the unit (restarted, or never ran it).
   */
  readonly reported: ReadonlyMap<string, ReadonlySet<string>> | null;
  readonly silentAfterSeconds: number;
}

/** What bounds the leases of one request, on top of the queue and the `max` asked for. */
export interface LeaseLimits {
  /** The node's speed per thread: each lease also gets three times the unit's expected run time. */
  readonly stepsPerSecond?: number;
  /** Longest lease in seconds, whatever the unit's steps and the node's speed say. */
  readonly maxSeconds?: number;
  /** Most units the node may hold at once, counting those it holds already. */
  readonly maxHeld?: number;
}

/**
 * A leased unit given back, the attempt its lease took not counted: queued again, or withdrawn
 * (cancelled) when it belongs to a time-budgeted job, whose next nodes get units cut anew.
 */
const RELEASE = `UPDATE units SET attempts = attempts - 1, leased_at = NULL, lease_expires_at = NULL,
  status = CASE WHEN time_limit_seconds IS NULL THEN 'queued' ELSE 'cancelled' END,
  finished_at = CASE WHEN time_limit_seconds IS NULL THEN NULL ELSE now() END`;

/** Longest unit of a time-budgeted job: a unit is minutes of work, then the next continues it. */
export const TIMED_UNIT_SECONDS = 300;
/** A time-budgeted job with less time left than this leases no more units. */
export const TIMED_UNIT_MIN_SECONDS = 2;
/**
 * Steps a timed unit may run, in multiples of what the node's calibrated speed makes in its
 * time: the time limit ends it, the steps only bound a node much faster than it said.
 */
const TIMED_UNIT_STEPS_HEADROOM = 4;

/** Seed of unit `position`: spread over 32 bits by the golden-ratio step, so neighbours differ. */
export function unitSeed(seed: number, position: number): number {
  return (seed + Math.imul(position, 0x9e3779b9)) >>> 0;
}

/** Leasing and the lease life cycle of units. */
export class UnitRepository {
  private readonly db: Database;

  constructor(db: Database) {
    this.db = db;
  }

  async getUnit(id: string): Promise<UnitRecord | null> {
    const { rows } = await this.db.query<UnitRow>("SELECT * FROM units WHERE id = $1", [id]);
    return rows[0] ? unitFromRow(rows[0]) : null;
  }

  /**
   * Status and holder of each of the given units that exists (a heartbeat's reported units),
   * with where its job's search stands.
   */
  async holdersOf(unitIds: readonly string[]): Promise<Map<string, UnitHolder>> {
    if (unitIds.length === 0) return new Map();
    const { rows } = await this.db.query<{
      id: string;
      status: UnitStatus;
      node_id: string | null;
      job_id: string;
      search_over: boolean;
      converge_seconds: number | null;
      started_at: Date | null;
    }>(
      `SELECT u.id, u.status, u.node_id, u.job_id, j.converge_seconds, j.started_at,
         (j.ended_by IS NOT NULL OR j.ends_at <= now()) IS TRUE AS search_over
       FROM units u JOIN jobs j ON j.id = u.job_id
       WHERE u.id = ANY($1::text[])`,
      [unitIds],
    );
    return new Map(
      rows.map((row) => [
        row.id,
        {
          status: row.status,
          nodeId: row.node_id,
          jobId: row.job_id,
          searchOver: row.search_over,
          convergeSeconds: row.converge_seconds,
          startedAt: row.started_at,
        },
      ]),
    );
  }

  /** Units waiting for an agent, over all jobs (the hive refuses new jobs above a bound). */
  async queuedCount(): Promise<number> {
    const { rows } = await this.db.query<{ count: string | number }>(
      "SELECT count(*) AS count FROM units WHERE status = 'queued'",
    );
    return Number(rows[0]?.count ?? 0);
  }

  async unitsOfJob(jobId: string): Promise<UnitRecord[]> {
    const { rows } = await this.db.query<UnitRow>(
      "SELECT * FROM units WHERE job_id = $1 ORDER BY position",
      [jobId],
    );
    return rows.map(unitFromRow);
  }

  /**
   * Leases up to `max` queued units to `nodeId` until now + `leaseSeconds`, best priority and
   * oldest job first. Concurrent callers skip each other's locked rows: no unit is handed out
   * twice, and nobody waits for another leaser. With `timed` (a node that runs islands), units
   * of time-budgeted jobs are cut for the node too, in the same order of priority.
   */
  leaseUnits(
    nodeId: string,
    max: number,
    leaseSeconds: number,
    limits: LeaseLimits = {},
    timed = false,
  ): Promise<UnitRecord[]> {
    if (limits.maxHeld === undefined && !timed)
      return this.leaseStatement(this.db, nodeId, max, leaseSeconds, limits, null);
    return this.db.transaction(async (tx) => {
      // Two lease requests of one node at once would each count the leases of neither: the
      // second waits here, then counts with a snapshot that sees what the first took.
      await tx.query("SELECT 1 FROM nodes WHERE id = $1 FOR NO KEY UPDATE", [nodeId]);
      if (!timed) return this.leaseStatement(tx, nodeId, max, leaseSeconds, limits, null);
      // Queued units of jobs below the first time-budgeted job's priority wait behind it.
      const { rows } = await tx.query<{ priority: number | null }>(
        `SELECT max(priority) AS priority FROM jobs
         WHERE status IN ('queued', 'running') AND time_budget_seconds IS NOT NULL
           AND ended_by IS NULL AND (ends_at IS NULL OR ends_at > now() + make_interval(secs => $1))`,
        [TIMED_UNIT_MIN_SECONDS],
      );
      const timedPriority = rows[0]?.priority ?? null;
      const leased = await this.leaseStatement(
        tx,
        nodeId,
        max,
        leaseSeconds,
        limits,
        timedPriority,
      );
      if (timedPriority === null) return leased;
      const held = await this.heldCount(tx, nodeId);
      const free = Math.min(max - leased.length, (limits.maxHeld ?? max) - held);
      return [...leased, ...(await this.leaseTimedUnits(tx, nodeId, free, leaseSeconds, limits))];
    });
  }

  private async leaseStatement(
    executor: SqlExecutor,
    nodeId: string,
    max: number,
    leaseSeconds: number,
    limits: LeaseLimits,
    minPriority: number | null,
  ): Promise<UnitRecord[]> {
    // One statement, so one round trip and atomic without an explicit transaction. A null
    // limit drops out of least().
    const { rows } = await executor.query<UnitRow>(
      `WITH picked AS (
         SELECT id FROM units
         WHERE status = 'queued' AND ($7::integer IS NULL OR priority >= $7)
         ORDER BY priority DESC, created_at, job_id, position
         LIMIT greatest(0, least($2::integer, $5::integer -
           (SELECT count(*) FROM units WHERE node_id = $1 AND status = 'leased')::integer))
         FOR UPDATE SKIP LOCKED
       ), leased AS (
         UPDATE units u SET
           status = 'leased', node_id = $1, attempts = u.attempts + 1, leased_at = now(),
           lease_expires_at = now() + make_interval(secs => least($6::float8, $3 +
             CASE WHEN $4::float8 > 0 THEN 3 * u.steps / $4::float8 ELSE 0 END))
         FROM picked WHERE u.id = picked.id
         RETURNING u.*
       ), started AS (
         UPDATE jobs SET status = 'running', started_at = COALESCE(started_at, now()),
           updated_at = now()
         WHERE id IN (SELECT job_id FROM leased) AND status = 'queued'
       )
       SELECT * FROM leased ORDER BY priority DESC, created_at, job_id, position`,
      [
        nodeId,
        max,
        leaseSeconds,
        limits.stepsPerSecond ?? 0,
        limits.maxHeld ?? null,
        limits.maxSeconds ?? null,
        minPriority,
      ],
    );
    return rows.map(unitFromRow);
  }

  /**
   * The holder gives a unit back (shutting down): its work goes back to the job, the attempt
   * not counted. Null when the node does not hold the unit.
   */
  releaseUnit(unitId: string, nodeId: string): Promise<UnitReturn | null> {
    return this.db.transaction(async (tx) => {
      const [returned] = await releaseWhere(tx, "id = $1 AND node_id = $2 AND status = 'leased'", [
        unitId,
        nodeId,
      ]);
      return returned ? { outcome: "requeued", finishedJob: returned.finishedJob } : null;
    });
  }

  /** Every unit leased to the node goes back to its job, attempts not counted: their ids. */
  async releaseUnitsOf(nodeId: string, executor: SqlExecutor = this.db): Promise<string[]> {
    const returned = await releaseWhere(executor, "node_id = $1 AND status = 'leased'", [nodeId]);
    return returned.map((unit) => unit.id);
  }

  /**
   * Cuts up to `count` new units of the time-budgeted job first in line (best priority, then
   * oldest) and leases them to `nodeId`: each runs until the job's time is spent, at most
   * TIMED_UNIT_SECONDS, and may make TIMED_UNIT_STEPS_HEADROOM times the steps the node's
   * speed per thread makes in that time. The job's clock starts with its first unit. Runs in
   * the caller's transaction, which holds the node's row.
   */
  async leaseTimedUnits(
    tx: SqlExecutor,
    nodeId: string,
    count: number,
    leaseSeconds: number,
    limits: LeaseLimits,
  ): Promise<UnitRecord[]> {
    if (count <= 0) return [];
    const { rows: jobs } = await tx.query<{
      id: string;
      seed: string | number;
      unit_count: number;
      seconds_left: number;
    }>(
      `UPDATE jobs SET status = 'running', started_at = COALESCE(started_at, now()),
         ends_at = COALESCE(ends_at, now() + make_interval(secs => time_budget_seconds)),
         updated_at = now()
       WHERE id = (
         SELECT id FROM jobs
         WHERE status IN ('queued', 'running') AND time_budget_seconds IS NOT NULL
           AND ended_by IS NULL AND (ends_at IS NULL OR ends_at > now() + make_interval(secs => $1))
         ORDER BY priority DESC, created_at, id
         LIMIT 1
         FOR NO KEY UPDATE)
       RETURNING id, (spec->'search'->>'seed') AS seed, unit_count,
         extract(epoch FROM ends_at - now())::float8 AS seconds_left`,
      [TIMED_UNIT_MIN_SECONDS],
    );
    const job = jobs[0];
    if (!job) return [];
    const seconds = Math.min(TIMED_UNIT_SECONDS, job.seconds_left);
    const steps = Math.max(
      1,
      Math.ceil(seconds * (limits.stepsPerSecond ?? 0) * TIMED_UNIT_STEPS_HEADROOM),
    );
    const positions = Array.from({ length: count }, (_, i) => job.unit_count + i);
    const { rows } = await tx.query<UnitRow>(
      `WITH counted AS (
         UPDATE jobs SET unit_count = unit_count + $3::integer WHERE id = $1
       )
       INSERT INTO units (id, job_id, position, seed, steps, time_limit_seconds, priority, status,
                          node_id, attempts, leased_at, lease_expires_at)
       SELECT $1 || '.' || p.position, $1, p.position, p.seed, $4::bigint, $5::float8,
              (SELECT priority FROM jobs WHERE id = $1), 'leased', $2, 1, now(),
              now() + make_interval(secs => least($7::float8, $6::float8 + 3 * $5::float8))
       FROM unnest($8::integer[], $9::bigint[]) AS p (position, seed)
       RETURNING *`,
      [
        job.id,
        nodeId,
        count,
        steps,
        seconds,
        leaseSeconds,
        limits.maxSeconds ?? null,
        positions,
        positions.map((position) => unitSeed(Number(job.seed), position)),
      ],
    );
    return rows.map(unitFromRow).sort((a, b) => a.position - b.position);
  }

  /** Units a node holds now. */
  async heldCount(executor: SqlExecutor, nodeId: string): Promise<number> {
    const { rows } = await executor.query<{ count: string | number }>(
      "SELECT count(*) AS count FROM units WHERE node_id = $1 AND status = 'leased'",
      [nodeId],
    );
    return Number(rows[0]?.count ?? 0);
  }

  /**
   * The holder reports a failure (a crashed worker): the unit is queued again, or fails for
   * good after `maxAttempts` leases. Null when the node does not hold the unit.
   */
  failUnit(
    unitId: string,
    nodeId: string,
    reason: string,
    maxAttempts: number,
  ): Promise<UnitReturn | null> {
    return this.db.transaction(async (tx) => {
      const { rows } = await tx.query<UnitRow>(
        "SELECT * FROM units WHERE id = $1 AND node_id = $2 AND status = 'leased' FOR UPDATE",
        [unitId, nodeId],
      );
      const unit = rows[0];
      if (!unit) return null;
      return returnOrFail(tx, unitFromRow(unit), reason, maxAttempts);
    });
  }

  /**
   * Looks at leases past their deadline (skipping rows another reaper holds, so every instance
   * may run this at once): extends those whose holder still works on them, queues the others
   * again, and fails units that expired `maxAttempts` times.
   */
  reapExpiredLeases(options: ReapOptions): Promise<ReapReport> {
    const [nodes, units] = reportedPairs(options.reported);
    return this.db.transaction(async (tx) => {
      const { rows } = await tx.query<UnitRow>(
        `SELECT * FROM units
         WHERE status = 'leased' AND (
           lease_expires_at < now()
           OR ($2::text[] IS NOT NULL
               AND leased_at < now() - make_interval(secs => $3)
               AND NOT EXISTS (
                 SELECT 1 FROM unnest($2::text[], $4::text[]) AS r (node_id, unit_id)
                 WHERE r.node_id = units.node_id AND r.unit_id = units.id)))
         ORDER BY lease_expires_at
         LIMIT $1
         FOR UPDATE SKIP LOCKED`,
        [options.limit, nodes, options.silentAfterSeconds, units],
      );
      const report = {
        extended: [] as string[],
        requeued: [] as string[],
        failed: [] as string[],
        finishedJobs: [] as FinishedJob[],
      };
      const now = Date.now();
      for (const unit of rows.map(unitFromRow)) {
        if (options.isStillRunning(unit)) {
          await tx.query(
            "UPDATE units SET lease_expires_at = now() + make_interval(secs => $2) WHERE id = $1",
            [unit.id, options.extendSeconds],
          );
          report.extended.push(unit.id);
        } else {
          const expired = (unit.leaseExpiresAt?.getTime() ?? 0) < now;
          const reason = expired
            ? `lease expired ${unit.attempts} time(s); the node stopped reporting it`
            : options.reported?.has(unit.nodeId ?? "")
              ? `its node no longer reports it (lease ${unit.attempts})`
              : `its node stopped heartbeating (lease ${unit.attempts})`;
          const returned = await returnOrFail(tx, unit, reason, options.maxAttempts);
          report[returned.outcome].push(unit.id);
          if (returned.outcome === "failed" && returned.finishedJob) {
            report.finishedJobs.push(returned.finishedJob);
          }
        }
      }
      return report;
    });
  }
}

/** The reported units as parallel arrays of nodes and units, for unnest(); nulls when unknown. */
function reportedPairs(
  reported: ReadonlyMap<string, ReadonlySet<string>> | null,
): [string[] | null, string[] | null] {
  if (reported === null) return [null, null];
  const pairs = [...reported].flatMap(([node, units]) => [...units].map((unit) => [node, unit]));
  return [pairs.map(([node]) => node as string), pairs.map(([, unit]) => unit as string)];
}

/**
 * Gives the matching leased units back (RELEASE), and settles the jobs of those withdrawn: a
 * time-budgeted job whose time is spent ends with its last unit.
 */
async function releaseWhere(
  executor: SqlExecutor,
  where: string,
  params: unknown[],
): Promise<{ id: string; finishedJob: FinishedJob | null }[]> {
  const { rows } = await executor.query<{ id: string; job_id: string; status: UnitStatus }>(
    `${RELEASE} WHERE ${where} RETURNING id, job_id, status`,
    params,
  );
  const finished = new Map<string, FinishedJob | null>();
  for (const row of rows) {
    if (row.status !== "cancelled" || finished.has(row.job_id)) continue;
    const status = await settleJob(executor, row.job_id);
    finished.set(row.job_id, status ? { jobId: row.job_id, status } : null);
  }
  return rows.map((row) => ({ id: row.id, finishedJob: finished.get(row.job_id) ?? null }));
}

/**
 * Queues a unit again, or fails it for good after `maxAttempts` leases (poison units end). A
 * unit of a time-budgeted job is withdrawn instead: the job's next nodes get units cut anew.
 */
async function returnOrFail(
  tx: SqlExecutor,
  unit: UnitRecord,
  reason: string,
  maxAttempts: number,
): Promise<UnitReturn> {
  if (unit.timeLimitSeconds !== null) {
    await tx.query(
      `UPDATE units SET status = 'cancelled', lease_expires_at = NULL, finished_at = now(),
         last_error = $2
       WHERE id = $1`,
      [unit.id, reason],
    );
    const status = await settleJob(tx, unit.jobId);
    return { outcome: "requeued", finishedJob: status ? { jobId: unit.jobId, status } : null };
  }
  if (unit.attempts < maxAttempts) {
    await tx.query(
      `UPDATE units SET status = 'queued', leased_at = NULL, lease_expires_at = NULL,
         last_error = $2
       WHERE id = $1`,
      [unit.id, reason],
    );
    return { outcome: "requeued" };
  }
  await tx.query(
    `UPDATE units SET status = 'failed', lease_expires_at = NULL, finished_at = now(),
       last_error = $2
     WHERE id = $1`,
    [unit.id, `${reason}; failed after ${unit.attempts} attempts`],
  );
  const status = await settleJob(tx, unit.jobId);
  return { outcome: "failed", finishedJob: status ? { jobId: unit.jobId, status } : null };
}
