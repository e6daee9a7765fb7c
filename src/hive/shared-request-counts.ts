import type { Coordinator } from "../infra/coord/coordinator.ts";

/** What this instance knows of a counter: its count as last read, plus its own requests since. */
interface KnownCount {
  count: number;
  /** When the counter's window ends (epoch ms). */
  resetAt: number;
  /** When the shared count was last read (epoch ms). */
  learntAt: number;
}

/** Counters remembered before the ones whose window ended are swept. */
const COUNTS_KEPT = 10_000;
/** How long requests counted here wait to be added to the shared counts, together. */
export const FLUSH_MS = 50;
/** How long a shared count read is trusted to decide without asking again. */
export const TRUSTED_MS = 500;

/**
 * Request counts shared by every instance through the coordinator, without a round trip on
 * most requests. While this instance's knowledge of a counter is well under its limit (by a
 * tenth of it), a request goes on at once: it is counted here, and the requests counted here
 * are added to the shared counts every FLUSH_MS, which tells this instance the others' share.
 * Near the limit, for the first request of a window, and when the last reading is older than
 * TRUSTED_MS, a request waits for the exact shared count. So a limit is exceeded only by what
 * other instances sent within TRUSTED_MS while this one saw the count a tenth below the limit.
 */
export class SharedRequestCounts {
  private readonly coordinator: Coordinator;
  private readonly windowMs: number;
  private readonly known = new Map<string, KnownCount>();
  /** Requests counted here and not yet added to the shared counts, by counter. */
  private readonly unsent = new Map<string, number>();
  private flushTimer: NodeJS.Timeout | null = null;

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
    const known = this.known.get(key);
    const trusted = known && known.resetAt > now && now - known.learntAt < TRUSTED_MS;
    if (known && trusted && known.count + 1 < limit - Math.max(1, limit / 10)) {
      known.count++;
      this.unsent.set(key, (this.unsent.get(key) ?? 0) + 1);
      if (!this.flushTimer) {
        this.flushTimer = setTimeout(() => this.flush(), FLUSH_MS);
        this.flushTimer.unref();
      }
      return { count: known.count, resetInMs: known.resetAt - now };
    }
    const requests = 1 + (this.unsent.get(key) ?? 0);
    this.unsent.delete(key);
    const shared = await this.coordinator.countRequest(key, this.windowMs, requests);
    this.learn(key, shared.count, Date.now() + shared.resetInMs);
    return shared;
  }

  /** Adds the requests counted here to the shared counts; while the coordinator is down they are dropped. */
  private flush(): void {
    this.flushTimer = null;
    for (const [key, requests] of this.unsent) {
      this.coordinator.countRequest(key, this.windowMs, requests).then(
        (shared) => this.learn(key, shared.count, Date.now() + shared.resetInMs),
        () => {},
      );
    }
    this.unsent.clear();
  }

  /** Takes in a shared count: the higher of it and the estimate, in the same window. */
  private learn(key: string, count: number, resetAt: number): void {
    const known = this.known.get(key);
    if (
      known &&
      known.resetAt > Date.now() &&
      Math.abs(known.resetAt - resetAt) < this.windowMs / 2
    ) {
      known.count = Math.max(known.count, count);
      known.resetAt = resetAt;
      known.learntAt = Date.now();
      return;
    }
    if (this.known.size >= COUNTS_KEPT) this.sweep();
    this.known.set(key, { count, resetAt, learntAt: Date.now() });
  }

  private sweep(): void {
    const now = Date.now();
    for (const [key, known] of this.known) if (known.resetAt <= now) this.known.delete(key);
    if (this.known.size >= COUNTS_KEPT) this.known.clear();
  }
}
