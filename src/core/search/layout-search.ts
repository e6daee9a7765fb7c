import { KeyForgeError } from "../errors.ts";
import type { Layout } from "../layout.ts";
import { itemsOfLayout, scoreItems } from "../scoring/layout-scorer.ts";
import type { ScoringModel } from "../scoring/model.ts";
import { adoptMigrant, endEpoch, type Island, newIsland } from "./island.ts";
import type { ReplicaState } from "./replica.ts";
import { rescoreLayout } from "./result-check.ts";
import { compileSearchModel, type SearchProblem, startItems } from "./search-problem.ts";
import { TopLayouts } from "./top-layouts.ts";

export interface SearchBudget {
  /** Total proposals over all replicas (used up to a whole number per replica). */
  readonly steps?: number;
  /** Wall time; a search that stops on time is not reproducible. */
  readonly timeMs?: number;
  /** Stop when the best has not improved for this many proposals. */
  readonly stagnationSteps?: number;
}

export interface SearchOptions {
  readonly seed: number;
  /** Replica groups run in parallel, one per thread; the result depends on it. */
  readonly threads: number;
  readonly replicasPerThread?: number;
  readonly budget: SearchBudget;
  /** Proposals per replica between two replica exchanges. */
  readonly epochSteps?: number;
  /** Start every replica from a random arrangement instead of the start layout. */
  readonly randomStart: boolean;
  /** How many distinct good layouts to keep. */
  readonly top?: number;
  /** Fewest keys two of the kept layouts differ in (default DEFAULT_TOP_DISTANCE). */
  readonly topDistance?: number;
  /** Epochs between two migrations of the best to every island (default DEFAULT_MIGRATION_EPOCHS). */
  readonly migrationEpochs?: number;
  /**
   * Islands to continue (the states a search of the same problem ended with) instead of new
   * ones: one per thread. Their ladders, positions and random streams go on where they stopped.
   */
  readonly resume?: readonly Island[];
  /**
   * Layouts found elsewhere (a job's other islands), asked for after every epoch: each is
   * checked and scored here and offered to every island (adoptMigrant), which takes it only
   * when it beats the island's best. One the search could not have found (other characters,
   * pinned or excluded keys changed) is left out.
   */
  readonly migrants?: () => readonly Layout[];
  readonly onProgress?: (progress: SearchProgress) => void;
  readonly signal?: AbortSignal;
}

export interface ScoredItems {
  readonly items: Int32Array;
  readonly score: number;
}

export interface SearchProgress {
  readonly model: ScoringModel;
  readonly elapsedMs: number;
  readonly steps: number;
  readonly stepsPerSecond: number;
  readonly acceptance: number;
  readonly coldestTemperature: number;
  readonly hottestTemperature: number;
  readonly best: ScoredItems;
}

export type StopReason = "steps" | "time" | "convergence" | "signal";

export interface SearchResult {
  readonly model: ScoringModel;
  readonly start: ScoredItems;
  readonly best: ScoredItems;
  readonly top: readonly ScoredItems[];
  readonly steps: number;
  readonly acceptance: number;
  readonly elapsedMs: number;
  readonly stepsPerSecond: number;
  readonly stepsToBest: number;
  readonly timeToBestMs: number;
  readonly stoppedBy: StopReason;
  /** False when wall time decided where the search stopped. */
  readonly reproducible: boolean;
  /** The islands as they ended, for a later search of the same problem to continue. */
  readonly islands: readonly Island[];
}

/** Runs one epoch: every group of replicas advances `steps` proposals, possibly in parallel. */
export interface EpochRunner {
  run(groups: ReplicaState[][], steps: number): Promise<ReplicaState[][]>;
  /** Releases what the runner holds (threads); called once the search ends, however it ends. */
  close?(): Promise<void>;
}

const DEFAULT_EPOCH_STEPS = 1000;
const DEFAULT_REPLICAS_PER_THREAD = 8;
/**
 * Epochs between two migrations of a search's best to its other islands (see
 * docs/benchmarks.md, "Islands and migration", for the schedules measured).
 */
