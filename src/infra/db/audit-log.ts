import type { SqlExecutor } from "./database.ts";

export interface AuditEntry {
  /** Who acted: an API key id, a node id, "admin" or "system". */
  readonly actor: string;
  /** What happened, e.g. "job.submitted", "job.cancelled", "key.created", "node.removed". */
  readonly action: string;
  /** What it happened to, e.g. a job id. */
  readonly subject: string | null;
  readonly details: Readonly<Record<string, unknown>>;
}

export interface AuditRecord extends AuditEntry {
  readonly id: number;
  readonly at: Date;
}

interface AuditRow {
  id: string | number;
  at: Date;
  actor: string;
  action: string;
  subject: string | null;
  details: Record<string, unknown>;
}

/**
 * Who did what. Entries are written in the transaction of the action they describe (pass the
 * transaction as `executor`), so an action and its entry are stored together or not at all.
 */
export class AuditLog {
  private readonly db: SqlExecutor;

  constructor(db: SqlExecutor) {
    this.db = db;
  }

  async record(entry: AuditEntry, executor: SqlExecutor = this.db): Promise<void> {
    await executor.query(
      "INSERT INTO audit_log (actor, action, subject, details) VALUES ($1, $2, $3, $4)",
      [entry.actor, entry.action, entry.subject, JSON.stringify(entry.details)],
    );
  }

  /** Newest first; only entries about `subject` when it is given. */
  async entries(query: { subject?: string; limit: number }): Promise<AuditRecord[]> {
    const { rows } = await this.db.query<AuditRow>(
      `SELECT * FROM audit_log WHERE ($1::text IS NULL OR subject = $1)
       ORDER BY at DESC, id DESC LIMIT $2`,
      [query.subject ?? null, query.limit],
    );
    return rows.map((row) => ({
      id: Number(row.id),
      at: row.at,
      actor: row.actor,
      action: row.action,
      subject: row.subject,
      details: row.details,
    }));
  }
}
