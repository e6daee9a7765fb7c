import { KeyForgeError } from "../core/errors.ts";
import type { Coordinator } from "../infra/coord/coordinator.ts";
import { AuditLog } from "../infra/db/audit-log.ts";
import type { Database } from "../infra/db/database.ts";
import { type JobStatus, settleJob } from "../infra/db/job-repository.ts";
import type { Principal } from "./auth.ts";
import { publishBestEffort } from "./event-publishing.ts";

/** Jobs that ended without all their work done: the only ones a retry can start again. */
const RETRYABLE: ReadonlySet<JobStatus> = new Set(["failed", "cancelled"]);

export interface JobRetryOptions {
  readonly db: Database;
  readonly coordinator: Coordinator;
  readonly log: (line: string) => void;
}

/**
 * Starts a failed or cancelled job again (`POST /jobs/:id/retry`): its failed and cancelled
 * units are queued with their attempts reset, its done units and results stay, and the job is
 * running again (queued when none of its units is done). The remedy once what failed it is
 * fixed: a blob restored to the asset store, a broken agent replaced. Resubmitting the same
 * job cannot do this, since it returns the stored job.
 */
export class JobRetry {
  private readonly options: JobRetryOptions;
  private readonly audit: AuditLog;

  constructor(options: JobRetryOptions) {
    this.options = options;
    this.audit = new AuditLog(options.db);
  }

  /** For the job's owner or an admin; the number of units queued again. */
  async retry(principal: Principal, id: string): Promise<number> {
    const units = await this.options.db.transaction(async (tx) => {
      // The job's row first, locked: a cancel or another retry waits, and sees the outcome.
      const { rows } = await tx.query<{ status: JobStatus; owner_key_id: string | null }>(
        "SELECT status, owner_key_id FROM jobs WHERE id = $1 FOR UPDATE",
        [id],
      );
      const job = rows[0];
      if (!job) throw new KeyForgeError("JOB_NOT_FOUND", `no job ${id}`);
      if (principal.kind !== "admin" && job.owner_key_id !== principal.keyId) {
        throw new KeyForgeError("FORBIDDEN", "only the job's owner or an admin may retry it");
      }
      if (!RETRYABLE.has(job.status)) {
        throw new KeyForgeError(
          "JOB_NOT_RETRYABLE",
          `job ${id} is ${job.status}: only a failed or cancelled job can be retried`,
        );
      }
      const requeued = await tx.query(
        `UPDATE units SET status = 'queued', attempts = 0, node_id = NULL, leased_at = NULL,
           lease_expires_at = NULL, last_error = NULL, finished_at = NULL
         WHERE job_id = $1 AND status IN ('failed', 'cancelled')`,
        [id],
      );
      await tx.query(
        `UPDATE jobs SET finished_at = NULL, updated_at = now(),
           status = CASE WHEN EXISTS (SELECT 1 FROM units WHERE job_id = $1 AND status = 'done')
                         THEN 'running' ELSE 'queued' END
         WHERE id = $1`,
        [id],
      );
      // Nothing was left to run (a cancel that raced the job's last unit): it ends again.
      if (requeued.rowCount === 0) await settleJob(tx, id);
      await this.audit.record(
        {
          actor: principal.keyId,
          action: "job.retried",
          subject: id,
          details: { units: requeued.rowCount, was: job.status },
        },
        tx,
      );
      return requeued.rowCount;
    });
    // Wakes the agents waiting for work, and tells the job's watchers it runs again.
    await publishBestEffort(
      this.options.coordinator,
      { type: "job.retried", jobId: id, units },
      this.options.log,
    );
    return units;
  }
}
