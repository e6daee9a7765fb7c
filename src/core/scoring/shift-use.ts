import type { Key, ShiftKey } from "../board.ts";
import type { LayoutScorer } from "./layout-scorer.ts";

/**
 * How a layout uses Shift, on a board with Shift keys. A Shift character is typed on its key
 * (the search and every metric count it there) plus a press of Shift, held by the finger of the
 * Shift key a typist takes: one on the other hand, as touch typists do, when the board has one;
 * else one on the same hand, by another finger when there is such a Shift key.
 */
export interface ShiftUse {
  /** Percent of keystrokes typed with Shift held. */
  readonly usage: number;
  /**
   * Percent of keystrokes whose Shift press and key press fall on the same finger: the
   * same-finger bigram of Shift and the key, which a board with one Shift key has.
   */
  readonly sameFinger: number;
}

/** The Shift key a typist holds for `key`. */
export function shiftKeyFor(key: Key, shiftKeys: readonly ShiftKey[]): ShiftKey | undefined {
  const otherHand = shiftKeys.find((shift) => shift.hand !== key.hand);
  return otherHand ?? shiftKeys.find((shift) => shift.finger !== key.finger) ?? shiftKeys[0];
}

/** The Shift use of the scorer's layout; undefined on a board without Shift keys. */
export function shiftUse(scorer: LayoutScorer): ShiftUse | undefined {
  const m = scorer.model;
  const shiftKeys = m.board.shiftKeys;
  if (!shiftKeys || shiftKeys.length === 0) return undefined;
  let usage = 0;
  let sameFinger = 0;
  m.board.keys.forEach((key, k) => {
    const item = scorer.itemAt[k] as number;
    if (item >= m.charCount) return;
    const share = m.shiftedMonogram[item] as number;
    usage += share;
    const shift = shiftKeyFor(key, shiftKeys);
    if (shift?.hand === key.hand && shift.finger === key.finger) sameFinger += share;
  });
  // Shares add up to at most 1, but for rounding.
  const percent = (share: number) => Math.min(100, 100 * share);
  return { usage: percent(usage), sameFinger: percent(sameFinger) };
}
