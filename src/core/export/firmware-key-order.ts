import type { Board } from "../board.ts";
import type { ErrorCode } from "../error-codes.ts";
import { failWithProblems, type Problem } from "../errors.ts";

/** Where a firmware keymap's key order comes from, and how a mismatch is reported. */
export interface FirmwareKeyList {
  /** Key ids in the firmware's order; undefined: the board's own key order. */
  readonly keys: readonly string[] | undefined;
  /** What the order belongs to, for messages: "QMK layout LAYOUT_split_3x6_3". */
  readonly what: string;
  /** Prefix of the problem codes: "QMK" gives QMK_KEY_NOT_IN_LAYOUT. */
  readonly problemPrefix: string;
  readonly errorCode: ErrorCode;
}

/**
 * Board key indices in the order a firmware keymap lists its keys (a QMK layout macro's
 * arguments, a ZMK shield's bindings); -1 where the firmware has a key the board lacks. Every
 * board key must have its place, or its character would silently be left out of the keymap.
 */
export function firmwareKeyOrder(board: Board, list: FirmwareKeyList): number[] {
  const { keys } = list;
  if (!keys) return board.keys.map((_, i) => i);
  const index = new Map(board.keys.map((key, i) => [key.id, i]));
  const listed = new Set(keys);
  const problems: Problem[] = board.keys
    .filter((key) => !listed.has(key.id))
    .map((key) => ({
      code: `${list.problemPrefix}_KEY_NOT_IN_LAYOUT`,
      subject: key.id,
      message: `the key is not one of ${list.what}'s keys`,
    }));
  if (listed.size !== keys.length) {
    problems.push({
      code: `${list.problemPrefix}_KEY_LISTED_TWICE`,
      subject: `${list.problemPrefix.toLowerCase()}.keys`,
      message: "a key id is listed twice",
    });
  }
  if (problems.length > 0) {
    failWithProblems(list.errorCode, `board ${board.id} does not match ${list.what}`, problems);
  }
  // A key deleted from the board after import still has its place in the firmware: it does nothing.
  return keys.map((id) => index.get(id) ?? -1);
}
