import type { Board } from "../../../src/core/board.ts";
import type { Corpus } from "../../../src/core/corpus.ts";
import type { Layout } from "../../../src/core/layout.ts";
import { analysisChars } from "../../../src/core/scoring/layout-evaluation.ts";
import type { Metrics } from "../../../src/core/scoring/metric-catalogue.ts";
import type { Weights } from "../../../src/core/scoring/weights.ts";
import { LayoutScoring } from "./scored-layout.ts";

/** One layout's numbers, as the Compare page lists them. */
export interface RankedLayout {
  readonly name: string;
  readonly chars: readonly (string | null)[];
  readonly score: number;
  readonly metrics: Metrics;
  /** Percent of keystrokes on each key. */
  readonly keyShare: readonly number[];
}

/**
 * Every layout analysed on one board, corpus and weights, in the order given. Layouts with the
 * same characters share one compiled model: compiling is most of the work.
 */
export function rankLayouts(
  board: Board,
  corpus: Corpus,
  weights: Weights,
  layouts: readonly Layout[],
): RankedLayout[] {
  const scorings = new Map<string, LayoutScoring>();
  return layouts.map((layout) => {
    const { chars, shifted } = analysisChars(layout, board);
    const key = [...chars, ...shifted].join("\u0000");
    let scoring = scorings.get(key);
    if (scoring === undefined) {
      scoring = new LayoutScoring(board, corpus, weights, layout);
      scorings.set(key, scoring);
    }
    const analysis = scoring.analyse(layout.chars, layout.name);
    return {
      name: layout.name,
      chars: layout.chars,
      score: analysis.score,
      metrics: analysis.metrics,
      keyShare: analysis.keyShare,
    };
  });
}
