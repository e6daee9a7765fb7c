import { setTimeout as sleep } from "node:timers/promises";
import type { HiveRefusedError } from "./hive-client.ts";
import type { ResultDelivery } from "./result-delivery.ts";
import type { RunningUnits } from "./running-units.ts";

/** When the agent stops (asked to, or refused by the hive for good), and how its run ends. */
export class Shutdown {
  /** Aborted when the agent is asked to stop, or the hive refuses the node for good. */
  readonly signal: AbortSignal;
  private readonly halt = new AbortController();
  private readonly log: (line: string) => void;
  /** Why the hive refused the node for good; the run rejects with it once the agent has stopped. */
  private refusal: HiveRefusedError | null = null;

  constructor(asked: AbortSignal, log: (line: string) => void) {
    this.signal = AbortSignal.any([asked, this.halt.signal]);
    this.log = log;
  }

  /** The hive will not have the node (it refused to register it, or its admin removed it). */
  refusedForGood(error: HiveRefusedError): void {
    this.log(`agent: the hive refused the node (${error.message}); stopping`);
    this.refusal = error;
    this.halt.abort();
  }

  /** Throws the hive's refusal, if it refused the node for good. */
  throwRefusal(): void {
    if (this.refusal) throw this.refusal;
  }
}

/**
 * Lets running units end within the grace period, gives the rest back, flushes the outbox.
 * True when every result was delivered.
 */
export async function drain(
  units: RunningUnits,
  delivery: ResultDelivery,
  graceMs: number,
  log: (line: string) => void,
): Promise<boolean> {
  const graceOver = new AbortController();
  const grace = sleep(graceMs, undefined, { signal: graceOver.signal });
  await Promise.race([Promise.all(units.settlements()), grace.catch(() => {})]);
  // A pending timer would keep the process alive to the end of the grace period.
  graceOver.abort();
  await units.stopAll("the agent is stopping");
  if (await delivery.flush()) return true;
  log("agent: results wait in the outbox for the next start");
  return false;
}
