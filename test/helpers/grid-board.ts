import type { Finger, Hand } from "../../src/core/board.ts";

const COLUMN_FINGERS: readonly Finger[] = ["pinky", "ring", "middle", "index", "index"];

/**
 * A valid 3x10 ortholinear board description (plus one thumb key per hand) for tests, as plain
 * JSON data so tests can break it on purpose.
 */
export function gridBoardData(): {
  format: string;
  name: string;
  keys: Record<string, unknown>[];
  letterBlock: string[][];
} {
  const keys: Record<string, unknown>[] = [];
  const letterBlock: string[][] = [];
  for (let row = 0; row < 3; row++) {
    const ids: string[] = [];
    for (let col = 0; col < 10; col++) {
      const hand: Hand = col < 5 ? "left" : "right";
      const finger = COLUMN_FINGERS[col < 5 ? col : 9 - col] as Finger;
      const home = row === 1 && col !== 4 && col !== 5;
      const id = `r${row}c${col}`;
      ids.push(id);
      keys.push({ id, x: col, y: row, hand, finger, home, row, col });
    }
    letterBlock.push(ids);
  }
  keys.push({
    id: "tl",
    x: 3.5,
    y: 3.2,
    hand: "left",
    finger: "thumb",
    home: true,
    row: 3,
    col: 0,
  });
  keys.push({
    id: "tr",
    x: 5.5,
    y: 3.2,
    hand: "right",
    finger: "thumb",
    home: true,
    row: 3,
    col: 1,
    char: " ",
  });
  return { format: "keyforge-board/1", name: "Test grid", keys, letterBlock };
}
