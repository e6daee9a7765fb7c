import { setTimeout as sleep } from "node:timers/promises";

const MAX_RETRY_MS = 60_000;

/** Sleeps `ms`, or until `stop` is aborted. */
async function pause(ms: number, stop: AbortSignal): Promise<void> {
  await sleep(ms, undefined, { signal: stop }).catch(() => {});
}

/** The waits between attempts at anything that failed: doubling from a base, with jitter. */
export class RetryBackoff {
  private readonly baseMs: number;
  private readonly log: (line: string) => void;

  constructor(baseMs: number, log: (line: string) => void) {
    this.baseMs = baseMs;
    this.log = log;
  }

  /** The wait before the `attempt`-th retry: doubling from the base up to a minute, with jitter. */
  delayMs(attempt: number): number {
    const ceiling = Math.min(MAX_RETRY_MS, this.baseMs * 2 ** Math.min(attempt, 16));
    return ceiling / 2 + Math.random() * (ceiling / 2);
  }

  /** Waits before the `attempt`-th retry, or until stopped. */
  async pause(attempt: number, stop: AbortSignal): Promise<void> {
    await pause(this.delayMs(attempt), stop);
  }

  /** Logs a failed attempt and waits before the next, or until stopped. */
  async waitToRetry(
    what: string,
    error: unknown,
    attempt: number,
    stop: AbortSignal,
  ): Promise<void> {
    const wait = this.delayMs(attempt);
    this.log(
      `agent: ${what} (${(error as Error).message}); retrying in ${Math.round(wait / 1000)} s`,
    );
    await pause(wait, stop);
  }
}
