import { KeyForgeError } from "../../core/errors.ts";
import type { Database } from "./database.ts";
import { type JobStatus, settleJob } from "./job-repository.ts";

export interface NewResult {
  readonly unitId: string;
  readonly nodeId: string;
  /** The layout in its text form. */
  readonly layout: string;
  /** The score the hive computed when it re-scored the layout. */
  readonly score: number;
  readonly steps: number;
  readonly durationMs: number;
  readonly nonce: string;
  readonly signature: string;
}

export interface ResultRecord extends Omit<NewResult, "nodeId"> {
  readonly id: number;
  readonly jobId: string;
  /** Null once the node's row was deleted; the result stays. */
  readonly nodeId: string | null;
  readonly acceptedAt: Date;
}

/** What accepting a result changed. */
export interface Acceptance {
  readonly result: ResultRecord;
  /** False when this unit's result was accepted before (a retry): nothing changed. */
  readonly created: boolean;
  /** The result is the job's new best. */
  readonly newBest: boolean;
  /** The job's status when accepting it finished the job, else null. */
  readonly jobFinished: JobStatus | null;
}

interface ResultRow {
  id: string | number;
  unit_id: string;
  job_id: string;
  node_id: string | null;
  layout: string;
  score: number;
  steps: string | number;
  duration_ms: number;
  nonce: string;
  signature: string;
  accepted_at: Date;
}

function resultFromRow(row: ResultRow): ResultRecord {
  return {
    id: Number(row.id),
    unitId: row.unit_id,
    jobId: row.job_id,
    nodeId: row.node_id,
    layout: row.layout,
    score: row.score,
    steps: Number(row.steps),
    durationMs: row.duration_ms,
    nonce: row.nonce,
    signature: row.signature,
    acceptedAt: row.accepted_at,
  };
}

/** Accepted results: at most one per unit, kept when their node is removed. */
export class ResultRepository {
  private readonly db: Database;

  constructor(db: Database) {
    this.db = db;
  }

  /**
   * Accepts the result of a unit leased to its node, exactly once: the unit is done, the job's
   * best moves when the score is lower, and the job completes with its last unit. The same
   * node sending the result again gets the stored acceptance back (`created: false`).
   */
  acceptResult(result: NewResult): Promise<Acceptance> {
    return this.db.transaction(async (tx) => {
      const units = await tx.query<{ job_id: string; status: string; node_id: string | null }>(
        "SELECT job_id, status, node_id FROM units WHERE id = $1 FOR UPDATE",
        [result.unitId],
      );
      const unit = units.rows[0];
      if (!unit) throw new KeyForgeError("UNIT_NOT_FOUND", `no unit ${result.unitId}`);
      const stored = await tx.query<ResultRow>("SELECT * FROM results WHERE unit_id = $1", [
        result.unitId,
      ]);
      const previous = stored.rows[0];
      if (previous) {
        if (previous.node_id !== result.nodeId) {
          throw new KeyForgeError(
            "RESULT_ALREADY_ACCEPTED",
            `unit ${result.unitId} already has an accepted result from another node`,
          );
        }
        return {
          result: resultFromRow(previous),
          created: false,
          newBest: false,
          jobFinished: null,
        };
      }
      if (unit.status !== "leased" || unit.node_id !== result.nodeId) {
        throw new KeyForgeError(
          "LEASE_NOT_HELD",
          `unit ${result.unitId} is ${unit.status}${unit.status === "leased" ? " by another node" : ""}, not leased to node ${result.nodeId}`,
        );
      }
      const inserted = await tx.query<ResultRow>(
        `INSERT INTO results (unit_id, job_id, node_id, layout, score, steps, duration_ms, nonce, signature)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
         RETURNING *`,
        [
          result.unitId,
          unit.job_id,
          result.nodeId,
          result.layout,
          result.score,
          result.steps,
          result.durationMs,
          result.nonce,
          result.signature,
        ],
      );
      const accepted = resultFromRow(inserted.rows[0] as ResultRow);
      await tx.query(
        `UPDATE units SET status = 'done', finished_at = now(), lease_expires_at = NULL
         WHERE id = $1`,
        [result.unitId],
      );
      const best = await tx.query(
        `UPDATE jobs SET best_result_id = $2, best_score = $3, updated_at = now()
         WHERE id = $1 AND (best_score IS NULL OR best_score > $3)`,
        [unit.job_id, accepted.id, accepted.score],
      );
      const jobFinished = await settleJob(tx, unit.job_id);
      return { result: accepted, created: true, newBest: best.rowCount > 0, jobFinished };
    });
  }

  async resultOfUnit(unitId: string): Promise<ResultRecord | null> {
    const { rows } = await this.db.query<ResultRow>("SELECT * FROM results WHERE unit_id = $1", [
      unitId,
    ]);
    return rows[0] ? resultFromRow(rows[0]) : null;
  }

  /** A job's `limit` best results, lowest score first. */
  async bestResults(jobId: string, limit: number): Promise<ResultRecord[]> {
    const { rows } = await this.db.query<ResultRow>(
      "SELECT * FROM results WHERE job_id = $1 ORDER BY score, id LIMIT $2",
      [jobId, limit],
    );
    return rows.map(resultFromRow);
  }
}
