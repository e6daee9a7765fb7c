import { KeyForgeError } from "../core/errors.ts";
import { layoutFromText } from "../core/layout.ts";
import { analyzeLayout } from "../core/scoring/analysis.ts";
import { itemsOfLayout, LayoutScorer } from "../core/scoring/layout-scorer.ts";
import type { Metrics } from "../core/scoring/metric-catalogue.ts";
import { keysApart } from "../core/search/top-layouts.ts";
import { BoundedCache } from "../infra/bounded-cache.ts";
import type { Database } from "../infra/db/database.ts";
import { JobRepository } from "../infra/db/job-repository.ts";
import type { JobCompiler } from "../infra/job-compiler.ts";
import { LimitExceededError } from "../protocol/input-limits.ts";
import { jobContentSchema } from "../protocol/job-messages.ts";
import type { JobModel } from "../protocol/job-problem.ts";
import type { AssetCatalog } from "./asset-catalog.ts";

/** Compiled models kept per instance (one per job being worked on or looked at). */
const MODELS_KEPT = 32;
/** Metrics of best layouts kept per instance, by result id. */
const METRICS_KEPT = 256;

/**
 * Each job's problem and compiled scoring model, built once per instance from the job's pinned
 * assets: results are re-scored with it and best layouts analysed with it.
 */
export class JobModels {
  private readonly jobs: JobRepository;
  private readonly catalog: AssetCatalog;
  private readonly compiler: JobCompiler;
  private readonly models = new BoundedCache<string, Promise<JobModel>>(MODELS_KEPT);
  private readonly metrics = new BoundedCache<number, Metrics>(METRICS_KEPT);

  constructor(db: Database, catalog: AssetCatalog, compiler: JobCompiler) {
    this.jobs = new JobRepository(db);
    this.catalog = catalog;
    this.compiler = compiler;
  }

  /** The job's model; JOB_NOT_FOUND when there is no such job. */
  modelOf(jobId: string): Promise<JobModel> {
    const cached = this.models.get(jobId);
    if (cached) return cached;
    const building = (async () => {
      const job = await this.jobs.getJob(jobId);
      if (!job) throw new KeyForgeError("JOB_NOT_FOUND", `no job ${jobId}`);
      return this.compiler
        .compile(jobContentSchema.parse(job.spec), (sha) => this.catalog.read(sha))
        .catch((error) => {
          // The job was checked within the same budget when it was submitted: over it now, the
          // hive is short of time or memory, and whoever waits on the model should retry.
          throw error instanceof LimitExceededError
            ? new KeyForgeError("COMPILE_BUSY", `job ${jobId}'s model is not ready: retry later`)
            : error;
        });
    })();
    building.catch(() => this.models.delete(jobId));
    return this.models.set(jobId, building);
  }

  /**
   * The first `limit` of `results` (best first) that are each at least `minDistance` keys apart
   * from every one kept before them: the job's best, then real alternatives to it.
   */
  async distinctResults<Result extends { readonly layout: string }>(
    jobId: string,
    results: readonly Result[],
    limit: number,
    minDistance: number,
  ): Promise<Result[]> {
    if (results.length <= 1) return results.slice(0, limit);
    const { problem, model } = await this.modelOf(jobId);
    const kept: { result: Result; items: Int32Array }[] = [];
    for (const result of results) {
      if (kept.length >= limit) break;
      const items = itemsOfLayout(model, layoutFromText(result.layout, problem.board, "result"));
      if (kept.every((other) => keysApart(other.items, items) >= minDistance)) {
        kept.push({ result, items });
      }
    }
    return kept.map((entry) => entry.result);
  }

  /** Every metric of an accepted result's layout (which the hive has already checked). */
  async metricsOf(jobId: string, result: { id: number; layout: string }): Promise<Metrics> {
    const known = this.metrics.get(result.id);
    if (known) return known;
    const { problem, model } = await this.modelOf(jobId);
    const layout = layoutFromText(result.layout, problem.board, "result");
    const { metrics } = analyzeLayout(new LayoutScorer(model, itemsOfLayout(model, layout)));
    return this.metrics.set(result.id, metrics);
  }
}
