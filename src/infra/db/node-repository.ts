import { KeyForgeError } from "../../core/errors.ts";
import type { Enrolment } from "../node-enrolments.ts";
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

/** How a registration may change the node's standing. */
export interface Admission {
  /** What the node proved it holds now; null keeps what it enrolled with before. */
  readonly enrolment: Enrolment | null;
  /**
   * An admin's fresh admission (a join token's use): lets a removed node back, with a clean
   * record of rejected results. Without it a removed node stays removed.
   */
  readonly readmit: boolean;
}

export interface NodeRecord extends NodeRegistration {
  /** What the node enrolled with; null for a node registered before enrolments were kept. */
  readonly enrolment: string | null;
  readonly rejectedResults: number;
  readonly registeredAt: Date;
  readonly removedAt: Date | null;
}

/** A node's name, its hardware, and how many of its results the hive rejected. */
export interface NodeStanding {
  readonly name: string | null;
  readonly rejectedResults: number;
  readonly hardware: {
    /** From the node's hardware profile; null when none was written for its CPU. */
    readonly cpuModel: string | null;
    readonly cores: number;
    /** Null for agents that did not say (older ones). */
    readonly threads: number | null;
  };
}

interface NodeRow {
  id: string;
  public_key: string;
  name: string | null;
  cpu_signature: string | null;
  cores: number;
  threads: number | null;
  calibrated_ips: number;
  enrolment: string | null;
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
    enrolment: row.enrolment,
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

  /**
   * Registers a node, or refreshes the registration of a known one (a restarted agent). A
   * removed node is refused (NODE_REMOVED) unless `admission.readmit`: removal holds against
   * the hive secret, and only an admin's join token lets the node back.
   */
  async registerNode(
    node: NodeRegistration,
    admission: Admission,
    executor: SqlExecutor = this.db,
  ): Promise<{ node: NodeRecord; created: boolean }> {
    const { rows } = await executor.query<NodeRow & { created: boolean }>(
      `INSERT INTO nodes (id, public_key, name, cpu_signature, cores, threads, calibrated_ips,
         enrolment)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
       ON CONFLICT (id) DO UPDATE SET
         name = EXCLUDED.name, cpu_signature = EXCLUDED.cpu_signature,
         cores = EXCLUDED.cores, threads = EXCLUDED.threads,
         calibrated_ips = EXCLUDED.calibrated_ips,
         enrolment = COALESCE(EXCLUDED.enrolment, nodes.enrolment),
         rejected_results = CASE WHEN $9 THEN 0 ELSE nodes.rejected_results END,
         removed_at = NULL
       WHERE nodes.removed_at IS NULL OR $9
       RETURNING *, (xmax = 0) AS created`,
      [
        node.id,
        node.publicKey,
        node.name,
        node.cpuSignature,
        node.cores,
        node.threads,
        node.calibratedIps,
        admission.enrolment,
        admission.readmit,
      ],
    );
    const row = rows[0];
    if (!row) throw nodeRemovedError(node.id);
    return { node: nodeFromRow(row), created: row.created };
  }

  async getNode(id: string, executor: SqlExecutor = this.db): Promise<NodeRecord | null> {
    const { rows } = await executor.query<NodeRow>("SELECT * FROM nodes WHERE id = $1", [id]);
    return rows[0] ? nodeFromRow(rows[0]) : null;
  }

  /**
   * The node, registered and not removed: NODE_NOT_FOUND (it must register) or NODE_REMOVED
   * (only a join token lets it back) otherwise.
   */
  async standingNode(id: string): Promise<NodeRecord> {
    const node = await this.getNode(id);
    if (!node) {
      throw new KeyForgeError("NODE_NOT_FOUND", `node ${id} is not registered: register again`);
    }
    if (node.removedAt) throw nodeRemovedError(id);
    return node;
  }

  /** What the cluster view shows of the nodes among `ids`: name, hardware, rejected results. */
  async standingsOf(ids: readonly string[]): Promise<Map<string, NodeStanding>> {
    const { rows } = await this.db.query<{
      id: string;
      name: string | null;
      rejected: number;
      cores: number;
      threads: number | null;
      cpu_model: string | null;
    }>(
      `SELECT n.id, n.name, n.rejected_results AS rejected, n.cores, n.threads, p.cpu_model
         FROM nodes n LEFT JOIN hardware_profiles p ON p.cpu_signature = n.cpu_signature
        WHERE n.id = ANY($1::text[])`,
      [ids],
    );
    return new Map(
      rows.map((row) => [
        row.id,
        {
          name: row.name,
          rejectedResults: row.rejected,
          hardware: { cpuModel: row.cpu_model, cores: row.cores, threads: row.threads },
        },
      ]),
    );
  }

  async listNodes(options: { includeRemoved: boolean }): Promise<NodeRecord[]> {
    const { rows } = await this.db.query<NodeRow>(
      "SELECT * FROM nodes WHERE $1 OR removed_at IS NULL ORDER BY registered_at, id",
      [options.includeRemoved],
    );
    return rows.map(nodeFromRow);
  }

  /** Marks a node removed; its results, and the record of who computed them, stay. */
  async removeNode(id: string, executor: SqlExecutor = this.db): Promise<boolean> {
    const { rowCount } = await executor.query(
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

/** The refusal of a node an admin removed, whatever it calls. */
export function nodeRemovedError(nodeId: string): KeyForgeError {
  return new KeyForgeError(
    "NODE_REMOVED",
    `node ${nodeId} was removed by the hive's admin: only a new join token lets it back (keyforge admin join-token create)`,
  );
}
