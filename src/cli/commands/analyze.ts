import { readdir } from "node:fs/promises";
import { join } from "node:path";
import type { Command } from "commander";
import { KeyForgeError } from "../../core/errors.ts";
import { evaluateLayout } from "../../core/scoring/layout-evaluation.ts";
import { formatMetric } from "../../core/scoring/metric.ts";
import {
  HEADLINE_METRICS,
  METRICS,
  type MetricKey,
  WEIGHTED_TERMS,
  type WeightedTerm,
} from "../../core/scoring/metric-catalogue.ts";
import { builtinIds, loadLayout } from "../../infra/system-data.ts";
import { analysisDocument } from "../../protocol/analysis-document.ts";
import { analysisReport, type ReportSubject } from "../analysis-report.ts";
import { printJson, table } from "../output.ts";
import {
  type ScoringContext,
  type ScoringFlags,
  scoringContext,
  withScoringFlags,
} from "../scoring-flags.ts";

async function analyzed(ref: string, context: ScoringContext): Promise<ReportSubject> {
  const layout = await loadLayout(ref, context.board);
  return {
    ...context,
    corpusId: context.corpus.id,
    layout,
    analysis: evaluateLayout({ ...context, layout }),
  };
}

async function analyze(ref: string, flags: ScoringFlags): Promise<void> {
  const subject = await analyzed(ref, await scoringContext(flags));
  if (flags.json) printJson(analysisDocument(subject));
  else console.log(analysisReport(subject));
}

async function compare(refs: string[], flags: ScoringFlags): Promise<void> {
  const context = await scoringContext(flags);
  const subjects: ReportSubject[] = [];
  for (const ref of refs) subjects.push(await analyzed(ref, context));
  if (flags.json) {
    printJson(subjects.map(analysisDocument));
    return;
  }
  console.log(
    `board ${context.board.id}, corpus ${context.corpus.id}, weights ${context.weightsLabel}\n`,
  );
  console.log(
    table([
      ["", ...subjects.map((s) => s.layout.name)],
      ["score", ...subjects.map((s) => s.analysis.score.toFixed(3))],
      ...METRICS.map(({ key, label, unit }) => [
        label,
        ...subjects.map((s) => formatMetric(s.analysis.metrics[key], unit)),
      ]),
    ]),
  );
}

/** Layout references to rank: every built-in layout, or every layout file in a folder. */
async function layoutRefs(folder: string | undefined): Promise<string[]> {
  if (folder === undefined) return builtinIds("layouts");
  const names = await readdir(folder).catch(() => {
    throw new KeyForgeError("RANK_FOLDER_UNREADABLE", `cannot read folder ${folder}`);
  });
  const files = names.filter((name) => !name.startsWith(".")).sort();
  if (files.length === 0)
    throw new KeyForgeError("RANK_FOLDER_EMPTY", `no layout files in ${folder}`);
  return files.map((name) => join(folder, name));
}

const SORTABLE = new Set<string>(["score", ...METRICS.map(({ key }) => key)]);

async function rank(
  folder: string | undefined,
  flags: ScoringFlags & { sort: string },
): Promise<void> {
  if (!SORTABLE.has(flags.sort)) {
    throw new KeyForgeError("FLAG_INVALID", `--sort must be one of: ${[...SORTABLE].join(", ")}`);
  }
  const context = await scoringContext(flags);
  const subjects: ReportSubject[] = [];
  for (const ref of await layoutRefs(folder)) subjects.push(await analyzed(ref, context));
  const value = (s: ReportSubject) =>
    flags.sort === "score" ? s.analysis.score : s.analysis.metrics[flags.sort as MetricKey];
  // A metric the weights reward (negative weight, e.g. inward rolls) ranks highest first.
  const weight = (WEIGHTED_TERMS as readonly string[]).includes(flags.sort)
    ? context.weights.weights[flags.sort as WeightedTerm]
    : 1;
  const direction = weight < 0 ? -1 : 1;
  subjects.sort((a, b) => direction * (value(a) - value(b)) || a.analysis.score - b.analysis.score);
  if (flags.json) {
    printJson(subjects.map((s, i) => ({ rank: i + 1, ...analysisDocument(s) })));
    return;
  }
  console.log(
    `board ${context.board.id}, corpus ${context.corpus.id}, weights ${context.weightsLabel}, sorted by ${flags.sort}\n`,
  );
  console.log(
    table([
      ["#", "layout", "score", ...HEADLINE_METRICS.map(({ headline }) => headline)],
      ...subjects.map((s, i) => [
        String(i + 1),
        s.layout.name,
        s.analysis.score.toFixed(2),
        ...HEADLINE_METRICS.map(({ key, unit }) => formatMetric(s.analysis.metrics[key], unit)),
      ]),
    ]),
  );
}

export function registerAnalysisCommands(program: Command): void {
  withScoringFlags(
    program
      .command("analyze <layout>")
      .description(
        "score a layout (built-in name, file, or - for standard input) and show every metric",
      ),
  ).action(analyze);
  withScoringFlags(
    program.command("compare <layouts...>").description("compare layouts side by side"),
  ).action(compare);
  withScoringFlags(
    program
      .command("rank [folder]")
      .description("rank every built-in layout (or every layout file in a folder) on one board")
      .option("--sort <metric>", "score or a metric name, e.g. sfb or rollIn", "score"),
  ).action(rank);
}
