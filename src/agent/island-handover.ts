import type { Island } from "../core/search/island.ts";

/** Jobs whose islands a node keeps for its next units; older ones are dropped first. */
const JOBS_KEPT = 8;

/**
 * The islands a node's ended units handed over, by job: the next unit of the same job on this
 * node continues one of them (its ladder, its replicas' positions and random streams) rather
 * than starting cold. In memory only: an agent that restarts starts its islands anew.
 */
export class IslandHandover {
  private readonly byJob = new Map<string, Island[]>();

  /** An island a unit of the job ended with, for the job's next unit here. */
  keep(jobId: string, island: Island): void {
    const kept = this.byJob.get(jobId) ?? [];
    this.byJob.delete(jobId);
    this.byJob.set(jobId, [...kept, island]);
    if (this.byJob.size > JOBS_KEPT) this.byJob.delete(this.byJob.keys().next().value as string);
  }

  /** One of the job's handed-over islands (the best), taken out; undefined when none is kept. */
  take(jobId: string): Island | undefined {
    const kept = this.byJob.get(jobId);
    if (!kept || kept.length === 0) return undefined;
    kept.sort((a, b) => a.best.score - b.best.score);
    const island = kept.shift();
    if (kept.length === 0) this.byJob.delete(jobId);
    return island;
  }
}
