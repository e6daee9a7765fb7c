import type { Board } from "../core/board.ts";
import { formatLayout, type Layout } from "../core/layout.ts";
import type { LayoutAnalysis, NgramShare } from "../core/scoring/analysis.ts";
import { formatMetric } from "../core/scoring/metric.ts";
import { METRICS, type Metrics, WORST_LISTS } from "../core/scoring/metric-catalogue.ts";
import type { AnalysisSubject } from "../protocol/analysis-document.ts";
import { drawBoard } from "./board-drawing.ts";
import { table, useColour, visibleChar } from "./output.ts";

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
    ...METRICS.map(({ key, label, unit }) => [label, formatMetric(metrics[key], unit)]),
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
    ...METRICS.map(({ key, label, unit, weighted }) => [
      label,
      formatMetric(analysis.metrics[key], unit),
      weighted ? String(weights.weights[key]) : "",
      weighted ? analysis.contributions[key].toFixed(2) : "",
    ]),
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
    ...(analysis.shift
      ? [
          `Shift: ${analysis.shift.usage.toFixed(2)}% of keystrokes, ${analysis.shift.sameFinger.toFixed(2)}% on the Shift key's finger`,
          "",
        ]
      : []),
    "key heatmap (characters, then % of keystrokes):",
    heatmap(board, layout, analysis),
    "",
    ...WORST_LISTS.map((list) => worst(`worst ${list.title}`, analysis.top[list.id])),
    "",
    "layout:",
    formatLayout(layout, board).trimEnd(),
  ].join("\n");
}
