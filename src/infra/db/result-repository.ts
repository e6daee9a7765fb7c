import { KeyForgeError } from "../../core/errors.ts";
import type { Database } from "./database.ts";
import type { JobStatus } from "./job-repository.ts";

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

/** PostgreSQL's SQLSTATE for a transaction chosen as a deadlock victim. */
const DEADLOCK_DETECTED = "40P01";

/** A row of accept_results (migrations/0002_result_functions.sql). */
interface AcceptRow extends Omit<ResultRow, "id" | "unit_id" | "job_id"> {
  item: number | null;
  outcome:
    | "accepted"
    | "repeated"
    | "already_accepted"
    | "lease_not_held"
    | "unit_not_found"
    | "job_finished";
  unit_status: string | null;
  unit_node_id: string | null;
  new_best: boolean | null;
  job_status: JobStatus | null;
  result_id: string | number | null;
  job_id: string;
}

/** Each result's acceptance or error; a finished job is told to its last accepted result. */
function outcomesOf(
  batch: readonly NewResult[],
  rows: readonly AcceptRow[],
): (Acceptance | KeyForgeError)[] {
  const finished = new Map(
    rows.flatMap((row) =>
      row.outcome === "job_finished" ? [[row.job_id, row.job_status as JobStatus] as const] : [],
    ),
  );
  const lastAccepted = new Map<string, number>();
  for (const row of rows) {
    if (row.outcome === "accepted") lastAccepted.set(row.job_id, row.item as number);
  }
  const byItem = new Map(rows.map((row) => [row.item, row]));
  return batch.map((result, item) => {
    const row = byItem.get(item);
    switch (row?.outcome) {
      case "accepted":
      case "repeated":
        return {
          result: resultFromRow({ ...row, id: row.result_id as number, unit_id: result.unitId }),
          created: row.outcome === "accepted",
          newBest: row.new_best === true,
          jobFinished:
            row.outcome === "accepted" && lastAccepted.get(row.job_id) === item
              ? (finished.get(row.job_id) ?? null)
              : null,
        };
      case "already_accepted":
        return new KeyForgeError(
          "RESULT_ALREADY_ACCEPTED",
          `unit ${result.unitId} already has an accepted result from another node`,
        );
      case "lease_not_held":
        return new KeyForgeError(
          "LEASE_NOT_HELD",
          `unit ${result.unitId} is ${row.unit_status}${row.unit_status === "leased" ? " by another node" : ""}, not leased to node ${result.nodeId}`,
        );
      default:
        return new KeyForgeError("UNIT_NOT_FOUND", `no unit ${result.unitId}`);
    }
  });
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
  async acceptResult(result: NewResult): Promise<Acceptance> {
    const [outcome] = await this.acceptResults([result]);
    if (outcome instanceof KeyForgeError) throw outcome;
    return outcome as Acceptance;
  }

  /**
   * Accepts a batch of results in one transaction and one round trip, each as `acceptResult`
   * would; a result that cannot be accepted gets its error in its place. A deadlock with
   * another writer (the reaper, a cancellation) rolls the batch back and runs it again.
   */
  async acceptResults(batch: readonly NewResult[]): Promise<(Acceptance | KeyForgeError)[]> {
    for (let attempt = 1; ; attempt++) {
      try {
        const { rows } = await this.db.query<AcceptRow>("SELECT * FROM accept_results($1::jsonb)", [
          JSON.stringify(batch),
        ]);
        return outcomesOf(batch, rows);
      } catch (error) {
        if ((error as { code?: unknown }).code !== DEADLOCK_DETECTED || attempt >= 3) throw error;
      }
    }
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
