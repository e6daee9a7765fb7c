import type { Coordinator } from "../infra/coord/coordinator.ts";
import { jobIdOfUnit } from "../infra/db/job-repository.ts";
import type { UnitReturn } from "../infra/db/unit-repository.ts";
import type { BusEvent } from "../protocol/bus-events.ts";

/**
 * Publishes an event on the bus, best effort: a Valkey outage must not fail the request that
 * caused the event (clients re-synchronise from the snapshot their event stream starts with).
 */
export async function publishBestEffort(
  coordinator: Coordinator,
  event: BusEvent,
  log: (line: string) => void,
): Promise<void> {
  try {
    await coordinator.publishUpdate(event);
  } catch (error) {
    log(`hive: event ${event.type} not published: ${(error as Error).message}`);
  }
}

/**
 * Tells the bus a unit was given up on (its agent failed it, or went silent): `unit.requeued`
 * wakes waiting agents; `unit.failed` reaches the job's streams. Either is followed by
 * `job.completed` when it was the job's last open unit.
 */
export async function publishUnitReturn(
  coordinator: Coordinator,
  unitId: string,
  returned: UnitReturn,
  log: (line: string) => void,
): Promise<void> {
  const jobId = jobIdOfUnit(unitId);
  const type = returned.outcome === "failed" ? "unit.failed" : "unit.requeued";
  await publishBestEffort(coordinator, { type, jobId, unitId }, log);
  if (returned.finishedJob) {
    await publishBestEffort(coordinator, { type: "job.completed", ...returned.finishedJob }, log);
  }
}
