import { formatLayout, type Layout } from "../src/core/layout.ts";
import type { LayoutAnalysis } from "../src/core/scoring/analysis.ts";
import { evaluateLayout } from "../src/core/scoring/layout-evaluation.ts";
import { layoutOfItems } from "../src/core/scoring/layout-scorer.ts";
import type { SearchProgress } from "../src/core/search/layout-search.ts";
import { searchLayouts } from "../src/core/search/layout-search.ts";
import { letterBlockProblem } from "../src/infra/letter-block-problem.ts";
import { threadRunner } from "../src/infra/search/thread-runner.ts";
import { builtinIds, loadLayout } from "../src/infra/system-data.ts";

/**
 * `npm run bench:quality`: does a timed search from a random start beat every built-in layout
 * while staying within 1.1× graphite's value on each metric a designer checks first, do
 * different seeds agree, and how fast does the best score fall with 1 and 2 threads?
 * BENCH_QUALITY_SECONDS sets the time per run (default 60), BENCH_QUALITY_SEEDS the seed count (5).
 */
const seconds = Number(process.env.BENCH_QUALITY_SECONDS ?? 60);
const seedCount = Number(process.env.BENCH_QUALITY_SEEDS ?? 5);
const CURVE_POINTS = [1, 2, 5, 10, 20, 30, 45, 60, 90, 120].filter((s) => s <= seconds);

/** The metrics the found layout must keep within 1.1× graphite's, and how each is read. */
const CHECKED: readonly [string, (a: LayoutAnalysis) => number][] = [
  ["sfb", (a) => a.metrics.sfb],
  ["sfs", (a) => a.metrics.sfs],
  ["lsb", (a) => a.metrics.lsb],
  ["scissors (half + full)", (a) => a.metrics.halfScissors + a.metrics.fullScissors],
  ["redirect", (a) => a.metrics.redirect],
  ["effort", (a) => a.metrics.effort],
];
/** Further rows of the comparison table. */
const SHOWN: readonly [string, (a: LayoutAnalysis) => number][] = [
  ["badRedirect", (a) => a.metrics.badRedirect],
  ["rollIn", (a) => a.metrics.rollIn],
  ["rollOut", (a) => a.metrics.rollOut],
  ["alternate", (a) => a.metrics.alternate],
  ["distance", (a) => a.metrics.distance],
];
const COMPARED = ["graphite", "gallium", "sturdy"];
const TARGET_RATIO = 1.1;

type Analyse = (layout: Layout) => LayoutAnalysis;

async function builtinAnalyses(
  boardId: string,
): Promise<{ analyse: Analyse; builtins: Map<string, LayoutAnalysis> }> {
  const problem = await letterBlockProblem(boardId);
  const analyse: Analyse = (layout) =>
    evaluateLayout({
      board: problem.board,
      corpus: problem.corpus,
      weights: problem.weights,
      layout,
    });
  const builtins = new Map<string, LayoutAnalysis>();
  for (const id of await builtinIds("layouts")) {
    builtins.set(id, analyse(await loadLayout(id, problem.board)));
  }
  return { analyse, builtins };
}

/** The metrics on which the found layout is worse than 1.1× graphite's, and whether it beats every built-in. */
function targetCheck(found: LayoutAnalysis, builtins: Map<string, LayoutAnalysis>): string {
  const graphite = builtins.get("graphite") as LayoutAnalysis;
  const best = Math.min(...[...builtins.values()].map((a) => a.score));
  const over = CHECKED.filter(([, value]) => value(found) > TARGET_RATIO * value(graphite)).map(
    ([name, value]) => `${name} ${(value(found) / value(graphite)).toFixed(2)}×`,
  );
  const beats = found.score < best;
  return beats && over.length === 0
    ? "target met"
    : `target missed: ${[...(beats ? [] : ["does not beat every built-in"]), ...over].join(", ")}`;
}

/** The found layout's metrics next to graphite's, gallium's and sturdy's, as a Markdown table. */
function comparisonTable(found: LayoutAnalysis, builtins: Map<string, LayoutAnalysis>): string {
  const graphite = builtins.get("graphite") as LayoutAnalysis;
  const rows: [string, (a: LayoutAnalysis) => number][] = [
    ["score", (a) => a.score],
    ...CHECKED,
    ...SHOWN,
  ];
  return [
    `| metric | found | ${COMPARED.join(" | ")} | found / graphite |`,
    `| --- | --- | ${COMPARED.map(() => "---").join(" | ")} | --- |`,
    ...rows.map(
      ([name, value]) =>
        `| ${name} | ${value(found).toFixed(3)} | ${COMPARED.map((id) => value(builtins.get(id) as LayoutAnalysis).toFixed(3)).join(" | ")} | ${(value(found) / value(graphite)).toFixed(2)} |`,
    ),
  ].join("\n");
}

/** One timed run; returns the final best and the best score at each curve point. */
async function timedRun(
  boardId: string,
  seed: number,
  threads: number,
): Promise<{ score: number; text: string; layout: Layout; curve: number[] }> {
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
  const layout = layoutOfItems(result.model, result.best.items, "found");
  return { score: result.best.score, text: formatLayout(layout, problem.board), layout, curve };
}

for (const boardId of ["ortho-3x10", "corne"]) {
  const { analyse, builtins } = await builtinAnalyses(boardId);
  const [builtinName, builtinBest] = [...builtins].sort((a, b) => a[1].score - b[1].score)[0] as [
    string,
    LayoutAnalysis,
  ];
  const builtin = { name: builtinName, score: builtinBest.score };
  const label = `search quality (${boardId}, en, default weights, ${seconds} s)`;
  console.log(`${label}: best built-in layout ${builtin.name} scores ${builtin.score.toFixed(3)}`);
  const scores: number[] = [];
  let twoThreadCurve: number[] = [];
  for (let seed = 1; seed <= seedCount; seed++) {
    const run = await timedRun(boardId, seed, 2);
    scores.push(run.score);
    const found = analyse(run.layout);
    if (seed === 1) {
      twoThreadCurve = run.curve;
      console.log(`${label}: seed 1 layout\n${run.text.trimEnd()}`);
      console.log(
        `${label}: seed 1 against graphite, gallium and sturdy\n${comparisonTable(found, builtins)}`,
      );
    }
    console.log(
      `${label}: seed ${seed}, 2 threads: best score ${run.score.toFixed(3)} (${run.score < builtin.score ? "beats" : "does not beat"} ${builtin.name}); ${targetCheck(found, builtins)}`,
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
