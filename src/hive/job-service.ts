import { KeyForgeError } from "../core/errors.ts";
import { DEFAULT_TOP_DISTANCE } from "../core/search/layout-search.ts";
import type { Coordinator } from "../infra/coord/coordinator.ts";
import { AuditLog } from "../infra/db/audit-log.ts";
import type { Database } from "../infra/db/database.ts";
import {
  type JobRecord,
  JobRepository,
  type JobStatus,
  type UnitCounts,
} from "../infra/db/job-repository.ts";
import { type ResultRecord, ResultRepository } from "../infra/db/result-repository.ts";
import { UnitRepository, unitSeed } from "../infra/db/unit-repository.ts";
import type { JobCompiler } from "../infra/job-compiler.ts";
import {
  isFinished,
  type JobContent,
  type JobSubmission,
  type JobSummary,
  type JobView,
  jobBudgetOf,
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
/** Best results looked through for the listed ones, which must differ from each other. */
const TOP_CANDIDATES = 500;

function iso(date: Date | null): string | null {
  return date === null ? null : date.toISOString();
}

function summaryOf(job: JobRecord): JobSummary {
  return {
    ...jobClock(job),
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

/** When the job started, when its time budget ends, and what ended it. */
function jobClock(job: JobRecord): Pick<JobSummary, "startedAt" | "endsAt" | "endedBy"> {
  return { startedAt: iso(job.startedAt), endsAt: iso(job.endsAt), endedBy: job.endedBy };
}

/**
 * Share of the job done: of its units (done or failed), or, with a time budget, of its time;
 * a finished job is done.
 */
function progressOf(job: JobRecord, counts: UnitCounts): number {
  if (isFinished(job.status)) return 1;
  if (job.timeBudgetSeconds === null) return (counts.done + counts.failed) / job.unitCount;
  if (job.startedAt === null) return 0;
  const spent = (Date.now() - job.startedAt.getTime()) / (1000 * job.timeBudgetSeconds);
  return Math.min(1, Math.max(0, spent));
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
    const budget = jobBudgetOf(content.search);
    // A time-budgeted job queues no units: they are cut as nodes lease it.
    const newUnits = budget.kind === "steps" ? budget.units : 0;
    if (principal.kind !== "admin") await this.checkQuota(principal.keyId, newUnits);
    const queued = await this.units.queuedCount();
    if (queued + newUnits > this.options.maxQueuedUnits) {
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
        units: Array.from({ length: newUnits }, (_, i) => ({
          seed: unitSeed(content.search.seed, i),
          steps: budget.kind === "steps" ? budget.stepsPerUnit : 0,
        })),
        ...(budget.kind === "time" && { timeBudgetSeconds: budget.seconds }),
        ...(content.search.convergeSeconds !== undefined && {
          convergeSeconds: content.search.convergeSeconds,
        }),
      },
      (tx) =>
        this.audit.record(
          {
            actor,
            action: "job.submitted",
            subject: id,
            details: budget.kind === "steps" ? { units: newUnits } : { seconds: budget.seconds },
          },
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
    const content = jobContentSchema.parse(job.spec) as JobContent;
    const [counts, best] = await Promise.all([
      this.jobs.unitCounts(job.id),
      this.results.bestResults(job.id, TOP_CANDIDATES),
    ]);
    const top = await this.options.models.distinctResults(
      job.id,
      best,
      TOP_RESULTS,
      content.search.topDistance ?? DEFAULT_TOP_DISTANCE,
    );
    const rank = (r: ResultRecord) => ({ score: r.score, layout: r.layout, unitId: r.unitId });
    const [first] = top;
    const { units: _, ...summary } = summaryOf(job);
    return {
      ...summary,
      content,
      units: { total: job.unitCount, ...counts },
      progress: progressOf(job, counts),
      best: first
        ? { ...rank(first), metrics: await this.options.models.metricsOf(job.id, first) }
        : null,
      top: top.map(rank),
    };
  }
}
