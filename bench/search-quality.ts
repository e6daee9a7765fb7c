import { formatLayout } from "../src/core/layout.ts";
import { evaluateLayout } from "../src/core/scoring/layout-evaluation.ts";
import { layoutOfItems } from "../src/core/scoring/layout-scorer.ts";
import type { SearchProgress } from "../src/core/search/layout-search.ts";
import { searchLayouts } from "../src/core/search/layout-search.ts";
import { letterBlockProblem } from "../src/infra/letter-block-problem.ts";
import { threadRunner } from "../src/infra/search/thread-runner.ts";
import { builtinIds, loadLayout } from "../src/infra/system-data.ts";

/**
 * `npm run bench:quality`: does a timed search from a random start beat every built-in layout,
 * do different seeds agree, and how fast does the best score fall with 1 and 2 threads?
 * BENCH_QUALITY_SECONDS sets the time per run (default 60), BENCH_QUALITY_SEEDS the seed count (5).
 */
const seconds = Number(process.env.BENCH_QUALITY_SECONDS ?? 60);
const seedCount = Number(process.env.BENCH_QUALITY_SEEDS ?? 5);
const CURVE_POINTS = [1, 2, 5, 10, 20, 30, 45, 60, 90, 120].filter((s) => s <= seconds);

async function bestBuiltin(boardId: string): Promise<{ name: string; score: number }> {
  const problem = await letterBlockProblem(boardId);
  let best = { name: "", score: Number.POSITIVE_INFINITY };
  for (const id of await builtinIds("layouts")) {
    const layout = await loadLayout(id, problem.board);
    const { score } = evaluateLayout({
      board: problem.board,
      corpus: problem.corpus,
      weights: problem.weights,
      layout,
    });
    if (score < best.score) best = { name: id, score };
  }
  return best;
}

/** One timed run; returns the final best and the best score at each curve point. */
async function timedRun(
  boardId: string,
  seed: number,
  threads: number,
): Promise<{ score: number; text: string; curve: number[] }> {
  const problem = await letterBlockProblem(boardId);
  const curve: number[] = [];
  const onProgress = (progress: SearchProgress) => {
    while (
      curve.length < CURVE_POINTS.length &&
      progress.elapsedMs >= (CURVE_POINTS[curve.length] as number) * 1000
    ) {
      curve.push(progress.best.score);
    }
  };
  const result = await searchLayouts(
    problem,
    { seed, threads, budget: { timeMs: seconds * 1000 }, randomStart: true, onProgress },
    () => threadRunner(problem, threads),
  );
  while (curve.length < CURVE_POINTS.length) curve.push(result.best.score);
  const text = formatLayout(layoutOfItems(result.model, result.best.items, "best"), problem.board);
  return { score: result.best.score, text, curve };
}

for (const boardId of ["ortho-3x10", "corne"]) {
  const builtin = await bestBuiltin(boardId);
  const label = `search quality (${boardId}, en, default weights, ${seconds} s)`;
  console.log(`${label}: best built-in layout ${builtin.name} scores ${builtin.score.toFixed(3)}`);
  const scores: number[] = [];
  let twoThreadCurve: number[] = [];
  for (let seed = 1; seed <= seedCount; seed++) {
    const run = await timedRun(boardId, seed, 2);
    scores.push(run.score);
    if (seed === 1) {
      twoThreadCurve = run.curve;
      console.log(`${label}: seed 1 layout\n${run.text.trimEnd()}`);
    }
    console.log(
      `${label}: seed ${seed}, 2 threads: best score ${run.score.toFixed(3)} (${run.score < builtin.score ? "beats" : "does not beat"} ${builtin.name})`,
    );
  }
  const spread = (100 * (Math.max(...scores) - Math.min(...scores))) / Math.min(...scores);
  console.log(`${label}: spread over ${seedCount} seeds ${spread.toFixed(2)} %`);
  const oneThread = await timedRun(boardId, 1, 1);
  for (const [i, point] of CURVE_POINTS.entries()) {
    console.log(
      `${label}: best after ${point} s: 1 thread ${oneThread.curve[i]?.toFixed(3)}, 2 threads ${twoThreadCurve[i]?.toFixed(3)}`,
    );
  }
}
