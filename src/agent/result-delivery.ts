import { signResult } from "../infra/node-signatures.ts";
import type { ResultSubmission } from "../protocol/node-messages.ts";
import type { AgentIdentity } from "./agent-identity.ts";
import { type HiveClient, HiveRefusedError, HiveUnavailableError } from "./hive-client.ts";
import { ResultOutbox } from "./result-outbox.ts";
import type { RetryBackoff } from "./retry-backoff.ts";
import type { UnitOutcome } from "./unit-runner.ts";

/** The hive no longer knows the node's token (it expired): kept, and sent once registered again. */
function isAuthenticationError(error: HiveRefusedError): boolean {
  return error.status === 401 && error.code !== "RESULT_SIGNATURE_INVALID";
}

export interface ResultDeliveryOptions {
  readonly client: HiveClient;
  readonly identity: AgentIdentity;
  readonly dataDir: string;
  readonly retries: RetryBackoff;
  /** Once aborted, a failed delivery is not tried again on a timer. */
  readonly stop: AbortSignal;
  readonly log: (line: string) => void;
}

/**
 * Delivers every result through the durable outbox: a result is kept there before it is sent,
 * and leaves once the hive acknowledges it or refuses it for good (then to the dead letters).
 * Results the hive could not take now are tried again later.
 */
export class ResultDelivery {
  private readonly options: ResultDeliveryOptions;
  private readonly outbox: ResultOutbox;
  /** Results in the outbox, not yet acknowledged: reported in heartbeats, so their leases hold. */
  private readonly undelivered = new Set<string>();
  private delivering: Promise<void> = Promise.resolve();
  /** The next delivery attempt after a failed one, and how many failed in a row. */
  private redelivery: NodeJS.Timeout | null = null;
  private failedDeliveries = 0;

  constructor(options: ResultDeliveryOptions) {
    this.options = options;
    this.outbox = new ResultOutbox(options.dataDir);
  }

  /** Units whose results wait for the hive's acknowledgement. */
  undeliveredUnits(): string[] {
    return [...this.undelivered];
  }

  /**
   * Keeps a unit's signed result in the outbox and sends what waits there; settles once the
   * delivery was tried.
   */
  async keep(unitId: string, outcome: UnitOutcome): Promise<void> {
    this.undelivered.add(unitId);
    const submission = this.signed(unitId, outcome);
    try {
      await this.outbox.put({ unitId, submission });
    } catch (error) {
      this.undelivered.delete(unitId);
      throw error;
    }
    this.deliver();
    await this.delivering;
  }

  /** Sends what waits in the outbox, one delivery at a time; what fails stays for the next. */
  deliver(): void {
    this.delivering = this.delivering.then(() => this.deliverPending()).catch(() => {});
  }

  /** Sends what waits in the outbox now, no retry left pending; true when it is empty then. */
  async flush(): Promise<boolean> {
    if (this.redelivery !== null) clearTimeout(this.redelivery);
    this.redelivery = null;
    this.deliver();
    await this.delivering;
    return (await this.outbox.pending()).length === 0;
  }

  /**
   * Each result is signed again as it is sent: a fresh nonce and timestamp, so a result that
   * waited out a long outage is still within the hive's timestamp window. The hive stores a
   * unit's result once, so a copy that arrives twice is answered, not stored twice.
   */
  private async deliverPending(): Promise<void> {
    const { client, log } = this.options;
    for (const { unitId, submission } of await this.outbox.pending()) {
      this.undelivered.add(unitId);
      try {
        await client.submitResult(unitId, this.signed(unitId, submission));
        await this.outbox.acknowledge(unitId);
        this.undelivered.delete(unitId);
        this.failedDeliveries = 0;
      } catch (error) {
        if (error instanceof HiveRefusedError && !isAuthenticationError(error)) {
          log(`agent: result of ${unitId} refused: ${error.message}`);
          await this.outbox.deadLetter(unitId, error.message);
          this.undelivered.delete(unitId);
          continue;
        }
        log(`agent: result of ${unitId} kept for later: ${(error as Error).message}`);
        this.redeliverLater(error);
        return;
      }
    }
  }

  /** Tries the outbox again after a failed delivery: when the hive said, else backing off. */
  private redeliverLater(error: unknown): void {
    if (this.redelivery !== null || this.options.stop.aborted) return;
    const asked = error instanceof HiveUnavailableError ? error.retryAfterSeconds : null;
    const wait =
      asked !== null ? asked * 1000 : this.options.retries.delayMs(this.failedDeliveries++);
    this.redelivery = setTimeout(() => {
      this.redelivery = null;
      this.deliver();
    }, wait);
  }

  /** The unit's result, signed now: a fresh nonce and timestamp. */
  private signed(unitId: string, result: UnitOutcome): ResultSubmission {
    const { layout, score, steps, durationMs } = result;
    return signResult(this.options.identity.privateKey, unitId, {
      layout,
      score,
      steps,
      durationMs,
    });
  }
}
