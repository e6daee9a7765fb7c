import type { Board } from "../core/board.ts";
import { formatLayout, type Layout } from "../core/layout.ts";
import type { LayoutAnalysis, Metrics, NgramShare } from "../core/scoring/analysis.ts";
import type { AnalysisSubject } from "../protocol/analysis-document.ts";
import { drawBoard } from "./board-drawing.ts";
import { table, useColour, visibleChar } from "./output.ts";

/** How a metric's value reads: a percentage, key widths (u), percentage points, or a plain number. */
export type MetricUnit = "%" | "u" | "pts" | "";

/** Metric rows of reports: key, label (what it is measured in, where that is not plain), unit. */
export const METRIC_ROWS: readonly (readonly [keyof Metrics, string, MetricUnit])[] = [
  ["sfb", "same-finger bigrams (SFB)", "%"],
  ["sfs", "same-finger skipgrams (SFS)", "%"],
  ["sft", "same-finger trigrams (SFT)", "%"],
  ["lsb", "lateral stretch bigrams (LSB)", "%"],
  ["halfScissors", "half scissors", "%"],
  ["fullScissors", "full scissors", "%"],
  ["alternate", "alternation", "%"],
  ["altSfs", "  of which same finger (alt-SFS)", "%"],
  ["rollIn", "rolls inward", "%"],
  ["rollOut", "rolls outward", "%"],
  ["onehandIn", "one-hand inward", "%"],
  ["onehandOut", "one-hand outward", "%"],
  ["redirect", "redirects", "%"],
  ["badRedirect", "  of which bad (no index)", "%"],
  ["thumb", "thumb trigrams", "%"],
  ["distance", "finger travel per keystroke (1 u = a key's width)", "u"],
  ["effort", "effort per keystroke (1 = index finger at home)", ""],
  ["coverage", "corpus coverage", "%"],
  ["handImbalance", "hand imbalance (off 50/50, thumbs left out)", "pts"],
  ["fingerOverload", "finger overload (over the fingers' caps)", "pts"],
];

export function formatMetric(value: number, unit: MetricUnit): string {
  if (unit === "%") return `${value.toFixed(2)}%`;
  if (unit === "u") return `${value.toFixed(3)} u`;
  if (unit === "pts") return `${value.toFixed(2)} pts`;
  return value.toFixed(3);
}

function bar(percent: number, scale: number): string {
  return "█".repeat(Math.round(percent * scale));
}

function fingerBars(analysis: LayoutAnalysis): string {
  const fingers = Object.entries(analysis.usage.fingers);
  const widest = Math.max(...fingers.map(([, p]) => p), 1);
  const rows = fingers.map(([name, percent]) => [
    name,
    `${percent.toFixed(1)}%`,
    bar(percent, 30 / widest),
  ]);
  const { left, right } = analysis.usage.hands;
  const fingerShare = analysis.usage.fingers;
  const leftFingers = left - fingerShare.leftThumb;
  const rightFingers = right - fingerShare.rightThumb;
  const withoutThumbs = (share: number) =>
    ((100 * share) / (leftFingers + rightFingers || 1)).toFixed(1);
  const hands =
    `hands: left ${left.toFixed(1)}%, right ${right.toFixed(1)}%; ` +
    `without the thumbs (the hand imbalance): left ${withoutThumbs(leftFingers)}%, right ${withoutThumbs(rightFingers)}%`;
  const boardRows = `rows: ${Object.entries(analysis.usage.rows)
    .map(([row, percent]) => `${row}: ${percent.toFixed(1)}%`)
    .join(", ")}`;
  return `${table(rows)}\n${hands}\n${boardRows}`;
}

/** What each key of a board drawing shows of a layout: its character, readable. */
export function keyLabels(layout: Layout): string[] {
  return layout.chars.map((c) => (c === null ? "" : c === " " ? "spc" : visibleChar(c)));
}

/** Every metric with its value, in report order. */
export function metricsTable(metrics: Metrics): string {
  return table([
    ["metric", "value"],
    ...METRIC_ROWS.map(([key, label, unit]) => [label, formatMetric(metrics[key], unit)]),
  ]);
}

function heatmap(board: Board, layout: Layout, analysis: LayoutAnalysis): string {
  const hottest = Math.max(...analysis.keyShare, 1e-9);
  const heat = analysis.keyShare.map((share) => share / hottest);
  const labels = keyLabels(layout);
  const shares = analysis.keyShare.map((share) =>
    share === 0 ? "" : share.toFixed(share >= 10 ? 0 : 1),
  );
  const colour = useColour();
  return `${drawBoard(board, { labels, colour, heat })}\n\n${drawBoard(board, { labels: shares, colour, heat })}`;
}

function worst(title: string, entries: readonly NgramShare[]): string {
  if (entries.length === 0) return `${title}: none`;
  return `${title}: ${entries
    .slice(0, 8)
    .map(([gram, percent]) => `${visibleChar(gram)} ${percent.toFixed(2)}%`)
    .join("  ")}`;
}

export type ReportSubject = AnalysisSubject & {
  /** How the header names the weights, when they differ from their id (overrides). */
  readonly weightsLabel?: string;
};

/** The `keyforge analyze` report a person reads. */
export function analysisReport(subject: ReportSubject): string {
  const { board, layout, analysis, weights } = subject;
  const metricTable = table([
    ["metric", "value", "weight", "adds"],
    ...METRIC_ROWS.map(([key, label, unit]) => {
      const weight =
        key in weights.weights ? weights.weights[key as keyof typeof weights.weights] : undefined;
      const adds =
        key in analysis.contributions
          ? analysis.contributions[key as keyof typeof analysis.contributions]
          : undefined;
      return [
        label,
        formatMetric(analysis.metrics[key], unit),
        weight === undefined ? "" : String(weight),
        adds === undefined ? "" : adds.toFixed(2),
      ];
    }),
  ]);
  return [
    `${layout.name} on ${board.name} (${board.id}), corpus ${subject.corpusId}, weights ${subject.weightsLabel ?? weights.id}`,
    `score ${analysis.score.toFixed(3)} (lower is better)`,
    "",
    metricTable,
    "",
    "finger usage:",
    fingerBars(analysis),
    "",
    "key heatmap (characters, then % of keystrokes):",
    heatmap(board, layout, analysis),
    "",
    worst("worst SFBs", analysis.top.sfb),
    worst("worst SFSs", analysis.top.sfs),
    worst("worst scissors", analysis.top.scissors),
    worst("worst LSBs", analysis.top.lsb),
    worst("worst redirects", analysis.top.redirect),
    "",
    "layout:",
    formatLayout(layout, board).trimEnd(),
  ].join("\n");
}
