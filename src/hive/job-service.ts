import { KeyForgeError } from "../core/errors.ts";
import type { Coordinator } from "../infra/coord/coordinator.ts";
import { AuditLog } from "../infra/db/audit-log.ts";
import type { Database } from "../infra/db/database.ts";
import { type JobRecord, JobRepository, type JobStatus } from "../infra/db/job-repository.ts";
import { type ResultRecord, ResultRepository } from "../infra/db/result-repository.ts";
import { UnitRepository } from "../infra/db/unit-repository.ts";
import type { JobCompiler } from "../infra/job-compiler.ts";
import {
  type JobContent,
  type JobSubmission,
  type JobSummary,
  type JobView,
  jobContentSchema,
  jobIdOf,
} from "../protocol/job-messages.ts";
import type { AssetCatalog } from "./asset-catalog.ts";
import type { Principal } from "./auth.ts";
import { publishBestEffort } from "./event-publishing.ts";
import type { JobModels } from "./job-models.ts";
import { resolveJobContent } from "./job-resolver.ts";
import type { KeyQuota } from "./key-quota.ts";

/** Results listed with a job. */
const TOP_RESULTS = 10;

/** Seed of unit `position`: spread over 32 bits by the golden-ratio step, so neighbours differ. */
export function unitSeed(seed: number, position: number): number {
  return (seed + Math.imul(position, 0x9e3779b9)) >>> 0;
}

function iso(date: Date | null): string | null {
  return date === null ? null : date.toISOString();
}

function summaryOf(job: JobRecord): JobSummary {
  return {
    id: job.id,
    name: job.name,
    status: job.status,
    priority: job.priority,
    units: job.unitCount,
    bestScore: job.bestScore,
    createdAt: job.createdAt.toISOString(),
    updatedAt: job.updatedAt.toISOString(),
    finishedAt: iso(job.finishedAt),
  };
}

/** Cursor of a page of jobs: the last job's creation time and id. */
function cursorOf(job: JobRecord): string {
  return Buffer.from(`${job.createdAt.toISOString()}|${job.id}`).toString("base64url");
}

function afterCursor(cursor: string): { createdAt: Date; id: string } {
  const [time, id] = Buffer.from(cursor, "base64url").toString("utf8").split("|");
  const createdAt = new Date(time ?? "");
  if (!id || !/^[0-9a-f]{64}$/.test(id) || Number.isNaN(createdAt.getTime())) {
    throw new KeyForgeError("CURSOR_INVALID", "the cursor is not one this hive gave out");
  }
  return { createdAt, id };
}

export interface JobServiceOptions {
  readonly db: Database;
  readonly coordinator: Coordinator;
  readonly catalog: AssetCatalog;
  readonly models: JobModels;
  readonly compiler: JobCompiler;
  /** Above this many queued units, new jobs are refused with 503 until agents catch up. */
  readonly maxQueuedUnits: number;
  /** What one (non-admin) key may have open at once. */
  readonly quota: KeyQuota;
  readonly log: (line: string) => void;
}

/** Submitting, reading and cancelling jobs. */
export class JobService {
  private readonly options: JobServiceOptions;
  private readonly jobs: JobRepository;
  private readonly units: UnitRepository;
  private readonly results: ResultRepository;
  private readonly audit: AuditLog;

  constructor(options: JobServiceOptions) {
    this.options = options;
    this.jobs = new JobRepository(options.db);
    this.units = new UnitRepository(options.db);
    this.results = new ResultRepository(options.db);
    this.audit = new AuditLog(options.db);
  }

  /**
   * One key may not fill the queue for everyone: past its quota of open jobs or of units not
   * yet done, its next job is refused until some of its work ends. Admins have no quota.
   */
  private async checkQuota(keyId: string, newUnits: number): Promise<void> {
    const { maxOpenJobs, maxOpenUnits } = this.options.quota;
    const open = await this.jobs.openWorkOf(keyId);
    if (open.jobs + 1 > maxOpenJobs || open.units + newUnits > maxOpenUnits) {
      throw new KeyForgeError(
        "QUOTA_EXCEEDED",
        `this key has ${open.jobs} open jobs with ${open.units} units not yet done; a key may have ` +
          `${maxOpenJobs} jobs and ${maxOpenUnits} units open at once: wait for some to finish, or cancel one`,
      );
    }
  }

