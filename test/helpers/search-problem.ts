import type { Board } from "../../src/core/board.ts";
import {
  keysOutsideLetterBlock,
  type SearchProblem,
} from "../../src/core/search/search-problem.ts";
import { loadBoard, loadCorpus, loadLayout, loadWeights } from "../../src/infra/system-data.ts";

/** qwerty's characters on a built-in board, searched on its letter block. */
export async function letterBlockProblem(
  boardId = "ortho-3x10",
  extra: Partial<SearchProblem> = {},
): Promise<SearchProblem> {
  const board: Board = await loadBoard(boardId);
  const [corpus, weights, start] = await Promise.all([
    loadCorpus("en"),
    loadWeights("default"),
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
