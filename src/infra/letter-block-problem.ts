import type { Board } from "../core/board.ts";
import { DEFAULT_WEIGHTS_ID } from "../core/scoring/weights.ts";
import { keysOutsideLetterBlock, type SearchProblem } from "../core/search/search-problem.ts";
import { loadBoard, loadCorpus, loadLayout, loadWeights } from "./system-data.ts";

/**
 * qwerty's characters on a built-in board, searched on its letter block, with the built-in
 * English corpus and the default weights: the standard problem of benchmarks and calibration.
 */
export async function letterBlockProblem(
  boardId = "ortho-3x10",
  extra: Partial<SearchProblem> = {},
): Promise<SearchProblem> {
  const board: Board = await loadBoard(boardId);
  const [corpus, weights, start] = await Promise.all([
    loadCorpus("en"),
    loadWeights(DEFAULT_WEIGHTS_ID),
    loadLayout("qwerty", board),
  ]);
  return {
    board,
    corpus,
    weights,
    start,
    pins: [],
    excludedKeys: keysOutsideLetterBlock(board),
    ...extra,
  };
}
