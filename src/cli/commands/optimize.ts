import { randomInt } from "node:crypto";
import { availableParallelism } from "node:os";
import type { Command } from "commander";
import { formatLayout, type Layout } from "../../core/layout.ts";
import type { LayoutAnalysis } from "../../core/scoring/analysis.ts";
import { evaluateLayout } from "../../core/scoring/layout-evaluation.ts";
import { layoutOfItems } from "../../core/scoring/layout-scorer.ts";
import { formatMetric } from "../../core/scoring/metric.ts";
import { HEADLINE_METRICS, type Metrics } from "../../core/scoring/metric-catalogue.ts";
import {
  DEFAULT_TOP_DISTANCE,
  type SearchBudget,
  type SearchResult,
  searchLayouts,
} from "../../core/search/layout-search.ts";
import { searchProblemOf } from "../../core/search/search-request.ts";
import { checkWritable, writeTextFile } from "../../infra/data-files.ts";
import { threadRunner } from "../../infra/search/thread-runner.ts";
import { loadLayout } from "../../infra/system-data.ts";
import { analysisDocument } from "../../protocol/analysis-document.ts";
import { analysisReport } from "../analysis-report.ts";
import { parseDuration } from "../duration.ts";
import { threadCount, wholeNumber } from "../flag-values.ts";
import { table } from "../output.ts";
import { type ScoringFlags, scoringContext, withScoringFlags } from "../scoring-flags.ts";
import { type SearchFlags, searchRequestOf, withSearchFlags } from "../search-flags.ts";
import { searchProgressReporter } from "../search-progress.ts";

interface OptimizeFlags extends ScoringFlags, SearchFlags {
  from?: string;
  converge?: number;
  threads?: number;
  seed?: number;
  top: number;
  topDistance: number;
  out?: string;
}

const DEFAULT_TIME = "30s";

function budgetOf(flags: OptimizeFlags): SearchBudget {
  const chosen =
    flags.time !== undefined || flags.steps !== undefined || flags.converge !== undefined;
  return {
    ...(flags.steps !== undefined && { steps: flags.steps }),
    ...(flags.converge !== undefined && { stagnationSteps: flags.converge }),
    ...((flags.time !== undefined || !chosen) && {
      timeMs: flags.time ?? parseDuration(DEFAULT_TIME),
    }),
  };
}

/** The metrics shown for the other good layouts (metric-catalogue.ts HEADLINE_METRICS). */
function headline(metrics: Metrics): string {
  return HEADLINE_METRICS.map(
    ({ key, headline, unit }) => `${headline} ${formatMetric(metrics[key], unit)}`,
  ).join(", ");
}

/** How far the best layout is from the start one: characters that left their start key. */
interface Moved {
  readonly keys: number;
  /** Characters the search was free to move. */
  readonly of: number;
  readonly from: string;
}

function movedKeys(start: Layout, best: Layout, result: SearchResult): Moved {
  const movable = [...result.model.movableKeys].filter((k) => start.chars[k] != null);
  return {
    keys: movable.filter((k) => best.chars[k] !== start.chars[k]).length,
    of: movable.length,
    from: start.name,
  };
}

/**
 * How close the best layout stayed to the start one. With --stay-close the search ranks layouts
 * by the score plus the penalty, which its progress line shows; the report's score is the plain
 * one, so both are named here.
 */
function closenessLines(stayClose: number | undefined, result: SearchResult, moved: Moved) {
  return [
    ...(stayClose === undefined
      ? []
      : [
          `best with the stay-close penalty: ${result.best.score.toFixed(3)} (${stayClose} × ${moved.keys} moved keys)`,
        ]),
    `${moved.keys} of ${moved.of} keys moved from ${moved.from}`,
  ];
}

function comparison(
  start: LayoutAnalysis,
  best: LayoutAnalysis,
  result: SearchResult,
  closeness: readonly string[],
): string {
  const change = start.score === 0 ? 0 : (100 * (best.score - start.score)) / Math.abs(start.score);
  return [
    `start score ${start.score.toFixed(3)} → best ${best.score.toFixed(3)} (${change.toFixed(1)}%)`,
    ...closeness,
    table([
      ["", "start", "best"],
      ...HEADLINE_METRICS.map(({ key, headline, unit }) => [
        headline,
        formatMetric(start.metrics[key], unit),
        formatMetric(best.metrics[key], unit),
      ]),
    ]),
    `${result.steps.toLocaleString("en-US")} steps in ${(result.elapsedMs / 1000).toFixed(1)}s (${Math.round(result.stepsPerSecond).toLocaleString("en-US")} steps/s), acceptance ${(100 * result.acceptance).toFixed(1)}%, best found after ${(result.timeToBestMs / 1000).toFixed(1)}s`,
    `stopped by ${result.stoppedBy}; ${result.reproducible ? "the same seed, steps and threads reproduce this result" : "wall time decided the end: not reproducible step for step"}`,
  ].join("\n");
}

