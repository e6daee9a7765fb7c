import { setTimeout as sleep } from "node:timers/promises";
import { cpuTemperature } from "./hardware.ts";
import { HiveRefusedError } from "./hive-client.ts";
import type { NodeSession } from "./node-session.ts";
import type { ResultDelivery } from "./result-delivery.ts";
import type { RunningUnits } from "./running-units.ts";

interface HeartbeatParts {
  readonly session: NodeSession;
  readonly units: RunningUnits;
  readonly delivery: ResultDelivery;
  readonly log: (line: string) => void;
}

/**
 * Heartbeats until `signal` is aborted: telemetry and the units' new bests out; commands
 * (aborts, finishes) and migrants for the units' islands in.
 */
async function heartbeatUntil(parts: HeartbeatParts, signal: AbortSignal): Promise<void> {
  const { session, units, delivery, log } = parts;
  // The first beat goes at once: the node shows in the cluster as soon as it has joined.
  for (let first = true; !signal.aborted; first = false) {
    if (!first) await sleep(session.heartbeatSeconds * 1000, undefined, { signal }).catch(() => {});
    if (signal.aborted) break;
    // Every running unit, with its best score once it has one, and every result not yet
    // delivered: the hive aborts units of cancelled jobs and keeps the leases of the others.
    const leased = [
      ...units.progress(),
      ...delivery.undeliveredUnits().map((unitId) => ({ unitId })),
    ];
    // A unit may run longer than a token lives.
    await session.renewTokenIfDue();
    try {
      const temperatureC = await cpuTemperature();
      const { commands, migrants } = await session.heartbeat({
        ips: units.stepsPerSecond(),
        ...(temperatureC === undefined ? {} : { temperatureC }),
        memoryMb: Math.round(process.memoryUsage().rss / 2 ** 20),
        units: leased,
        islands: true,
      });
      for (const command of commands) {
        if (command.type === "finish") units.finish(command.unitId, command.reason);
        else units.abort(command.unitId, command.reason);
      }
      for (const migrant of migrants) units.migrate(migrant.unitId, migrant.layout);
    } catch (error) {
      log(`agent: heartbeat failed: ${(error as Error).message}`);
      if (error instanceof HiveRefusedError && error.status === 401) {
        await session.registerAgain(signal);
      }
    }
  }
}

/**
 * Starts heartbeating, which keeps the node's leases alive and aborts the units the hive took
 * back. The function returned ends the heartbeats, and settles once the last has ended.
 */
export function startHeartbeats(parts: HeartbeatParts): () => Promise<void> {
  const beating = new AbortController();
  const beats = heartbeatUntil(parts, beating.signal);
  return async () => {
    beating.abort();
    await beats;
  };
}