  /** Stores a job (once: the same job again returns the stored one) and wakes the agents. */
  async submit(
    principal: Principal,
    submission: JobSubmission,
  ): Promise<{ view: JobView; created: boolean }> {
    if (submission.priority > 0 && principal.kind !== "admin") {
      throw new KeyForgeError("FORBIDDEN", "only admins may give a job a priority above 0");
    }
    const content = await resolveJobContent(submission, this.options.catalog);
    const id = jobIdOf(content);
    // A stored job was checked when it was first submitted.
    const existing = await this.jobs.getJob(id);
    if (existing) return { view: await this.view(existing), created: false };
    // Everything a unit will need is checked now, so agents never get a job they cannot run.
    await this.options.compiler.compile(content, (sha) => this.options.catalog.read(sha));
    if (principal.kind !== "admin") await this.checkQuota(principal.keyId, content.search.units);
    const queued = await this.units.queuedCount();
    if (queued + content.search.units > this.options.maxQueuedUnits) {
      throw new KeyForgeError(
        "QUEUE_FULL",
        `the queue holds ${queued} units; new jobs are accepted again when agents have caught up`,
      );
    }
    const actor = principal.keyId;
    const { job, created } = await this.jobs.createJob(
      {
        id,
        name: submission.name,
        ownerKeyId: principal.keyId,
        spec: content,
        priority: submission.priority,
        units: Array.from({ length: content.search.units }, (_, i) => ({
          seed: unitSeed(content.search.seed, i),
          steps: content.search.stepsPerUnit,
        })),
      },
      (tx) =>
        this.audit.record(
          { actor, action: "job.submitted", subject: id, details: { units: content.search.units } },
          tx,
        ),
    );
    if (created)
      await publishBestEffort(
        this.options.coordinator,
        { type: "job.created", jobId: id, name: job.name },
        this.options.log,
      );
    return { view: await this.view(job), created };
  }

  async get(id: string): Promise<JobView> {
    const job = await this.jobs.getJob(id);
    if (!job) throw new KeyForgeError("JOB_NOT_FOUND", `no job ${id}`);
    return this.view(job);
  }

  async list(
    principal: Principal | null,
    query: { status?: JobStatus; mine?: "true" | "false"; limit: number; cursor?: string },
  ): Promise<{ jobs: JobSummary[]; nextCursor: string | null }> {
    const page = await this.jobs.listJobs({
      status: query.status,
      ownerKeyId: query.mine === "true" ? principal?.keyId : undefined,
      limit: query.limit,
      after: query.cursor === undefined ? undefined : afterCursor(query.cursor),
    });
    const last = page.at(-1);
    return {
      jobs: page.map(summaryOf),
      nextCursor: last && page.length === query.limit ? cursorOf(last) : null,
    };
  }

  /** Cancels a job for its owner or an admin; agents learn it from their next heartbeat. */
  async cancel(principal: Principal, id: string): Promise<JobView> {
    const job = await this.jobs.getJob(id);
    if (!job) throw new KeyForgeError("JOB_NOT_FOUND", `no job ${id}`);
    if (principal.kind !== "admin" && job.ownerKeyId !== principal.keyId) {
      throw new KeyForgeError("FORBIDDEN", "only the job's owner or an admin may cancel it");
    }
    const actor = principal.keyId;
    const aborted = await this.jobs.cancelJob(id, (tx) =>
      this.audit.record({ actor, action: "job.cancelled", subject: id, details: {} }, tx),
    );
    if (aborted === null) {
      throw new KeyForgeError(
        "JOB_NOT_CANCELLABLE",
        `job ${id} has already ${job.status === "cancelled" ? "been cancelled" : "finished"}`,
      );
    }
    await publishBestEffort(
      this.options.coordinator,
      { type: "job.cancelled", jobId: id },
      this.options.log,
    );
    return this.get(id);
  }

  private async view(job: JobRecord): Promise<JobView> {
    const [counts, top] = await Promise.all([
      this.jobs.unitCounts(job.id),
      this.results.bestResults(job.id, TOP_RESULTS),
    ]);
    const rank = (r: ResultRecord) => ({ score: r.score, layout: r.layout, unitId: r.unitId });
    const [first] = top;
    const { units: _, ...summary } = summaryOf(job);
    return {
      ...summary,
      content: jobContentSchema.parse(job.spec) as JobContent,
      units: { total: job.unitCount, ...counts },
      progress: (counts.done + counts.failed) / job.unitCount,
      best: first
        ? { ...rank(first), metrics: await this.options.models.metricsOf(job.id, first) }
        : null,
      top: top.map(rank),
    };
  }
}
