import { formatLayout, layoutFromText } from "../core/layout.ts";
import { layoutOfItems } from "../core/scoring/layout-scorer.ts";
import { searchLayouts } from "../core/search/layout-search.ts";
import type { SearchProblem } from "../core/search/search-problem.ts";
import { threadRunner } from "../infra/search/thread-runner.ts";
import { jobContentSchema } from "../protocol/job-messages.ts";
import { type AssetReader, jobProblem } from "../protocol/job-problem.ts";
import type { LeasedUnit } from "../protocol/node-messages.ts";

/** What a unit's search found, ready to be signed and submitted. */
export interface UnitOutcome {
  readonly layout: string;
  readonly score: number;
  readonly steps: number;
  readonly durationMs: number;
}

/** A unit being searched: its best score so far (for heartbeats) and its end. */
export interface UnitRun {
  readonly unitId: string;
  /** The best score found so far; null before the first epoch ends. */
  bestScore(): number | null;
  /** Steps per second the search has made so far; 0 before the first epoch ends. */
  stepsPerSecond(): number;
  /** Stops the search at its next epoch; `done` then rejects with the reason. */
  abort(reason: string): void;
  readonly done: Promise<UnitOutcome>;
}

/**
 * The problem a unit searches: the job's, started from one of the job's best layouts when the
 * hive sent some (so later units build on earlier ones, each unit on the one its seed picks),
 * else from random arrangements of the job's start layout.
 */
async function unitProblem(
  unit: LeasedUnit,
  assets: AssetReader,
): Promise<{ problem: SearchProblem; randomStart: boolean }> {
  const problem = await jobProblem(jobContentSchema.parse(unit.content), assets);
  const best = unit.startLayouts[unit.seed % Math.max(1, unit.startLayouts.length)];
  if (best === undefined) return { problem, randomStart: true };
  return {
    problem: { ...problem, start: layoutFromText(best, problem.board, "best so far") },
    randomStart: false,
  };
}

/**
 * Runs a leased unit: its job's search from `src/core`, seeded and budgeted as the hive said,
 * on a worker thread of its own (at `niceness`, see threadRunner). A failing or dying thread
 * fails the unit, not the agent.
 */
export function runUnit(unit: LeasedUnit, assets: AssetReader, niceness = 0): UnitRun {
  const stop = new AbortController();
  let best: number | null = null;
  let rate = 0;
  let abortReason = "";
  const done = (async (): Promise<UnitOutcome> => {
    const { problem, randomStart } = await unitProblem(unit, assets);
    const result = await searchLayouts(
      problem,
      {
        seed: unit.seed,
        threads: 1,
        budget: { steps: unit.steps },
        randomStart,
        signal: stop.signal,
        onProgress: (progress) => {
          best = progress.best.score;
          rate = progress.stepsPerSecond;
        },
      },
      () => threadRunner(problem, 1, niceness),
    );
    if (result.stoppedBy === "signal")
      throw new Error(`unit ${unit.unitId} aborted: ${abortReason}`);
    return {
      layout: formatLayout(
        layoutOfItems(result.model, result.best.items, "unit result"),
        problem.board,
      ),
      score: result.best.score,
      steps: result.steps,
      durationMs: Math.round(result.elapsedMs),
    };
  })();
  return {
    unitId: unit.unitId,
    bestScore: () => best,
    stepsPerSecond: () => rate,
    abort(reason) {
      abortReason = reason;
      stop.abort();
    },
    done,
  };
}
