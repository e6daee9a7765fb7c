import type { Coordinator, CoordinatorEvent } from "../infra/coord/coordinator.ts";

/** job.progress events of one job reach clients at most this often (the latest one wins). */
const PROGRESS_INTERVAL_MS = 1000;

interface Listener {
  readonly onEvent: (event: CoordinatorEvent) => void;
  readonly onEnd: () => void;
}

/** Events after which a job sends nothing more. */
const JOB_ENDINGS = new Set(["job.completed", "job.cancelled"]);
/** Throttle records kept before the idle ones are swept. */
const THROTTLE_RECORDS_KEPT = 1000;

/** Where a job's progress throttle stands. */
interface ProgressThrottle {
  lastSentAt: number;
  /** The latest new best held back in this interval, and the timer that sends it. */
  held: { event: CoordinatorEvent; timer: NodeJS.Timeout } | null;
}

/**
 * Fans the event bus out to this instance's listeners (event streams, waiting lease requests):
 * one subscription to the coordinator per instance, however many listeners. A job's progress
 * is throttled: within an interval only its latest new best goes out, at the end of the
 * interval, and at the latest just before the job's ending (or the instance's), so a client
 * that stops at `job.completed` has seen the final best.
 */
export class EventHub {
  private readonly listeners = new Set<Listener>();
  private readonly throttles = new Map<string, ProgressThrottle>();
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
    for (const jobId of [...this.throttles.keys()]) this.sendHeld(jobId);
    this.throttles.clear();
    for (const listener of [...this.listeners]) listener.onEnd();
    this.listeners.clear();
    await this.unsubscribe?.();
  }

  private receive(event: CoordinatorEvent): void {
    const jobId = typeof event.jobId === "string" ? event.jobId : null;
    if (jobId !== null && JOB_ENDINGS.has(event.type)) {
      this.sendHeld(jobId);
      this.throttles.delete(jobId);
    }
    if (event.type !== "job.progress" || jobId === null) {
      this.deliver(event);
      return;
    }
    const throttle = this.throttleOf(jobId);
    const wait = throttle.lastSentAt + PROGRESS_INTERVAL_MS - Date.now();
    if (wait <= 0) {
      throttle.lastSentAt = Date.now();
      this.deliver(event);
    } else if (throttle.held) {
      throttle.held.event = event;
    } else {
      throttle.held = { event, timer: setTimeout(() => this.sendHeld(jobId), wait) };
    }
  }

  private throttleOf(jobId: string): ProgressThrottle {
    let throttle = this.throttles.get(jobId);
    if (!throttle) {
      if (this.throttles.size >= THROTTLE_RECORDS_KEPT) this.sweepIdleThrottles();
      throttle = { lastSentAt: 0, held: null };
      this.throttles.set(jobId, throttle);
    }
    return throttle;
  }

  /** Sends the job's held-back progress now, if there is one. */
  private sendHeld(jobId: string): void {
    const throttle = this.throttles.get(jobId);
    if (!throttle?.held) return;
    clearTimeout(throttle.held.timer);
    const { event } = throttle.held;
    throttle.held = null;
    throttle.lastSentAt = Date.now();
    this.deliver(event);
  }

  /** Forgets the throttles of jobs with nothing held and no progress for an interval. */
  private sweepIdleThrottles(): void {
    const idleSince = Date.now() - PROGRESS_INTERVAL_MS;
    for (const [jobId, throttle] of this.throttles) {
      if (!throttle.held && throttle.lastSentAt < idleSince) this.throttles.delete(jobId);
    }
  }

  private deliver(event: CoordinatorEvent): void {
    for (const listener of this.listeners) listener.onEvent(event);
  }
}
