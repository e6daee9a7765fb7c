import {
  type SearchBudget,
  type SearchProgress,
  type SearchResult,
  searchLayouts,
} from "../../../src/core/search/layout-search.ts";
import { searchProblemOf } from "../../../src/core/search/search-request.ts";
import type { LayoutSetup } from "../data/layout-setup.ts";
import type { BudgetChoice, OptimiseView } from "./optimise-view.ts";
import { workerRunner } from "./worker-runner.ts";

/** How many layouts the search keeps besides its best, as `keyforge optimize` does by default. */
const TOP_LAYOUTS = 5;

export interface RunningSearch {
  /** Settles when the search ends: by its budget, or at the end of the epoch after stop(). */
  readonly result: Promise<SearchResult>;
  readonly stop: () => void;
}

function budgetOf(choice: BudgetChoice): SearchBudget {
  return choice.kind === "steps" ? { steps: choice.steps } : { timeMs: choice.seconds * 1000 };
}

/**
 * Starts the search the page poses, on `view.threads` Web Workers: the same problem, options
 * and seed as `keyforge optimize` with the same flags, so a step budget finds the same layout.
 * A problem the request cannot pose (a pin the layout lacks, nothing left to move) rejects the
 * result with the core's error.
 */
export function startSearch(
  setup: LayoutSetup,
  view: OptimiseView,
  seed: number,
  onProgress: (progress: SearchProgress) => void,
): RunningSearch {
  const stopper = new AbortController();
  const result = (async () => {
    const problem = searchProblemOf(setup, { pins: view.pins, allKeys: view.allKeys });
    return searchLayouts(
      problem,
      {
        seed,
        threads: view.threads,
        budget: budgetOf(view.budget),
        randomStart: !view.fromLayout,
        top: TOP_LAYOUTS,
        onProgress,
        signal: stopper.signal,
      },
      () => workerRunner(problem, view.threads),
    );
  })();
  return { result, stop: () => stopper.abort() };
}