export const DEFAULT_MIGRATION_EPOCHS = 25;
/** Best layouts a search keeps, and how many keys apart they are at least. */
const DEFAULT_TOP = 5;
export const DEFAULT_TOP_DISTANCE = 6;

function checkOptions(options: SearchOptions): void {
  const { budget } = options;
  if (
    budget.steps === undefined &&
    budget.timeMs === undefined &&
    budget.stagnationSteps === undefined
  ) {
    throw new KeyForgeError(
      "SEARCH_NO_BUDGET",
      "a search needs a budget: steps, time or convergence",
    );
  }
  if (!Number.isInteger(options.threads) || options.threads < 1) {
    throw new KeyForgeError(
      "SEARCH_THREADS_INVALID",
      `threads must be a whole number of at least 1 (got ${options.threads})`,
    );
  }
  if (options.resume && options.resume.length !== options.threads) {
    throw new KeyForgeError(
      "SEARCH_RESUME_INVALID",
      `${options.resume.length} islands to continue on ${options.threads} threads: one per thread`,
    );
  }
}

/** The islands a search starts with: those it continues, or one new island per thread. */
function startIslands(
  problem: SearchProblem,
  options: SearchOptions,
  model: ScoringModel,
): Island[] {
  const replicas = options.replicasPerThread ?? DEFAULT_REPLICAS_PER_THREAD;
  const width = model.size;
  if (options.resume) {
    for (const island of options.resume) {
      if (island.best.items.length !== width || island.replicas.length === 0) {
        throw new KeyForgeError(
          "SEARCH_RESUME_INVALID",
          "the islands to continue come from a search of another problem",
        );
      }
    }
    return [...options.resume];
  }
  return Array.from({ length: options.threads }, (_, index) =>
    newIsland(model, problem, {
      seed: options.seed,
      index,
      replicas,
      randomStart: options.randomStart,
    }),
  );
}

/**
 * Island search: every thread runs an island, a parallel-tempering ladder of replicas at fixed
 * temperatures (island.ts). Each epoch every replica anneals for a while, then each island's
 * neighbouring temperatures may exchange; every few epochs the best layout of all migrates to
 * the other islands, and layouts from elsewhere (`migrants`) are offered after every epoch. The
 * same seed, step budget and thread count give the same result wherever it runs.
 */
export async function searchLayouts(
  problem: SearchProblem,
  options: SearchOptions,
  runnerFor: (model: ScoringModel) => EpochRunner,
): Promise<SearchResult> {
  checkOptions(options);
  const started = Date.now();
  const model = compileSearchModel(problem);
  const runner = runnerFor(model);
  try {
    return await anneal(problem, options, model, runner, started);
  } finally {
    await runner.close?.();
  }
}

