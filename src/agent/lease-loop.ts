import type { HiveClient } from "./hive-client.ts";
import type { NodeSession } from "./node-session.ts";
import type { RetryBackoff } from "./retry-backoff.ts";
import type { RunningUnits } from "./running-units.ts";

/** Seconds a lease request waits for work when none is queued. */
const LEASE_WAIT_SECONDS = 25;

/**
 * Leases units for the free threads and starts them, until `stop`: while every thread is busy
 * it waits for a unit to settle, and after a failed lease it backs off.
 */
export async function leaseUntil(
  stop: AbortSignal,
  parts: {
    readonly client: HiveClient;
    readonly session: NodeSession;
    readonly units: RunningUnits;
    readonly retries: RetryBackoff;
  },
): Promise<void> {
  const { client, session, units, retries } = parts;
  const stopped = new Promise<void>((resolve) => {
    if (stop.aborted) resolve();
    stop.addEventListener("abort", () => resolve(), { once: true });
  });
  let failures = 0;
  while (!stop.aborted) {
    const free = units.freeThreads;
    if (free === 0) {
      await Promise.race([...units.settlements(), stopped]);
      continue;
    }
    try {
      const leased = await session.asNode(
        () => client.lease(session.nodeId, free, LEASE_WAIT_SECONDS, stop),
        stop,
      );
      failures = 0;
      for (const unit of leased) units.start(unit);
    } catch (error) {
      if (stop.aborted) break;
      await retries.waitToRetry("leasing failed", error, failures++, stop);
    }
  }
}
