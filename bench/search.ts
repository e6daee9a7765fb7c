import { type SearchOptions, searchLayouts } from "../src/core/search/layout-search.ts";
import { letterBlockProblem } from "../src/infra/letter-block-problem.ts";
import { threadRunner } from "../src/infra/search/thread-runner.ts";

/** Annealing steps per second with 1 and 2 worker threads, and the speed-up between them. */
export async function benchSearchSpeed(boardId: string, steps: number): Promise<void> {
  const problem = await letterBlockProblem(boardId);
  const rates: number[] = [];
  for (const threads of [1, 2]) {
    const options: SearchOptions = { seed: 1, threads, budget: { steps }, randomStart: true };
    const result = await searchLayouts(problem, options, () => threadRunner(problem, threads));
    rates.push(result.stepsPerSecond);
    const label = `search (${boardId}, ${threads} thread${threads > 1 ? "s" : ""}, ${steps} steps)`;
    console.log(`${label}: annealing steps ${Math.round(result.stepsPerSecond)} /s`);
    console.log(
      `${label}: annealing steps per thread ${Math.round(result.stepsPerSecond / threads)} /s`,
    );
    console.log(`${label}: acceptance ${(100 * result.acceptance).toFixed(1)} %`);
  }
  console.log(
    `search (${boardId}): speed-up from 1 to 2 threads ${((rates[1] ?? 0) / (rates[0] ?? 1)).toFixed(2)} x`,
  );
}