async function anneal(
  problem: SearchProblem,
  options: SearchOptions,
  model: ScoringModel,
  runner: EpochRunner,
  started: number,
): Promise<SearchResult> {
  const islands = startIslands(problem, options, model);
  const replicaCount = islands.reduce((sum, island) => sum + island.replicas.length, 0);
  const epochSteps = options.epochSteps ?? DEFAULT_EPOCH_STEPS;
  const migrationEpochs = options.migrationEpochs ?? DEFAULT_MIGRATION_EPOCHS;
  const fixedStart = startItems(model, problem, null);
  const startScore = scoreItems(model, fixedStart);
  const top = new TopLayouts(
    options.top ?? DEFAULT_TOP,
    options.topDistance ?? DEFAULT_TOP_DISTANCE,
  );
  const acceptedBefore = accepted(islands);
  let best: ScoredItems = { items: fixedStart, score: startScore };
  const offerBest = (candidate: ScoredItems) => {
    if (candidate.score < best.score - 1e-9) {
      best = { items: candidate.items.slice(), score: candidate.score };
      return true;
    }
    return false;
  };
  for (const island of islands) {
    offerBest(island.best);
    top.offer(island.best.items, island.best.score);
  }
  let steps = 0;
  let epochs = 0;
  let stepsToBest = 0;
  let timeToBestMs = 0;
  let sinceImprovement = 0;
  let stoppedBy: StopReason = "steps";
  const { budget } = options;

  for (;;) {
    if (options.signal?.aborted) {
      stoppedBy = "signal";
      break;
    }
    const remaining = budget.steps === undefined ? Number.POSITIVE_INFINITY : budget.steps - steps;
    if (remaining <= 0) break;
    // Never past the budget: the last epoch is cut short, to a whole number of steps per replica.
    const perReplica = Math.min(epochSteps, Math.floor(remaining / replicaCount));
    if (perReplica === 0) break;
    const ran = await runner.run(
      islands.map((island) => island.replicas),
      perReplica,
    );
    for (const [i, island] of islands.entries()) {
      const byId = new Map((ran[i] ?? []).map((replica) => [replica.id, replica]));
      island.replicas = island.replicas.map((replica) => byId.get(replica.id) ?? replica);
    }
    steps += perReplica * replicaCount;
    sinceImprovement += perReplica * replicaCount;
    epochs++;

    let improved = false;
    for (const island of islands) {
      endEpoch(island);
      for (const replica of island.replicas) top.offer(replica.bestItems, replica.bestScore);
      improved = offerBest(island.best) || improved;
    }
    if (islands.length > 1 && epochs % migrationEpochs === 0) {
      for (const island of islands) adoptMigrant(island, best.items, best.score);
    }
    for (const migrant of checkedMigrants(model, problem, options.migrants?.() ?? [])) {
      const { items, score } = migrant;
      for (const island of islands) adoptMigrant(island, items, score);
      top.offer(items, score);
      improved = offerBest({ items, score }) || improved;
    }
    if (improved) {
      stepsToBest = steps;
      timeToBestMs = Date.now() - started;
      sinceImprovement = 0;
    }
    const elapsedMs = Date.now() - started;
    const replicas = islands.flatMap((island) => island.replicas);
    options.onProgress?.({
      model,
      elapsedMs,
      steps,
      stepsPerSecond: (1000 * steps) / Math.max(1, elapsedMs),
      acceptance: (accepted(islands) - acceptedBefore) / Math.max(1, steps),
      coldestTemperature: Math.min(...replicas.map((r) => r.temperature)),
      hottestTemperature: Math.max(...replicas.map((r) => r.temperature)),
      best,
    });
    if (budget.timeMs !== undefined && elapsedMs >= budget.timeMs) {
      stoppedBy = "time";
      break;
    }
    if (budget.stagnationSteps !== undefined && sinceImprovement >= budget.stagnationSteps) {
      stoppedBy = "convergence";
      break;
    }
  }

  const elapsedMs = Date.now() - started;
  const exact = (entry: ScoredItems) => ({
    items: entry.items,
    score: scoreItems(model, entry.items),
  });
  return {
    model,
    start: { items: fixedStart, score: startScore },
    best: exact(best),
    top: top.list().map(exact),
    steps,
    acceptance: (accepted(islands) - acceptedBefore) / Math.max(1, steps),
    elapsedMs,
    stepsPerSecond: (1000 * steps) / Math.max(1, elapsedMs),
    stepsToBest,
    timeToBestMs,
    stoppedBy,
    reproducible: stoppedBy === "steps" || stoppedBy === "convergence",
    islands,
  };
}

/** The migrants the search could have found itself, with their items and scores. */
function checkedMigrants(
  model: ScoringModel,
  problem: SearchProblem,
  layouts: readonly Layout[],
): ScoredItems[] {
  return layouts.flatMap((layout) => {
    try {
      const score = rescoreLayout(model, problem, layout);
      return [{ items: itemsOfLayout(model, layout), score }];
    } catch (error) {
      if (error instanceof KeyForgeError) return [];
      throw error;
    }
  });
}

/** Moves the islands' replicas have applied, over their whole lives. */
function accepted(islands: readonly Island[]): number {
  let sum = 0;
  for (const island of islands) for (const replica of island.replicas) sum += replica.accepted;
  return sum;
}
