import { searchLayouts } from "../src/core/search/layout-search.ts";
import { letterBlockProblem } from "../src/infra/letter-block-problem.ts";
import { threadRunner } from "../src/infra/search/thread-runner.ts";

/**
 * `npm run bench:islands`: how often should islands share their best? Two islands (threads)
 * search from random starts for the same number of steps, with migration every 1, 5, 25 or
 * 100 epochs, or never; the median and worst best score over the seeds tell the schedules
 * apart. Step budgets, so a busy machine slows the bench but does not change its figures.
 * BENCH_ISLAND_STEPS (default 6,000,000), BENCH_ISLAND_SEEDS (default 3), BENCH_ISLAND_BOARDS
 * (default ortho-3x10,corne), BENCH_ISLAND_SCHEDULES (epochs, 0 for never; default 1,5,25,100,0).
 */
const STEPS = Number(process.env.BENCH_ISLAND_STEPS ?? 6_000_000);
const SEEDS = Number(process.env.BENCH_ISLAND_SEEDS ?? 3);
const BOARDS = (process.env.BENCH_ISLAND_BOARDS ?? "ortho-3x10,corne").split(",");
const SCHEDULES = (process.env.BENCH_ISLAND_SCHEDULES ?? "1,5,25,100,0").split(",").map(Number);
const THREADS = 2;

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
}

console.log(`| board | migration | median best | worst best | seeds |`);
console.log(`| ----- | --------- | ----------- | ---------- | ----- |`);
for (const boardId of BOARDS) {
  const problem = await letterBlockProblem(boardId);
  for (const schedule of SCHEDULES) {
    const scores: number[] = [];
    for (let seed = 1; seed <= SEEDS; seed++) {
      const result = await searchLayouts(
        problem,
        {
          seed,
          threads: THREADS,
          budget: { steps: STEPS },
          randomStart: true,
          migrationEpochs: schedule === 0 ? Number.POSITIVE_INFINITY : schedule,
        },
        () => threadRunner(problem, THREADS),
      );
      scores.push(result.best.score);
    }
    const label = schedule === 0 ? "never" : `every ${schedule} epochs`;
    console.log(
      `| ${boardId} | ${label} | ${median(scores).toFixed(4)} | ${Math.max(...scores).toFixed(4)} | ${scores.map((s) => s.toFixed(4)).join(", ")} |`,
    );
  }
}
