import type { EventHub } from "./event-hub.ts";

/** Events that can make work available: a new job, a unit back in the queue, a job retried. */
const WORK_EVENTS = new Set(["job.created", "unit.requeued", "job.retried"]);

/** While Valkey is down no event arrives: waiters look at the queue again this often. */
const FALLBACK_POLL_MS = 2000;

/**
 * Wakes long-polling lease requests when work may have appeared, on this instance or any other
 * (through the event bus). Waiters re-check the queue; a missed wake-up costs one poll period.
 */
export class WorkSignal {
  private readonly waiters = new Set<() => void>();
  private unsubscribe: (() => void) | null = null;
  /** Set when the instance closes: long polls end at once. */
  stopped = false;

  /** Listens to the instance's events; without Valkey the fallback poll keeps waiters going. */
  start(events: EventHub): void {
    this.unsubscribe = events.subscribe(
      (event) => {
        if (WORK_EVENTS.has(event.type)) this.wake();
      },
      () => {},
    );
  }

  /** Resolves when work may be available, or after `ms`, or when `signal` aborts. */
  wait(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      if (this.stopped) {
        resolve();
        return;
      }
      const done = () => {
        clearTimeout(timer);
        this.waiters.delete(done);
        signal?.removeEventListener("abort", done);
        resolve();
      };
      const timer = setTimeout(done, Math.min(ms, FALLBACK_POLL_MS));
      this.waiters.add(done);
      signal?.addEventListener("abort", done, { once: true });
    });
  }

  wake(): void {
    for (const waiter of [...this.waiters]) waiter();
  }

  stop(): void {
    this.stopped = true;
    this.wake();
    this.unsubscribe?.();
  }
}
