import type { Coordinator } from "../infra/coord/coordinator.ts";
import type { Database } from "../infra/db/database.ts";
import { JobRepository } from "../infra/db/job-repository.ts";
import { type ReapReport, UnitRepository } from "../infra/db/unit-repository.ts";
import { publishBestEffort, publishUnitReturn } from "./event-publishing.ts";

export interface ReaperOptions {
  readonly db: Database;
  readonly coordinator: Coordinator;
  readonly log: (line: string) => void;
  /** A unit whose lease expired this many times fails for good (default 3). */
  readonly maxAttempts?: number;
  /** Seconds added to a lease whose holder still reports the unit (default 300). */
  readonly extendSeconds?: number;
  /**
   * Seconds without a heartbeat after which a node counts as dead and its units go back to the
   * queue before their deadlines (default 30, the lifetime of a node's telemetry in Valkey);
   * also how old a lease may get before its node's heartbeats must report it.
   */
  readonly silentAfterSeconds?: number;
}

/** Leases a unit gets before it fails for good (expired, or failed by its agent). */
export const DEFAULT_MAX_ATTEMPTS = 3;

/** Expired leases looked at per pass. */
const REAP_BATCH = 500;

/**
 * Returns the units of agents that went silent to the queue. Safe on every instance at once
 * (the rows are taken with SKIP LOCKED). A holder that still reports a unit in its heartbeats
 * keeps it past the deadline; a holder that stopped heartbeating (killed, unplugged), or that
 * heartbeats without the unit (restarted, or hoarding), loses it without waiting for the
 * deadline. While Valkey is down nobody can tell, so every lease is extended rather than
 * handed out twice.
 */
export class Reaper {
  private readonly options: ReaperOptions;
  private readonly units: UnitRepository;
  private readonly jobs: JobRepository;
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<unknown> = Promise.resolve();

  constructor(options: ReaperOptions) {
    this.options = options;
    this.units = new UnitRepository(options.db);
    this.jobs = new JobRepository(options.db);
  }

  async runOnce(): Promise<ReapReport> {
    const reported = await this.reportedUnits();
    const report = await this.units.reapExpiredLeases({
      isStillRunning: (unit) =>
        reported === null ||
        (unit.nodeId !== null && reported.get(unit.nodeId)?.has(unit.id) === true),
      extendSeconds: this.options.extendSeconds ?? 300,
      maxAttempts: this.options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS,
      limit: REAP_BATCH,
      reported,
      silentAfterSeconds: this.options.silentAfterSeconds ?? 30,
    });
    const { coordinator, log } = this.options;
    for (const unitId of report.requeued) {
      await publishUnitReturn(coordinator, unitId, { outcome: "requeued" }, log);
    }
    for (const unitId of report.failed) {
      log(`hive: unit ${unitId} failed for good after repeated expired leases`);
      await publishUnitReturn(coordinator, unitId, { outcome: "failed", finishedJob: null }, log);
    }
    // Time-budgeted jobs whose last unit came in before their time was spent end here.
    const spent = await this.jobs.settleSpentJobs(REAP_BATCH);
    for (const finished of [...report.finishedJobs, ...spent]) {
      await publishBestEffort(coordinator, { type: "job.completed", ...finished }, log);
    }
    return { ...report, finishedJobs: [...report.finishedJobs, ...spent] };
  }

  /** Runs a pass every `periodMs` until stopped; a failed pass is logged and retried next time. */
  start(periodMs: number): void {
    this.timer = setInterval(() => {
      this.running = this.runOnce().catch((error: unknown) =>
        this.options.log(`hive: reaper pass failed: ${(error as Error).message}`),
      );
    }, periodMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.running;
  }

  /** Units each live node reports, or null when the coordinator cannot say. */
  private async reportedUnits(): Promise<Map<string, Set<string>> | null> {
    try {
      const stats = await this.options.coordinator.getClusterStats();
      return new Map(
        stats.nodes.map((node) => [
          node.nodeId,
          new Set((node.telemetry.units ?? []).map((u) => u.unitId)),
        ]),
      );
    } catch {
      return null;
    }
  }
}
