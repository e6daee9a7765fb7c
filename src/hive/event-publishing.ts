import type { Coordinator, CoordinatorEvent } from "../infra/coord/coordinator.ts";

/**
 * Publishes an event on the bus, best effort: a Valkey outage must not fail the request that
 * caused the event (clients re-synchronise from the snapshot their event stream starts with).
 */
export async function publishBestEffort(
  coordinator: Coordinator,
  event: CoordinatorEvent,
  log: (line: string) => void,
): Promise<void> {
  try {
    await coordinator.publishUpdate(event);
  } catch (error) {
    log(`hive: event ${event.type} not published: ${(error as Error).message}`);
  }
}
