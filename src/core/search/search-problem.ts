import type { Board } from "../board.ts";
import type { Corpus } from "../corpus.ts";
import { KeyForgeError } from "../errors.ts";
import type { Layout } from "../layout.ts";
import { charsOfLayout, itemsOfLayout } from "../scoring/layout-scorer.ts";
import { compileModel, type ScoringModel } from "../scoring/model.ts";
import type { Weights } from "../scoring/weights.ts";
import type { Random } from "./random.ts";

/**
 * One optimisation problem, everything a search (or a hive unit) needs and nothing it doesn't:
 * plain data, so it can be copied to worker threads and agents.
 */
export interface SearchProblem {
  readonly board: Board;
  readonly corpus: Corpus;
  readonly weights: Weights;
  /** The characters to place and where they start; pinned characters stay where they are here. */
  readonly start: Layout;
  /** Characters fixed to their start key. */
  readonly pins: readonly string[];
  /** Keys (by index) whose content never moves. */
  readonly excludedKeys: readonly number[];
  /** "Stay close to the start layout": added to the score for every character that moved. */
  readonly movePenalty?: number;
  /**
   * The layout movePenalty counts moves from, when it is not `start`: a job's unit that starts
   * from a best layout so far still stays close to the job's start layout.
   */
  readonly anchor?: Layout;
}

/** Indices of the keys outside the board's 3x10 letter block: the keys a search leaves alone by default. */
export function keysOutsideLetterBlock(board: Board): number[] {
  if (!board.letterBlock) return [];
  const block = new Set(board.letterBlock.flat());
  return board.keys.flatMap((key, k) => (block.has(key.id) ? [] : [k]));
}

/** PIN_UNKNOWN_CHAR: a character to pin (or to place) that the start layout does not have. */
export function charNotInLayout(verb: "pin" | "place", char: string): KeyForgeError {
  return new KeyForgeError(
    "PIN_UNKNOWN_CHAR",
    `cannot ${verb} ${JSON.stringify(char)}: the layout does not have it`,
  );
}

export function compileSearchModel(problem: SearchProblem): ScoringModel {
  const { start } = problem;
  const anchor = problem.anchor ?? start;
  const pins = new Map<string, number>();
  for (const char of problem.pins) {
    const key = start.chars.indexOf(char);
    if (key < 0) throw charNotInLayout("pin", char);
    pins.set(char, key);
  }
  const model = compileModel({
    board: problem.board,
    corpus: problem.corpus,
    weights: problem.weights,
    ...charsOfLayout(start, problem.board),
    pins,
    excludedKeys: new Set(problem.excludedKeys),
    ...(problem.movePenalty
      ? {
          anchor: {
            keys: new Map(
              anchor.chars.flatMap((char, key) => (char === null ? [] : [[char, key] as const])),
            ),
            penalty: problem.movePenalty,
          },
        }
      : {}),
  });
  if (model.movableKeys.length < 2) {
    throw new KeyForgeError(
      "SEARCH_NOTHING_TO_MOVE",
      "fewer than two keys are free to move: nothing to search",
    );
  }
  return model;
}

/** The start layout's items, or a random arrangement of the movable keys' contents. */
export function startItems(
  model: ScoringModel,
  problem: SearchProblem,
  random: Random | null,
): Int32Array {
  const items = itemsOfLayout(model, problem.start);
  if (!random) return items;
  const keys = model.movableKeys;
  for (let i = keys.length - 1; i > 0; i--) {
    const j = random.below(i + 1);
    const a = keys[i] as number;
    const b = keys[j] as number;
    const item = items[a] as number;
    items[a] = items[b] as number;
    items[b] = item;
  }
  return items;
}
