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

/** A scorer for one layout: the model compiled for the layout's own characters. */
export function layoutScorer(input: LayoutEvaluationInput): LayoutScorer {
  const model = compileModel({ ...input, chars: charsOfLayout(input.layout) });
  return new LayoutScorer(model, itemsOfLayout(model, input.layout));
}

/** Score and every metric of one layout. */
export function evaluateLayout(input: LayoutEvaluationInput): LayoutAnalysis {
  return analyzeLayout(layoutScorer(input));
}
