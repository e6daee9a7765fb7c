import type { Board } from "../board.ts";
import type { Corpus } from "../corpus.ts";
import type { Layout } from "../layout.ts";
import { analyzeLayout, type LayoutAnalysis } from "./analysis.ts";
import { charsOfLayout, itemsOfLayout, LayoutScorer } from "./layout-scorer.ts";
import { compileModel } from "./model.ts";
import type { Weights } from "./weights.ts";

export interface LayoutEvaluationInput {
  readonly board: Board;
  readonly corpus: Corpus;
  readonly weights: Weights;
  readonly layout: Layout;
}

/**
 * The characters a layout is analysed with, in code-point order: every arrangement of the same
 * characters is then analysed by the same model, adding up in the same order, so a layout
 * reached by swapping keys has exactly the numbers of the same layout analysed afresh.
 */
export function analysisChars(
  layout: Layout,
  board: Board,
): { chars: string[]; shifted: (string | null)[] } {
  const { chars, shifted } = charsOfLayout(layout, board);
  // The characters are distinct: no two compare equal.
  const order = chars
    .map((_, i) => i)
    .sort((a, b) => ((chars[a] as string) < (chars[b] as string) ? -1 : 1));
  return {
    chars: order.map((i) => chars[i] as string),
    shifted: order.map((i) => shifted[i] ?? null),
  };
}

/** A scorer for one layout: the model compiled for the layout's own characters. */
function layoutScorer(input: LayoutEvaluationInput): LayoutScorer {
  const model = compileModel({ ...input, ...analysisChars(input.layout, input.board) });
  return new LayoutScorer(model, itemsOfLayout(model, input.layout));
}

/** Score and every metric of one layout. */
export function evaluateLayout(input: LayoutEvaluationInput): LayoutAnalysis {
  return analyzeLayout(layoutScorer(input));
}
