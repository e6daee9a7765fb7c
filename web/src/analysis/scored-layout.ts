import type { Board } from "../../../src/core/board.ts";
import type { Corpus } from "../../../src/core/corpus.ts";
import type { Layout } from "../../../src/core/layout.ts";
import { analyzeLayout, type LayoutAnalysis } from "../../../src/core/scoring/analysis.ts";
import { analysisChars } from "../../../src/core/scoring/layout-evaluation.ts";
import { itemsOfLayout, LayoutScorer } from "../../../src/core/scoring/layout-scorer.ts";
import { compileModel, type ScoringModel } from "../../../src/core/scoring/model.ts";
import type { Weights } from "../../../src/core/scoring/weights.ts";

/**
 * One board, corpus and weights compiled for a layout's characters, to analyse any arrangement of
 * them: what the page shows after each swap, with the numbers `keyforge analyze` prints (the
 * same compiled model, the same analysis).
 */
export class LayoutScoring {
  private readonly model: ScoringModel;
  readonly board: Board;

  constructor(board: Board, corpus: Corpus, weights: Weights, start: Layout) {
    this.board = board;
    this.model = compileModel({ board, corpus, weights, ...analysisChars(start, board) });
  }

  /**
   * Every metric of the layout with these characters on the board's keys (null: no character);
   * each key's Shift character moves with its character.
   */
  analyse(chars: readonly (string | null)[], name: string): LayoutAnalysis {
    const layout: Layout = { name, boardId: this.board.id, chars: [...chars] };
    return analyzeLayout(new LayoutScorer(this.model, itemsOfLayout(this.model, layout)));
  }
}
