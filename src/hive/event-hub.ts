import type { Coordinator, CoordinatorEvent } from "../infra/coord/coordinator.ts";

/** job.progress events of one job reach clients at most this often (the latest one wins). */
const PROGRESS_INTERVAL_MS = 1000;

interface Listener {
  readonly onEvent: (event: CoordinatorEvent) => void;
  readonly onEnd: () => void;
}

/**
 * Fans the event bus out to this instance's listeners (event streams, waiting lease requests):
 * one subscription to the coordinator per instance, however many listeners. A job's progress is throttled: within an interval only its
 * latest new best goes out, at the end of the interval.
 */
export class EventHub {
  private readonly listeners = new Set<Listener>();
  private readonly pendingProgress = new Map<string, CoordinatorEvent>();
  private readonly lastProgressAt = new Map<string, number>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private unsubscribe: (() => Promise<void>) | null = null;

  async start(coordinator: Coordinator): Promise<void> {
    try {
      this.unsubscribe = await coordinator.subscribe((event) => this.receive(event));
    } catch {
      // Without Valkey at start, streams get their snapshots only; /health reports the outage.
      this.unsubscribe = null;
    }
  }

  /** Calls `onEvent` for every event from now on; `onEnd` when the instance closes. */
  subscribe(onEvent: (event: CoordinatorEvent) => void, onEnd: () => void): () => void {
    const listener = { onEvent, onEnd };
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async stop(): Promise<void> {
    for (const timer of this.timers) clearTimeout(timer);
    for (const listener of [...this.listeners]) listener.onEnd();
    this.listeners.clear();
    await this.unsubscribe?.();
  }

  private receive(event: CoordinatorEvent): void {
    const jobId = typeof event.jobId === "string" ? event.jobId : null;
    if (event.type !== "job.progress" || jobId === null) {
      this.deliver(event);
      return;
    }
    const wait = (this.lastProgressAt.get(jobId) ?? 0) + PROGRESS_INTERVAL_MS - Date.now();
    if (wait <= 0) {
      this.lastProgressAt.set(jobId, Date.now());
      this.deliver(event);
      return;
    }
    const waiting = this.pendingProgress.has(jobId);
    this.pendingProgress.set(jobId, event);
    if (waiting) return;
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      const latest = this.pendingProgress.get(jobId);
      this.pendingProgress.delete(jobId);
      this.lastProgressAt.set(jobId, Date.now());
      if (latest) this.deliver(latest);
    }, wait);
    this.timers.add(timer);
  }

  private deliver(event: CoordinatorEvent): void {
    for (const listener of this.listeners) listener.onEvent(event);
  }
}
