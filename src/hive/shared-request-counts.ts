import type { Coordinator } from "../infra/coord/coordinator.ts";

/** What this instance knows of a counter: its count as last read, plus its own requests since. */
interface KnownCount {
  count: number;
  /** When the counter's window ends (epoch ms). */
  resetAt: number;
}

/** Counters remembered before the ones whose window ended are swept. */
const COUNTS_KEPT = 10_000;

/**
 * Request counts shared by every instance through the coordinator, without a round trip on
 * most requests: every request is counted in the coordinator, but while this instance's last
 * knowledge of a counter is well under its limit (by a tenth of it), the request goes on at
 * once and the shared count is learnt in the background. Near the limit, and for the first
 * request of a window, the request waits for the exact shared count. Requests let through on
 * the fast path can exceed a limit only by what other instances sent since the last reading,
 * and only while the count was a tenth below the limit.
 */
export class SharedRequestCounts {
  private readonly coordinator: Coordinator;
  private readonly windowMs: number;
  private readonly known = new Map<string, KnownCount>();

  constructor(coordinator: Coordinator, windowMs: number) {
    this.coordinator = coordinator;
    this.windowMs = windowMs;
  }

  /**
   * Counts one request against `key`; resolves with its count (exact, or this instance's
   * estimate when far under `limit`) and the milliseconds left in the window.
   */
  async count(key: string, limit: number): Promise<{ count: number; resetInMs: number }> {
    const now = Date.now();
    const counting = this.coordinator
      .countRequest(key, this.windowMs)
      .then((shared) => this.learn(key, shared.count, Date.now() + shared.resetInMs));
    const known = this.known.get(key);
    if (known && known.resetAt > now && known.count + 1 < limit - Math.max(1, limit / 10)) {
      known.count++;
      // The estimate stands if the coordinator does not answer.
      counting.catch(() => {});
      return { count: known.count, resetInMs: known.resetAt - now };
    }
    const exact = await counting;
    return { count: exact.count, resetInMs: Math.max(0, exact.resetAt - Date.now()) };
  }

  /** Takes in a shared count: the higher of it and the estimate, in the same window. */
  private learn(key: string, count: number, resetAt: number): KnownCount {
    const known = this.known.get(key);
    if (
      known &&
      known.resetAt > Date.now() &&
      Math.abs(known.resetAt - resetAt) < this.windowMs / 2
    ) {
      known.count = Math.max(known.count, count);
      known.resetAt = resetAt;
      return { count, resetAt };
    }
    if (this.known.size >= COUNTS_KEPT) this.sweep();
    this.known.set(key, { count, resetAt });
    return { count, resetAt };
  }

  private sweep(): void {
    const now = Date.now();
    for (const [key, known] of this.known) if (known.resetAt <= now) this.known.delete(key);
    if (this.known.size >= COUNTS_KEPT) this.known.clear();
  }
}
