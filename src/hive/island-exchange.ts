import { KeyForgeError } from "../core/errors.ts";
import { layoutFromText } from "../core/layout.ts";
import { rescoreLayout } from "../core/search/result-check.ts";
import {
  type Coordinator,
  CoordinatorUnavailableError,
  type JobBest,
} from "../infra/coord/coordinator.ts";
import type { Database } from "../infra/db/database.ts";
import { JobRepository } from "../infra/db/job-repository.ts";
import type { UnitHolder } from "../infra/db/unit-repository.ts";
import type { Migrant, NodeCommand, Telemetry } from "../protocol/node-messages.ts";
import { publishBestEffort } from "./event-publishing.ts";
import type { JobModels } from "./job-models.ts";

/** An island's score and the hive's may differ by rounding only. */
const SCORE_TOLERANCE = 1e-6;

export interface IslandExchangeOptions {
  readonly db: Database;
  readonly coordinator: Coordinator;
  readonly models: JobModels;
  readonly log: (line: string) => void;
}

/** What a heartbeat answers a node's islands, besides the aborts. */
export interface IslandAnswer {
  readonly commands: NodeCommand[];
  readonly migrants: Migrant[];
}

type ReportedUnit = Telemetry["units"][number];

/** Whether `score` is better than `best` by more than rounding. */
function beats(score: number, best: JobBest | undefined): boolean {
  return best === undefined || score < best.score - SCORE_TOLERANCE * Math.max(1, Math.abs(score));
}

/**
 * Migration between the islands of a job, through the heartbeats: each island's best, checked
 * by re-scoring, becomes the job's best (kept in the coordinator) when it is better; an island
 * that trails the job's best gets it back as a migrant. A job whose best has not improved for
 * its convergeSeconds ends here, and the islands of a job whose search is over are told to
 * finish (deliver their best now).
 */
export class IslandExchange {
  private readonly options: IslandExchangeOptions;
  private readonly jobs: JobRepository;

  constructor(options: IslandExchangeOptions) {
    this.options = options;
    this.jobs = new JobRepository(options.db);
  }

  /**
   * Answers the units a node reports that it holds (`held`, with their holders). Without
   * `islands` (agents before 0.3.0) bests still count and jobs still converge, but the node
   * gets neither migrants nor finish commands, which it would not understand.
   */
  async exchange(
    held: readonly ReportedUnit[],
    holders: ReadonlyMap<string, UnitHolder>,
    islands: boolean,
  ): Promise<IslandAnswer> {
    if (held.length === 0) return { commands: [], migrants: [] };
    const jobIds = [...new Set(held.map((unit) => (holders.get(unit.unitId) as UnitHolder).jobId))];
    const bests = await this.jobBests(jobIds);
    for (const unit of held) {
      const holder = holders.get(unit.unitId) as UnitHolder;
      if (unit.best && !holder.searchOver && beats(unit.best.score, bests.get(holder.jobId))) {
        const kept = await this.offer(holder.jobId, unit.best);
        if (kept) bests.set(holder.jobId, kept);
      }
    }
    const over = new Set<string>();
    for (const jobId of jobIds) {
      const holder = [...holders.values()].find((h) => h.jobId === jobId) as UnitHolder;
      if (holder.searchOver || (await this.convergedNow(jobId, holder, bests.get(jobId)))) {
        over.add(jobId);
      }
    }
    if (!islands) return { commands: [], migrants: [] };
    const commands: NodeCommand[] = [];
    const migrants: Migrant[] = [];
    for (const unit of held) {
      const { jobId } = holders.get(unit.unitId) as UnitHolder;
      const best = bests.get(jobId);
      if (over.has(jobId)) {
        commands.push({ type: "finish", unitId: unit.unitId, reason: "its job's search is over" });
      } else if (
        best &&
        (unit.bestScore === undefined || beats(best.score, { ...best, score: unit.bestScore }))
      ) {
        migrants.push({ unitId: unit.unitId, layout: best.layout, score: best.score });
      }
    }
    return { commands, migrants };
  }

  /** Keeps a result the hive accepted as its job's best when it is (results are islands' bests too). */
  async offerAccepted(jobId: string, best: { score: number; layout: string }): Promise<void> {
    await this.options.coordinator.offerJobBest(jobId, best).catch((error: unknown) => {
      if (!(error instanceof CoordinatorUnavailableError)) throw error;
    });
  }

  /** The jobs' bests; none while the coordinator is away (migration pauses, nothing fails). */
  private async jobBests(jobIds: readonly string[]): Promise<Map<string, JobBest>> {
    try {
      return await this.options.coordinator.jobBests(jobIds);
    } catch (error) {
      if (error instanceof CoordinatorUnavailableError) return new Map();
      throw error;
    }
  }

  /**
   * Re-scores an island's best and offers it as its job's best: the stored best when kept,
   * null when refused (a better one came first, the score is wrong, the coordinator is away).
   */
  private async offer(
    jobId: string,
    best: { score: number; layout: string },
  ): Promise<JobBest | null> {
    const score = await this.rescored(jobId, best);
    if (score === null) return null;
    const layout = best.layout;
    try {
      const kept = await this.options.coordinator.offerJobBest(jobId, { score, layout });
      return kept ? { score, layout, improvedAt: Date.now() } : null;
    } catch (error) {
      if (error instanceof CoordinatorUnavailableError) return null;
      throw error;
    }
  }

  /** The hive's score of an island's best, or null when the island's claim does not hold. */
  private async rescored(
    jobId: string,
    best: { score: number; layout: string },
  ): Promise<number | null> {
    try {
      const { problem, model } = await this.options.models.modelOf(jobId);
      const layout = layoutFromText(best.layout, problem.board, "island best");
      const score = rescoreLayout(model, problem, layout);
      if (Math.abs(score - best.score) <= SCORE_TOLERANCE * Math.max(1, Math.abs(score))) {
        return score;
      }
      this.options.log(
        `hive: island best of job ${jobId} refused: it scores ${score}, not ${best.score}`,
      );
    } catch (error) {
      if (!(error instanceof KeyForgeError)) throw error;
      this.options.log(`hive: island best of job ${jobId} refused: ${error.message}`);
    }
    return null;
  }

  /**
   * Ends the job's search when its best has not improved for its convergeSeconds. A job with no
   * best in the coordinator (none reported yet, or the coordinator restarted empty) has not
   * converged: its islands report their bests again within a minute. True when the search is
   * over now.
   */
  private async convergedNow(
    jobId: string,
    holder: UnitHolder,
    best: JobBest | undefined,
  ): Promise<boolean> {
    if (holder.convergeSeconds === null || holder.startedAt === null || best === undefined) {
      return false;
    }
    const since = Math.max(best.improvedAt, holder.startedAt.getTime());
    if (Date.now() - since < holder.convergeSeconds * 1000) return false;
    const converged = await this.jobs.convergeJob(jobId);
    if (converged === null) return true;
    this.options.log(
      `hive: job ${jobId} converged: no better layout for ${holder.convergeSeconds} s`,
    );
    if (converged.finished) {
      await publishBestEffort(
        this.options.coordinator,
        { type: "job.completed", jobId, status: converged.finished },
        this.options.log,
      );
    }
    return true;
  }
}
