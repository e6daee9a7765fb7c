import { KeyForgeError } from "../core/errors.ts";
import { BoundedCache } from "../infra/bounded-cache.ts";
import type { Coordinator } from "../infra/coord/coordinator.ts";
import type { Database } from "../infra/db/database.ts";
import { JobRepository } from "../infra/db/job-repository.ts";
import { NodeRepository } from "../infra/db/node-repository.ts";
import { ResultRepository } from "../infra/db/result-repository.ts";
import { type UnitRecord, UnitRepository } from "../infra/db/unit-repository.ts";
import { type LeasedUnit, MAX_REJECTED_RESULTS } from "../protocol/node-messages.ts";
import { publishUnitReturn } from "./event-publishing.ts";
import { DEFAULT_MAX_ATTEMPTS } from "./reaper.ts";
import type { WorkSignal } from "./work-signal.ts";

/** Grace every lease gets on top of three times the unit's expected run time. */
const LEASE_GRACE_SECONDS = 120;
/**
 * Longest lease, whatever the unit's steps and the node's speed say: a unit that runs longer
 * keeps its lease by being reported in the node's heartbeats (the reaper extends it).
 */
export const MAX_LEASE_SECONDS = 4 * 60 * 60;
/** Threads assumed of a node whose agent did not say (older than the thread count). */
export const DEFAULT_NODE_THREADS = 1;
/** Best layouts of a job sent with each unit as starting points. */
const START_LAYOUTS = 3;

export interface LeaseServiceOptions {
  readonly db: Database;
  readonly coordinator: Coordinator;
  readonly work: WorkSignal;
  readonly log: (line: string) => void;
}

/** Hands queued units to agents (long polling when there are none) and takes them back. */
export class LeaseService {
  private readonly options: LeaseServiceOptions;
  private readonly nodes: NodeRepository;
  private readonly units: UnitRepository;
  private readonly jobs: JobRepository;
  private readonly results: ResultRepository;
  /** Job contents never change: read each once per instance (the jobs being worked on). */
  private readonly contents = new BoundedCache<string, Record<string, unknown>>(256);

  constructor(options: LeaseServiceOptions) {
    this.options = options;
    this.nodes = new NodeRepository(options.db);
    this.units = new UnitRepository(options.db);
    this.jobs = new JobRepository(options.db);
    this.results = new ResultRepository(options.db);
  }

  /**
   * Leases up to `max` units to the node, each until three times its expected run time (from
   * the node's calibrated speed per thread) plus a grace, at most MAX_LEASE_SECONDS; a node
   * holds at most as many units as it has threads. Waits up to `waitSeconds` for work to
   * appear, or for a node holding all it may to deliver.
   */
  async lease(
    nodeId: string,
    max: number,
    waitSeconds: number,
    signal?: AbortSignal,
    islands = false,
  ): Promise<LeasedUnit[]> {
    const node = await this.nodes.standingNode(nodeId);
    if (node.rejectedResults >= MAX_REJECTED_RESULTS) {
      throw new KeyForgeError(
        "NODE_SUSPENDED",
        `node ${nodeId} sent ${node.rejectedResults} results the hive refused (wrong scores or impossible layouts): it gets no more units; check that it runs the hive's KeyForge version`,
      );
    }
    const threads = node.threads ?? DEFAULT_NODE_THREADS;
    const limits = {
      stepsPerSecond: node.calibratedIps / threads,
      maxSeconds: MAX_LEASE_SECONDS,
      maxHeld: threads,
    };
    const deadline = Date.now() + waitSeconds * 1000;
    for (;;) {
      const leased = await this.units.leaseUnits(nodeId, max, LEASE_GRACE_SECONDS, limits, islands);
      if (leased.length > 0 && signal?.aborted) {
        // The node went away while they were leased: nobody would run them.
        for (const unit of leased) await this.release(nodeId, unit.id).catch(() => {});
        return [];
      }
      if (leased.length > 0) return this.describe(leased);
      const remaining = deadline - Date.now();
      if (remaining <= 0 || signal?.aborted || this.options.work.stopped) return [];
      await this.options.work.wait(remaining, signal);
    }
  }

  /**
   * The node gives a unit back (shutting down): its work goes back to the job, and waiting
   * agents are woken.
   */
  async release(nodeId: string, unitId: string): Promise<void> {
    const returned = await this.units.releaseUnit(unitId, nodeId);
    if (returned === null) {
      throw new KeyForgeError("LEASE_NOT_HELD", `unit ${unitId} is not leased to node ${nodeId}`);
    }
    await publishUnitReturn(this.options.coordinator, unitId, returned, this.options.log);
  }

  /**
   * The node could not run a unit (its worker crashed): the attempt counts, and the unit is
   * queued again or, after DEFAULT_MAX_ATTEMPTS leases, fails for good with the reason.
   */
  async fail(nodeId: string, unitId: string, reason: string): Promise<void> {
    const returned = await this.units.failUnit(unitId, nodeId, reason, DEFAULT_MAX_ATTEMPTS);
    if (returned === null) {
      throw new KeyForgeError("LEASE_NOT_HELD", `unit ${unitId} is not leased to node ${nodeId}`);
    }
    await publishUnitReturn(this.options.coordinator, unitId, returned, this.options.log);
  }

  /** What the agent needs to run each unit; the job's content and best layouts read once per job. */
  private async describe(units: readonly UnitRecord[]): Promise<LeasedUnit[]> {
    const jobIds = [...new Set(units.map((unit) => unit.jobId))];
    const jobs = new Map(
      await Promise.all(
        jobIds.map(async (jobId) => {
          const [content, best] = await Promise.all([
            this.contentOf(jobId),
            this.results.bestResults(jobId, START_LAYOUTS),
          ]);
          return [jobId, { content, startLayouts: best.map((result) => result.layout) }] as const;
        }),
      ),
    );
    return units.map((unit) => ({
      unitId: unit.id,
      jobId: unit.jobId,
      seed: unit.seed,
      steps: unit.steps,
      ...(unit.timeLimitSeconds !== null && { timeLimitSeconds: unit.timeLimitSeconds }),
      leaseExpiresAt: (unit.leaseExpiresAt as Date).toISOString(),
      ...(jobs.get(unit.jobId) as { content: Record<string, unknown>; startLayouts: string[] }),
    }));
  }

  private async contentOf(jobId: string): Promise<Record<string, unknown>> {
    const cached = this.contents.get(jobId);
    if (cached) return cached;
    const job = await this.jobs.getJob(jobId);
    return this.contents.set(jobId, job?.spec as Record<string, unknown>);
  }
}
