import { KeyForgeError } from "../core/errors.ts";
import { AuditLog } from "../infra/db/audit-log.ts";
import type { Database } from "../infra/db/database.ts";
import { NodeRepository } from "../infra/db/node-repository.ts";
import { UnitRepository } from "../infra/db/unit-repository.ts";

/**
 * An admin removes a node: from then on it gets no units and no tokens, and registering with
 * the hive secret does not bring it back (only a join token's use does). The units it holds
 * go back to the queue at once, no attempt counted; its results so far, and the record of who
 * computed them, stay. Node, units and the audit entry change together. Returns the ids of
 * the units given back.
 */
export async function removeNode(db: Database, nodeId: string, actor: string): Promise<string[]> {
  return db.transaction(async (tx) => {
    const nodes = new NodeRepository(db);
    if (!(await nodes.removeNode(nodeId, tx))) {
      const known = await nodes.getNode(nodeId, tx);
      throw new KeyForgeError(
        "NODE_NOT_FOUND",
        known ? `node ${nodeId} was removed already` : `no node ${nodeId}`,
      );
    }
    const released = await new UnitRepository(db).releaseUnitsOf(nodeId, tx);
    await new AuditLog(db).record(
      {
        actor,
        action: "node.removed",
        subject: nodeId,
        details: { unitsReleased: released.length },
      },
      tx,
    );
    return released;
  });
}
