import { JobRepository } from "../src/infra/db/job-repository.ts";
import { UnitRepository } from "../src/infra/db/unit-repository.ts";
import { freshPglite, freshPostgres } from "../test/helpers/databases.ts";
import { leaseConcurrently, sampleJob } from "../test/helpers/store-fixtures.ts";

/**
 * Lease acquisitions per second: `leasers` concurrent leasers (one connection each on
 * PostgreSQL) lease `batch` units per call from one job of `units` units until the queue is empty.
 */
async function leaseRate(
  engine: "PostgreSQL" | "PGlite",
  units: number,
  leasers: number,
  batch: number,
): Promise<void> {
  const { db, drop } =
    engine === "PostgreSQL"
      ? await freshPostgres({ maxConnections: leasers })
      : await freshPglite();
  try {
    await new JobRepository(db).createJob(sampleJob({ units }));
    const started = performance.now();
    const { calls } = await leaseConcurrently(db, new UnitRepository(db), leasers, batch);
    const seconds = (performance.now() - started) / 1000;
    const label = `leasing (${engine}, ${leasers} leaser${leasers > 1 ? "s" : ""}, ${batch} unit${batch > 1 ? "s" : ""} per lease)`;
    console.log(`${label}: lease acquisitions ${Math.round(calls / seconds)} /s`);
    console.log(`${label}: units leased ${Math.round(units / seconds)} /s`);
  } finally {
    await drop();
  }
}

/** Lease throughput of the store, on the real server and embedded. */
export async function benchLeasing(units: number): Promise<void> {
  for (const leasers of [1, 8, 32]) await leaseRate("PostgreSQL", units, leasers, 1);
  await leaseRate("PostgreSQL", units, 8, 4);
  await leaseRate("PGlite", units, 8, 1);
}
