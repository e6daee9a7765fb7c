import type { Database, SqlExecutor } from "./database.ts";

export type JobStatus = "queued" | "running" | "completed" | "cancelled" | "failed";

/** What ended a job's search (see jobEndSchema). */
export type JobEnd = "units" | "time" | "convergence";

export interface NewJob {
  /** SHA-256 of the job's canonical content. */
  readonly id: string;
  readonly name: string;
  readonly ownerKeyId: string | null;
  /** The canonical content itself (board, corpora, weights, search settings, pins). */
  readonly spec: unknown;
  readonly priority: number;
  /** One entry per unit, in order: its seed and step budget (none for a time budget). */
  readonly units: readonly { readonly seed: number; readonly steps: number }[];
  /** A time budget: units are cut as nodes lease the job. */
  readonly timeBudgetSeconds?: number;
  readonly convergeSeconds?: number;
}

export interface JobRecord {
  readonly id: string;
  readonly name: string;
  readonly ownerKeyId: string | null;
  readonly spec: unknown;
  readonly status: JobStatus;
  readonly priority: number;
  readonly unitCount: number;
  readonly bestResultId: number | null;
  readonly bestScore: number | null;
  readonly createdAt: Date;
  readonly updatedAt: Date;
  readonly finishedAt: Date | null;
  readonly timeBudgetSeconds: number | null;
  readonly convergeSeconds: number | null;
  readonly startedAt: Date | null;
  readonly endsAt: Date | null;
  readonly endedBy: JobEnd | null;
}

/** How many of a job's units are in each state. */
export interface UnitCounts {
  readonly queued: number;
  readonly leased: number;
  readonly done: number;
  readonly failed: number;
  readonly cancelled: number;
}

export interface JobListQuery {
  readonly status?: JobStatus;
  readonly ownerKeyId?: string;
  readonly limit: number;
  /** Cursor: the last job of the previous page; the page holds older jobs. */
  readonly after?: { readonly createdAt: Date; readonly id: string };
}

interface JobRow {
  id: string;
  name: string;
  owner_key_id: string | null;
  spec: unknown;
  status: JobStatus;
  priority: number;
  unit_count: number;
  best_result_id: string | number | null;
  best_score: number | null;
  created_at: Date;
  updated_at: Date;
  finished_at: Date | null;
  time_budget_seconds: number | null;
  converge_seconds: number | null;
  started_at: Date | null;
  ends_at: Date | null;
  ended_by: JobEnd | null;
}

function jobFromRow(row: JobRow): JobRecord {
  return {
    id: row.id,
    name: row.name,
    ownerKeyId: row.owner_key_id,
    spec: row.spec,
    status: row.status,
    priority: row.priority,
    unitCount: row.unit_count,
    bestResultId: row.best_result_id === null ? null : Number(row.best_result_id),
    bestScore: row.best_score,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    finishedAt: row.finished_at,
    timeBudgetSeconds: row.time_budget_seconds,
    convergeSeconds: row.converge_seconds,
    startedAt: row.started_at,
    endsAt: row.ends_at,
    endedBy: row.ended_by,
  };
}

/** Unit id: the job id and the unit's position, so the same job always has the same units. */
export function unitId(jobId: string, position: number): string {
  return `${jobId}.${position}`;
}

/** The job a unit id belongs to (the text before its position). */
export function jobIdOfUnit(id: string): string {
  return id.slice(0, Math.max(0, id.lastIndexOf(".")));
}

/**
 * Completes a job whose units are all finished (completed when at least one is done, failed
 * otherwise). Called in the transaction that finished a unit; the job's row is locked before
 * its units are counted, so the last of several concurrent finishers always settles it.
 */
export async function settleJob(tx: SqlExecutor, jobId: string): Promise<JobStatus | null> {
  const { rows } = await tx.query<{ status: JobStatus | null }>("SELECT settle_job($1) AS status", [
    jobId,
  ]);
  return rows[0]?.status ?? null;
}

/** Jobs and their units in the durable store. */
export class JobRepository {
  private readonly db: Database;

  constructor(db: Database) {
    this.db = db;
  }

  /**
   * Inserts the job and its units, or finds the one already stored under the same id: the same
   * job submitted twice is stored once (`created` tells which happened).
   */
  createJob(
    job: NewJob,
    /** Runs in the same transaction when the job is new (the audit entry of the submission). */
    onCreated: (tx: SqlExecutor) => Promise<void> = async () => {},
  ): Promise<{ job: JobRecord; created: boolean }> {
    return this.db.transaction(async (tx) => {
      const inserted = await tx.query<JobRow>(
        `INSERT INTO jobs (id, name, owner_key_id, spec, priority, unit_count,
                           time_budget_seconds, converge_seconds)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
         ON CONFLICT (id) DO NOTHING
         RETURNING *`,
        [
          job.id,
          job.name,
          job.ownerKeyId,
          JSON.stringify(job.spec),
          job.priority,
          job.units.length,
          job.timeBudgetSeconds ?? null,
          job.convergeSeconds ?? null,
        ],
      );
      const row = inserted.rows[0];
      if (!row) {
        const existing = await tx.query<JobRow>("SELECT * FROM jobs WHERE id = $1", [job.id]);
        return { job: jobFromRow(existing.rows[0] as JobRow), created: false };
      }
      await tx.query(
        `INSERT INTO units (id, job_id, position, seed, steps, priority)
         SELECT $1 || '.' || (u.ordinal - 1), $1, u.ordinal - 1, u.seed, u.steps, $2
         FROM unnest($3::bigint[], $4::bigint[]) WITH ORDINALITY AS u(seed, steps, ordinal)`,
        [job.id, job.priority, job.units.map((u) => u.seed), job.units.map((u) => u.steps)],
      );
      await onCreated(tx);
      return { job: jobFromRow(row), created: true };
    });
  }

