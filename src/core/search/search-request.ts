import type { Board } from "../board.ts";
import { KeyForgeError } from "../errors.ts";
import type { Layout } from "../layout.ts";
import { charNotInLayout, keysOutsideLetterBlock, type SearchProblem } from "./search-problem.ts";

/**
 * How a search is posed, as plain data: what the search flags of `optimize` and `submit` say and
 * what a job's search settings carry. searchProblemOf turns it into the problem, the same way
 * for the CLI, the hive and an agent.
 */
export interface SearchRequest {
  /** Characters that stay where the start layout has them. */
  readonly pins: string;
  /** When given, the only characters that move: every other one stays. */
  readonly place?: string;
  /** Ids of keys whose content stays. */
  readonly exclude?: readonly string[];
  /** Search every key, not only the board's 3x10 letter block. */
  readonly allKeys: boolean;
  /** Added to the score for every character away from its key in the start layout. */
  readonly stayClose?: number;
}

/** What a request is posed on: the board, the scoring and the start layout. */
export type PosedOn = Pick<SearchProblem, "board" | "corpus" | "weights" | "start">;

/**
 * Keys left out of the search: the excluded ones and, without allKeys, everything outside the
 * board's 3x10 letter block. FLAG_INVALID when an excluded id is not one of the board's keys.
 */
export function excludedKeysOf(board: Board, request: SearchRequest): number[] {
  const named = request.exclude ?? [];
  const index = new Map(board.keys.map((key, k) => [key.id, k]));
  const unknown = [...new Set(named.filter((id) => !index.has(id)))];
  if (unknown.length > 0) {
    throw new KeyForgeError(
      "FLAG_INVALID",
      `--exclude names keys board ${board.id} does not have: ${unknown.join(", ")}`,
    );
  }
  const excluded = new Set(named.map((id) => index.get(id) as number));
  if (!request.allKeys) for (const k of keysOutsideLetterBlock(board)) excluded.add(k);
  return [...excluded].sort((a, b) => a - b);
}

/**
 * Characters pinned: the request's pins and, with place, every character not named there.
 * PIN_UNKNOWN_CHAR when a pinned or placed character is not in the start layout.
 */
export function pinsOf(start: Layout, request: SearchRequest): string[] {
  const chars = new Set(start.chars.filter((c): c is string => c !== null));
  const pins = new Set(request.pins);
  for (const char of pins) if (!chars.has(char)) throw charNotInLayout("pin", char);
  if (request.place !== undefined) {
    const place = new Set(request.place);
    for (const char of place) if (!chars.has(char)) throw charNotInLayout("place", char);
    for (const char of chars) if (!place.has(char)) pins.add(char);
  }
  return [...pins];
}

/** The stay-close penalty, checked: FLAG_INVALID unless a finite number of 0 or more. */
function stayCloseOf(request: SearchRequest): number | undefined {
  const { stayClose } = request;
  if (stayClose !== undefined && !(Number.isFinite(stayClose) && stayClose >= 0)) {
    throw new KeyForgeError(
      "FLAG_INVALID",
      `--stay-close must be a number of 0 or more (got ${stayClose})`,
    );
  }
  return stayClose;
}

/**
 * The search problem a request poses on a board, scoring and start layout, every part of the
 * request checked. With stayClose, the start layout is also the anchor moves are counted from.
 * Whether anything is left to move is for compileSearchModel to tell.
 */
export function searchProblemOf(on: PosedOn, request: SearchRequest): SearchProblem {
  const { board, corpus, weights, start } = on;
  const stayClose = stayCloseOf(request);
  return {
    board,
    corpus,
    weights,
    start,
    pins: pinsOf(start, request),
    excludedKeys: excludedKeysOf(board, request),
    ...(stayClose !== undefined && { movePenalty: stayClose, anchor: start }),
  };
}
