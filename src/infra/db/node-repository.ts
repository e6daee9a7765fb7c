import type { Database, SqlExecutor } from "./database.ts";

export interface NodeRegistration {
  /** Derived from the public key by the caller. */
  readonly id: string;
  readonly publicKey: string;
  readonly name: string | null;
  readonly cpuSignature: string | null;
  readonly cores: number;
  /** Search threads the node registered with; null for an agent that did not say. */
  readonly threads: number | null;
  readonly calibratedIps: number;
}

export interface NodeRecord extends NodeRegistration {
  readonly rejectedResults: number;
  readonly registeredAt: Date;
  readonly removedAt: Date | null;
}

/** A node's name and how many of its results the hive rejected. */
export interface NodeStanding {
  readonly name: string | null;
  readonly rejectedResults: number;
}

interface NodeRow {
  id: string;
  public_key: string;
  name: string | null;
  cpu_signature: string | null;
  cores: number;
  threads: number | null;
  calibrated_ips: number;
  rejected_results: number;
  registered_at: Date;
  removed_at: Date | null;
}

function nodeFromRow(row: NodeRow): NodeRecord {
  return {
    id: row.id,
    publicKey: row.public_key,
    name: row.name,
    cpuSignature: row.cpu_signature,
    cores: row.cores,
    threads: row.threads,
    calibratedIps: row.calibrated_ips,
    rejectedResults: row.rejected_results,
    registeredAt: row.registered_at,
    removedAt: row.removed_at,
  };
}

/**
 * Registered agents. Registration is the only write a node causes in the normal course:
 * heartbeats and telemetry stay in the coordinator.
 */
export class NodeRepository {
  private readonly db: Database;

  constructor(db: Database) {
    this.db = db;
  }

  /** Registers a node, or refreshes the registration of a known one (a restarted agent). */
  async registerNode(
    node: NodeRegistration,
    executor: SqlExecutor = this.db,
  ): Promise<{ node: NodeRecord; created: boolean }> {
    const { rows } = await executor.query<NodeRow & { created: boolean }>(
      `INSERT INTO nodes (id, public_key, name, cpu_signature, cores, threads, calibrated_ips)
       VALUES ($1, $2, $3, $4, $5, $6, $7)
       ON CONFLICT (id) DO UPDATE SET
         name = EXCLUDED.name, cpu_signature = EXCLUDED.cpu_signature,
         cores = EXCLUDED.cores, threads = EXCLUDED.threads,
         calibrated_ips = EXCLUDED.calibrated_ips, removed_at = NULL
       RETURNING *, (xmax = 0) AS created`,
      [
        node.id,
        node.publicKey,
        node.name,
        node.cpuSignature,
        node.cores,
        node.threads,
        node.calibratedIps,
      ],
    );
    const row = rows[0] as NodeRow & { created: boolean };
    return { node: nodeFromRow(row), created: row.created };
  }

  async getNode(id: string): Promise<NodeRecord | null> {
    const { rows } = await this.db.query<NodeRow>("SELECT * FROM nodes WHERE id = $1", [id]);
    return rows[0] ? nodeFromRow(rows[0]) : null;
  }

  /** What the cluster view shows of the nodes among `ids`: name and rejected results. */
  async standingsOf(ids: readonly string[]): Promise<Map<string, NodeStanding>> {
    const { rows } = await this.db.query<{ id: string; name: string | null; rejected: number }>(
      "SELECT id, name, rejected_results AS rejected FROM nodes WHERE id = ANY($1::text[])",
      [ids],
    );
    return new Map(rows.map((row) => [row.id, { name: row.name, rejectedResults: row.rejected }]));
  }

  async listNodes(options: { includeRemoved: boolean }): Promise<NodeRecord[]> {
    const { rows } = await this.db.query<NodeRow>(
      "SELECT * FROM nodes WHERE $1 OR removed_at IS NULL ORDER BY registered_at, id",
      [options.includeRemoved],
    );
    return rows.map(nodeFromRow);
  }

  /** Marks a node removed; its results, and the record of who computed them, stay. */
  async removeNode(id: string): Promise<boolean> {
    const { rowCount } = await this.db.query(
      "UPDATE nodes SET removed_at = now() WHERE id = $1 AND removed_at IS NULL",
      [id],
    );
    return rowCount > 0;
  }

  /** Counts a result that failed re-scoring against its node; returns the new count. */
  async countRejectedResult(id: string): Promise<number> {
    const { rows } = await this.db.query<{ rejected_results: number }>(
      "UPDATE nodes SET rejected_results = rejected_results + 1 WHERE id = $1 RETURNING rejected_results",
      [id],
    );
    return rows[0]?.rejected_results ?? 0;
  }
}
