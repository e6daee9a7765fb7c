import type { Database, SqlExecutor } from "./database.ts";
import { type JobStatus, settleJob } from "./job-repository.ts";

export type UnitStatus = "queued" | "leased" | "done" | "failed" | "cancelled";

/** Where a unit stands, as a heartbeat's commands need it. */
export interface UnitHolder {
  readonly status: UnitStatus;
  readonly nodeId: string | null;
}

export interface UnitRecord {
  readonly id: string;
  readonly jobId: string;
  readonly position: number;
  readonly seed: number;
  readonly steps: number;
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

/** What became of a unit given up on: queued again, or failed for good (maybe ending its job). */
export type UnitReturn =
  | { readonly outcome: "requeued" }
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

/** A leased unit back in the queue, the attempt its lease took not counted. */
const RELEASE = `UPDATE units SET status = 'queued', attempts = attempts - 1, leased_at = NULL,
  lease_expires_at = NULL`;

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

  /** Status and holder of each of the given units that exists (a heartbeat's reported units). */
  async holdersOf(unitIds: readonly string[]): Promise<Map<string, UnitHolder>> {
    if (unitIds.length === 0) return new Map();
    const { rows } = await this.db.query<{
      id: string;
      status: UnitStatus;
      node_id: string | null;
    }>("SELECT id, status, node_id FROM units WHERE id = ANY($1::text[])", [unitIds]);
    return new Map(rows.map((row) => [row.id, { status: row.status, nodeId: row.node_id }]));
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
   * twice, and nobody waits for another leaser.
   */
  leaseUnits(
    nodeId: string,
    max: number,
    leaseSeconds: number,
    limits: LeaseLimits = {},
  ): Promise<UnitRecord[]> {
    if (limits.maxHeld === undefined)
      return this.leaseStatement(this.db, nodeId, max, leaseSeconds, limits);
    return this.db.transaction(async (tx) => {
      // Two lease requests of one node at once would each count the leases of neither: the
      // second waits here, then counts with a snapshot that sees what the first took.
      await tx.query("SELECT 1 FROM nodes WHERE id = $1 FOR NO KEY UPDATE", [nodeId]);
      return this.leaseStatement(tx, nodeId, max, leaseSeconds, limits);
    });
  }

  private async leaseStatement(
    executor: SqlExecutor,
    nodeId: string,
    max: number,
    leaseSeconds: number,
    limits: LeaseLimits,
  ): Promise<UnitRecord[]> {
    // One statement, so one round trip and atomic without an explicit transaction. A null
    // limit drops out of least().
    const { rows } = await executor.query<UnitRow>(
      `WITH picked AS (
         SELECT id FROM units
         WHERE status = 'queued'
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
         UPDATE jobs SET status = 'running', updated_at = now()
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
      ],
    );
    return rows.map(unitFromRow);
  }

  /** The holder gives a unit back (shutting down): queued again, the attempt not counted. */
  async releaseUnit(unitId: string, nodeId: string): Promise<boolean> {
    const { rowCount } = await this.db.query(
      `${RELEASE} WHERE id = $1 AND node_id = $2 AND status = 'leased'`,
      [unitId, nodeId],
    );
    return rowCount > 0;
  }

  /** Every unit leased to the node goes back to the queue, attempts not counted: their ids. */
  async releaseUnitsOf(nodeId: string, executor: SqlExecutor = this.db): Promise<string[]> {
    const { rows } = await executor.query<{ id: string }>(
      `${RELEASE} WHERE node_id = $1 AND status = 'leased' RETURNING id`,
      [nodeId],
    );
    return rows.map((row) => row.id);
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

/** Queues a unit again, or fails it for good after `maxAttempts` leases (poison units end). */
async function returnOrFail(
  tx: SqlExecutor,
  unit: UnitRecord,
  reason: string,
  maxAttempts: number,
): Promise<UnitReturn> {
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
