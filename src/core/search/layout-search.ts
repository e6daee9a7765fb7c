import { KeyForgeError } from "../errors.ts";
import { scoreItems } from "../scoring/layout-scorer.ts";
import type { ScoringModel } from "../scoring/model.ts";
import { Random } from "./random.ts";
import { newReplica, type ReplicaState } from "./replica.ts";
import { compileSearchModel, type SearchProblem, startItems } from "./search-problem.ts";
import { temperatureLadder } from "./temperature.ts";

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
 * When the best has not improved for this many epochs, the hottest replica restarts from it:
 * a reheat that explores around the best without pulling the colder replicas out of their
 * own basins (restarting every stuck replica from the best made runs agree less).
 */
const REHEAT_EPOCHS = 100;

/** Keeps the best distinct layouts seen. */
class TopLayouts {
  private readonly byKey = new Map<string, ScoredItems>();
  private readonly limit: number;

  constructor(limit: number) {
    this.limit = limit;
  }

  offer(items: Int32Array, score: number): void {
    const key = items.join(",");
    const known = this.byKey.get(key);
    if (known && known.score <= score) return;
    this.byKey.set(key, { items: items.slice(), score });
    if (this.byKey.size > this.limit * 4) this.trim();
  }

  list(): ScoredItems[] {
    this.trim();
    return [...this.byKey.values()].sort((a, b) => a.score - b.score);
  }

  private trim(): void {
    const kept = [...this.byKey.entries()]
      .sort(([, a], [, b]) => a.score - b.score)
      .slice(0, this.limit);
    this.byKey.clear();
    for (const [key, value] of kept) this.byKey.set(key, value);
  }
}

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
}

/**
 * Parallel tempering over replicas at a ladder of fixed temperatures: each epoch every replica
 * anneals for a while, then neighbouring temperatures may exchange (Metropolis rule on the
 * energy difference), and replicas stuck for long restart from the best layout found. The same
 * seed, step budget and thread count give the same result wherever it runs.
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
  const perThread = options.replicasPerThread ?? DEFAULT_REPLICAS_PER_THREAD;
  const replicaCount = options.threads * perThread;
  const epochSteps = options.epochSteps ?? DEFAULT_EPOCH_STEPS;
  const exchange = Random.seeded(options.seed, 0);
  const fixedStart = startItems(model, problem, null);
  const startScore = scoreItems(model, fixedStart);
  const ladder = temperatureLadder(model, fixedStart, replicaCount, exchange);
  const replicas: ReplicaState[] = ladder.map((temperature, i) => {
    const random = Random.seeded(options.seed, i + 1);
    const items = options.randomStart ? startItems(model, problem, random) : fixedStart.slice();
    return newReplica(i, items, scoreItems(model, items), temperature, random);
  });
  const top = new TopLayouts(options.top ?? 5);
  let best: ScoredItems = { items: fixedStart, score: startScore };
  for (const replica of replicas) {
    if (replica.score < best.score) best = { items: replica.items.slice(), score: replica.score };
  }
  let steps = 0;
  let stepsToBest = 0;
  let timeToBestMs = 0;
  let sinceImprovement = 0;
  let epochsSinceImprovement = 0;
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
    const groups = Array.from({ length: options.threads }, (_, g) =>
      replicas.filter((r) => r.id % options.threads === g),
    );
    for (const replica of (await runner.run(groups, perReplica)).flat())
      replicas[replica.id] = replica;
    steps += perReplica * replicaCount;
    sinceImprovement += perReplica * replicaCount;

    for (const replica of replicas) {
      top.offer(replica.bestItems, replica.bestScore);
      if (replica.bestScore < best.score - 1e-9) {
        best = { items: replica.bestItems.slice(), score: replica.bestScore };
        stepsToBest = steps;
        timeToBestMs = Date.now() - started;
        sinceImprovement = 0;
      }
    }
    exchangeTemperatures(replicas, exchange);
    epochsSinceImprovement = sinceImprovement === 0 ? 0 : epochsSinceImprovement + 1;
    if (epochsSinceImprovement >= REHEAT_EPOCHS) {
      const hottest = replicas.reduce((a, b) => (b.temperature > a.temperature ? b : a));
      hottest.items = best.items.slice();
      hottest.score = best.score;
      epochsSinceImprovement = 0;
    }
    const elapsedMs = Date.now() - started;
    options.onProgress?.({
      model,
      elapsedMs,
      steps,
      stepsPerSecond: (1000 * steps) / Math.max(1, elapsedMs),
      acceptance: replicas.reduce((sum, r) => sum + r.accepted, 0) / Math.max(1, steps),
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
  const exactBest = { items: best.items, score: scoreItems(model, best.items) };
  return {
    model,
    start: { items: fixedStart, score: startScore },
    best: exactBest,
    top: top.list().map((entry) => ({ items: entry.items, score: scoreItems(model, entry.items) })),
    steps,
    acceptance: replicas.reduce((sum, r) => sum + r.accepted, 0) / Math.max(1, steps),
    elapsedMs,
    stepsPerSecond: (1000 * steps) / Math.max(1, elapsedMs),
    stepsToBest,
    timeToBestMs,
    stoppedBy,
    reproducible: stoppedBy === "steps" || stoppedBy === "convergence",
  };
}

/** Neighbouring temperatures swap replicas with the replica-exchange acceptance rule. */
function exchangeTemperatures(replicas: ReplicaState[], random: Random): void {
  const byTemperature = [...replicas].sort((a, b) => b.temperature - a.temperature || a.id - b.id);
  for (let i = 0; i + 1 < byTemperature.length; i++) {
    const hot = byTemperature[i] as ReplicaState;
    const cold = byTemperature[i + 1] as ReplicaState;
    const exponent = (1 / cold.temperature - 1 / hot.temperature) * (cold.score - hot.score);
    if (exponent >= 0 || random.next() < Math.exp(exponent)) {
      const temperature = hot.temperature;
      hot.temperature = cold.temperature;
      cold.temperature = temperature;
      byTemperature[i] = cold;
      byTemperature[i + 1] = hot;
    }
  }
}
