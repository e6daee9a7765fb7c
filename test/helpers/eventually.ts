import { setTimeout as sleep } from "node:timers/promises";

/**
 * Polls `check` until it returns a value other than undefined or false, and returns that value;
 * fails with `what` once `timeoutMs` has passed. Tests wait on outcomes this way, never on
 * fixed sleeps, so they are as quick as the machine allows and never time-sensitive.
 */
export async function eventually<T>(
  what: string,
  check: () => Promise<T | undefined | false> | T | undefined | false,
  timeoutMs = 5000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(25);
  }
}
