import type { Board } from "../core/board.ts";
import { analyzeLayout } from "../core/scoring/analysis.ts";
import { LayoutScorer, layoutOfItems } from "../core/scoring/layout-scorer.ts";
import type { SearchProgress } from "../core/search/layout-search.ts";
import { drawBoard } from "./board-drawing.ts";
import { LINE_WIDTH, truncate } from "./output.ts";

/** Off a terminal, one progress line every this many milliseconds; on one, a redraw. */
const LINE_INTERVAL_MS = 5000;
const REDRAW_INTERVAL_MS = 250;

export interface ProgressOptions {
  /** The time budget, for a progress bar; none without one. */
  readonly budgetMs: number | undefined;
  /** The search's scores include the stay-close penalty, and the line says so. */
  readonly stayClose: boolean;
}

function progressLine(progress: SearchProgress, options: ProgressOptions): string {
  const { budgetMs } = options;
  const seconds = progress.elapsedMs / 1000;
  const share = budgetMs ? Math.min(1, progress.elapsedMs / budgetMs) : undefined;
  const bar = share === undefined ? "" : `[${"#".repeat(Math.round(share * 20)).padEnd(20, ".")}] `;
  const best = `best ${progress.best.score.toFixed(3)}${options.stayClose ? " (incl. stay-close)" : ""}`;
  return `${bar}${seconds.toFixed(1)}s  ${Math.round(progress.stepsPerSecond).toLocaleString("en-US")} steps/s  T ${progress.coldestTemperature.toPrecision(2)}–${progress.hottestTemperature.toPrecision(2)}  ${best}`;
}

/**
 * Shows a running search: on a terminal, a progress line and the current best layout drawn in
 * place; elsewhere, a plain line every few seconds. Everything goes to standard error.
 */
export function searchProgressReporter(
  board: Board,
  options: ProgressOptions,
): { report(progress: SearchProgress): void; finish(): void } {
  const stream = process.stderr;
  let drawnLines = 0;
  let lastLine = 0;
  return {
    report(progress) {
      const interval = stream.isTTY ? REDRAW_INTERVAL_MS : LINE_INTERVAL_MS;
      if (progress.elapsedMs - lastLine < interval) return;
      lastLine = progress.elapsedMs;
      const best = new LayoutScorer(progress.model, progress.best.items);
      const line = `${progressLine(progress, options)}  SFB ${analyzeLayout(best).metrics.sfb.toFixed(2)}%`;
      if (!stream.isTTY) {
        stream.write(`${line}\n`);
        return;
      }
      const layout = layoutOfItems(progress.model, progress.best.items, "best so far");
      const labels = layout.chars.map((c) => (c === null ? "" : c === " " ? "spc" : c));
      // A wrapped line would take a row more than the redraw moves back up.
      const shown = truncate(line, (stream.columns || LINE_WIDTH) - 1);
      const text = `${shown}\n${drawBoard(board, { labels, colour: false })}\n`;
      const clear = drawnLines > 0 ? `\u001b[${drawnLines}A\u001b[J` : "";
      stream.write(clear + text);
      drawnLines = text.split("\n").length - 1;
    },
    finish() {
      if (stream.isTTY && drawnLines > 0) stream.write(`\u001b[${drawnLines}A\u001b[J`);
      drawnLines = 0;
    },
  };
}
