import { randomBytes } from "node:crypto";
import type { Database } from "../../src/infra/db/database.ts";
import type { NewJob } from "../../src/infra/db/job-repository.ts";
import { NodeRepository } from "../../src/infra/db/node-repository.ts";
import type { UnitRepository } from "../../src/infra/db/unit-repository.ts";

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
  await new NodeRepository(db).registerNode(
    {
      id,
      publicKey: `pk_${id}`,
      name: null,
      cpuSignature: null,
      cores: 4,
      threads: 3,
      calibratedIps: 200_000,
    },
    { enrolment: "join", readmit: false },
  );
  return id;
}

/**
 * `leasers` new nodes lease `batch` units per call, all at once, until the queue is empty.
 * Returns the unit ids each node got, and how many lease calls returned units.
 */
export async function leaseConcurrently(
  db: Database,
  units: UnitRepository,
  leasers: number,
  batch: number,
): Promise<{ leasedBy: string[][]; calls: number }> {
  const nodes = await Promise.all(Array.from({ length: leasers }, () => registeredNode(db)));
  let calls = 0;
  const leasedBy = await Promise.all(
    nodes.map(async (node) => {
      const mine: string[] = [];
      for (;;) {
        const leased = await units.leaseUnits(node, batch, 60);
        if (leased.length === 0) return mine;
        calls++;
        mine.push(...leased.map((u) => u.id));
      }
    }),
  );
  return { leasedBy, calls };
}
