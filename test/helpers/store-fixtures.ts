import { randomBytes } from "node:crypto";
import type { Database } from "../../src/infra/db/database.ts";
import type { NewJob } from "../../src/infra/db/job-repository.ts";
import { NodeRepository } from "../../src/infra/db/node-repository.ts";

/** A job with `units` units and a random id, as the hive would store it. */
export function sampleJob(
  options: { units?: number; priority?: number; ownerKeyId?: string | null } = {},
): NewJob {
  const units = options.units ?? 3;
  return {
    id: randomBytes(32).toString("hex"),
    name: "test job",
    ownerKeyId: options.ownerKeyId ?? null,
    spec: { board: "corne", corpora: [{ id: "en", weight: 1 }], steps: 1000 },
    priority: options.priority ?? 0,
    units: Array.from({ length: units }, (_, i) => ({ seed: 1000 + i, steps: 50_000 + i })),
  };
}

/** Registers a node with a random id and returns the id. */
export async function registeredNode(db: Database): Promise<string> {
  const id = `node_${randomBytes(6).toString("hex")}`;
  await new NodeRepository(db).registerNode({
    id,
    publicKey: `pk_${id}`,
    name: null,
    cpuSignature: null,
    cores: 4,
    calibratedIps: 200_000,
  });
  return id;
}