  async getJob(id: string): Promise<JobRecord | null> {
    const { rows } = await this.db.query<JobRow>("SELECT * FROM jobs WHERE id = $1", [id]);
    return rows[0] ? jobFromRow(rows[0]) : null;
  }

  async unitCounts(jobId: string): Promise<UnitCounts> {
    const { rows } = await this.db.query<{ status: keyof UnitCounts; count: string | number }>(
      "SELECT status, count(*) AS count FROM units WHERE job_id = $1 GROUP BY status",
      [jobId],
    );
    const counts = { queued: 0, leased: 0, done: 0, failed: 0, cancelled: 0 };
    for (const row of rows) counts[row.status] = Number(row.count);
    return counts;
  }

  /** What a key has in the queue: its queued or running jobs, and their units not yet done. */
  async openWorkOf(ownerKeyId: string): Promise<{ jobs: number; units: number }> {
    const { rows } = await this.db.query<{ jobs: string | number; units: string | number }>(
      `SELECT count(DISTINCT j.id) AS jobs, count(u.id) AS units
         FROM jobs j LEFT JOIN units u ON u.job_id = j.id AND u.status IN ('queued', 'leased')
        WHERE j.owner_key_id = $1 AND j.status IN ('queued', 'running')`,
      [ownerKeyId],
    );
    return { jobs: Number(rows[0]?.jobs ?? 0), units: Number(rows[0]?.units ?? 0) };
  }

  /** Newest first, one page at a time (keyset pagination: stable while jobs are added). */
  async listJobs(query: JobListQuery): Promise<JobRecord[]> {
    const { rows } = await this.db.query<JobRow>(
      `SELECT * FROM jobs
       WHERE ($1::text IS NULL OR status = $1)
         AND ($2::text IS NULL OR owner_key_id = $2)
         AND ($3::timestamptz IS NULL OR (created_at, id) < ($3, $4))
       ORDER BY created_at DESC, id DESC
       LIMIT $5`,
      [
        query.status ?? null,
        query.ownerKeyId ?? null,
        query.after?.createdAt ?? null,
        query.after?.id ?? null,
        query.limit,
      ],
    );
    return rows.map(jobFromRow);
  }

  /**
   * Ends the search of a job whose best stopped improving: it leases no more, its queued units
   * are cancelled, and it completes when its leased units are in (at once when none is).
   * Null when its search had already ended; else the job's new status if it finished now.
   */
  convergeJob(id: string): Promise<{ finished: JobStatus | null } | null> {
    return this.db.transaction(async (tx) => {
      const { rowCount } = await tx.query(
        `UPDATE jobs SET ended_by = 'convergence', updated_at = now()
         WHERE id = $1 AND status IN ('queued', 'running') AND ended_by IS NULL`,
        [id],
      );
      if (rowCount === 0) return null;
      await tx.query(
        `UPDATE units SET status = 'cancelled', finished_at = now(), last_error = 'the job converged'
         WHERE job_id = $1 AND status = 'queued'`,
        [id],
      );
      return { finished: await settleJob(tx, id) };
    });
  }

  /**
   * Settles running time-budgeted jobs whose time is spent and whose units are all in (their
   * last unit ended early, or was given back): each with its final status.
   */
  async settleSpentJobs(limit: number): Promise<{ jobId: string; status: JobStatus }[]> {
    const { rows } = await this.db.query<{ id: string; status: JobStatus | null }>(
      `SELECT id, settle_job(id) AS status FROM (
         SELECT id FROM jobs
         WHERE status = 'running' AND ends_at <= now()
           AND NOT EXISTS (SELECT 1 FROM units WHERE job_id = jobs.id AND status IN ('queued', 'leased'))
         ORDER BY ends_at
         LIMIT $1) spent`,
      [limit],
    );
    return rows.flatMap((row) => (row.status ? [{ jobId: row.id, status: row.status }] : []));
  }

  /**
   * Cancels a job that has not finished: its queued and leased units are cancelled. Returns the
   * units that were leased (their agents are told to abort), or null when the job was not
   * cancellable (unknown or already finished).
   */
  cancelJob(
    id: string,
    /** Runs in the same transaction when the job was cancelled (its audit entry). */
    onCancelled: (tx: SqlExecutor) => Promise<void> = async () => {},
  ): Promise<{ unitId: string; nodeId: string | null }[] | null> {
    return this.db.transaction(async (tx) => {
      const job = await tx.query(
        `UPDATE jobs SET status = 'cancelled', finished_at = now(), updated_at = now()
         WHERE id = $1 AND status IN ('queued', 'running') RETURNING id`,
        [id],
      );
      if (job.rowCount === 0) return null;
      const { rows } = await tx.query<{ id: string; node_id: string | null; was: string }>(
        `UPDATE units u SET status = 'cancelled', finished_at = now(), lease_expires_at = NULL
         FROM (SELECT id, status AS was FROM units
               WHERE job_id = $1 AND status IN ('queued', 'leased') FOR UPDATE) old
         WHERE u.id = old.id
         RETURNING u.id, u.node_id, old.was`,
        [id],
      );
      await onCancelled(tx);
      return rows
        .filter((row) => row.was === "leased")
        .map((row) => ({ unitId: row.id, nodeId: row.node_id }));
    });
  }
}
