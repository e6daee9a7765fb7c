import { KeyForgeError } from "../errors.ts";
import type { Layout } from "../layout.ts";
import { itemsOfLayout, scoreItems } from "../scoring/layout-scorer.ts";
import type { ScoringModel } from "../scoring/model.ts";
import type { SearchProblem } from "./search-problem.ts";

/**
 * The score of a layout a search of `problem` claims to have found, after checking that the
 * search could have found it: the same characters, each key the search may not move (pinned,
 * excluded) holding what the start layout has there. Throws RESULT_LAYOUT_INVALID otherwise.
 */
export function rescoreLayout(model: ScoringModel, problem: SearchProblem, layout: Layout): number {
  const movable = new Set(model.movableKeys);
  const moved = problem.start.chars.flatMap((char, key) =>
    !movable.has(key) && layout.chars[key] !== char
      ? [problem.board.keys[key]?.id ?? String(key)]
      : [],
  );
  if (moved.length > 0) {
    throw new KeyForgeError(
      "RESULT_LAYOUT_INVALID",
      `the layout changes keys the search may not move: ${moved.slice(0, 10).join(", ")}`,
    );
  }
  let items: Int32Array;
  try {
    items = itemsOfLayout(model, layout);
    return scoreItems(model, items);
  } catch (error) {
    if (!(error instanceof KeyForgeError)) throw error;
    throw new KeyForgeError(
      "RESULT_LAYOUT_INVALID",
      `the layout does not hold exactly the job's characters: ${error.message}`,
    );
  }
}