async function optimize(flags: OptimizeFlags): Promise<void> {
  const { board, corpus, weights, weightsLabel } = await scoringContext(flags);
  if (flags.out) await checkWritable(flags.out);
  const start = await loadLayout(flags.from ?? "qwerty", board);
  const problem = searchProblemOf({ board, corpus, weights, start }, searchRequestOf(flags));
  const threads = flags.threads ?? availableParallelism();
  const seed = flags.seed ?? randomInt(2 ** 31);
  const budget = budgetOf(flags);
  const stop = new AbortController();
  let interrupts = 0;
  const onInterrupt = () => {
    interrupts++;
    if (interrupts > 1) process.exit(130);
    process.stderr.write(
      "\nstopping: finishing the current epoch (Ctrl-C again to quit at once)\n",
    );
    stop.abort();
  };
  process.on("SIGINT", onInterrupt);
  const progress = searchProgressReporter(board, {
    budgetMs: budget.timeMs,
    stayClose: flags.stayClose !== undefined,
  });
  if (!flags.json) process.stderr.write(`optimizing on ${threads} thread(s), seed ${seed}\n`);
  let result: SearchResult;
  try {
    result = await searchLayouts(
      problem,
      {
        seed,
        threads,
        budget,
        randomStart: flags.from === undefined,
        top: flags.top,
        topDistance: flags.topDistance,
        onProgress: progress.report,
        signal: stop.signal,
      },
      () => threadRunner(problem, threads),
    );
  } finally {
    progress.finish();
    process.off("SIGINT", onInterrupt);
  }
  const bestLayout = layoutOfItems(result.model, result.best.items, "optimized");
  // The same board, corpus and weights as the search, without the stay-close term.
  const analysed = (items: Int32Array) =>
    evaluateLayout({
      board,
      corpus,
      weights,
      layout: layoutOfItems(result.model, items, "analysed"),
    });
  const subject = {
    board,
    layout: bestLayout,
    corpusId: corpus.id,
    weights,
    weightsLabel,
    analysis: analysed(result.best.items),
  };
  const startAnalysis = analysed(result.start.items);
  // Without --from every replica starts from its own shuffle: no start to compare with.
  const moved =
    flags.from !== undefined || flags.stayClose !== undefined
      ? movedKeys(start, bestLayout, result)
      : null;
  const others = result.top.slice(1).map((entry) => ({
    text: formatLayout(layoutOfItems(result.model, entry.items, "top"), board),
    analysis: analysed(entry.items),
  }));
  if (flags.out) await writeTextFile(flags.out, formatLayout(bestLayout, board));
  if (flags.json) {
    process.stdout.write(
      `${JSON.stringify(
        {
          best: analysisDocument(subject),
          top: [
            {
              score: subject.analysis.score,
              text: formatLayout(bestLayout, board),
              metrics: subject.analysis.metrics,
            },
            ...others.map((o) => ({
              score: o.analysis.score,
              text: o.text,
              metrics: o.analysis.metrics,
            })),
          ],
          start: { name: start.name, score: startAnalysis.score, metrics: startAnalysis.metrics },
          ...(moved && { moved: { keys: moved.keys, of: moved.of } }),
          ...(flags.stayClose !== undefined && {
            stayClose: { penalty: flags.stayClose, scoreWithPenalty: result.best.score },
          }),
          run: {
            seed,
            threads,
            steps: result.steps,
            stepsPerSecond: result.stepsPerSecond,
            acceptance: result.acceptance,
            elapsedMs: result.elapsedMs,
            timeToBestMs: result.timeToBestMs,
            stepsToBest: result.stepsToBest,
            stoppedBy: result.stoppedBy,
            reproducible: result.reproducible,
          },
        },
        null,
        2,
      )}\n`,
    );
    return;
  }
  console.log(analysisReport(subject));
  console.log("");
  console.log(
    comparison(
      startAnalysis,
      subject.analysis,
      result,
      moved ? closenessLines(flags.stayClose, result, moved) : [],
    ),
  );
  if (others.length > 0) {
    console.log(
      `\nother good layouts found (each at least ${flags.topDistance} keys from the others):`,
    );
    for (const other of others) {
      console.log(
        `score ${other.analysis.score.toFixed(3)}: ${headline(other.analysis.metrics)}\n${other.text}`,
      );
    }
  }
  if (flags.out) console.log(`wrote ${flags.out}`);
}

export function registerOptimizeCommand(program: Command): void {
  withSearchFlags(
    withScoringFlags(
      program
        .command("optimize")
        .description(
          "search for a better layout by simulated annealing (parallel tempering) on worker threads",
        ),
    ).option("--from <layout>", "start from this layout (default: qwerty's characters, shuffled)"),
    {
      steps: "stop after this many proposals (over all replicas)",
      time: `stop after this long, e.g. 60s or 5m (default ${DEFAULT_TIME} when no budget is given)`,
    },
  )
    .option(
      "--converge <n>",
      "stop when the best has not improved for this many proposals",
      wholeNumber,
    )
    .option("--threads <n>", "worker threads (default: one per core)", threadCount)
    .option("--seed <n>", "random seed (default: random, printed)", wholeNumber)
    .option("--top <k>", "also show the k best distinct layouts", wholeNumber, 5)
    .option(
      "--top-distance <keys>",
      "fewest keys the shown layouts differ in",
      wholeNumber,
      DEFAULT_TOP_DISTANCE,
    )
    .option("-o, --out <file>", "write the best layout (layout text) to this file")
    .action(optimize);
}
