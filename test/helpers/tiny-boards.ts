import type { Board, Finger, Hand } from "../../src/core/board.ts";
import { parseBoard } from "../../src/core/board-validation.ts";

/**
 * Tiny hand-built boards for the metric tests and the worked example of docs/metrics.md. Each
 * one goes through parseBoard as keyforge-board/1 data, like a user's board file. Key ids are
 * the letters the matching layout puts on them, so a test reads like the layout it scores.
 */

export interface TinyKey {
  readonly id: string;
  readonly x: number;
  readonly y: number;
  readonly hand: Hand;
  readonly finger: Finger;
  readonly home?: boolean;
  readonly row: number;
  readonly col: number;
  readonly r?: number;
  readonly rx?: number;
  readonly ry?: number;
}

export function tinyBoard(id: string, keys: readonly TinyKey[]): Board {
  return parseBoard({ format: "keyforge-board/1", id, name: id, keys }, id);
}

const LEFT_COLUMNS: readonly Finger[] = ["pinky", "ring", "middle", "index"];
const RIGHT_COLUMNS: readonly Finger[] = ["index", "middle", "ring", "pinky"];

/**
 * "G": an ortholinear 2x4 grid per hand plus thumb keys. Columns 0–3 are the left pinky, ring,
 * middle and index, column 4 is a gap, columns 5–8 the right index, middle, ring and pinky.
 * Row 0 is the top row (centres y = 0.5), row 1 the home row (y = 1.5). Row 2 holds two left
 * thumb keys, v at x 2 (centre 2.5, 2.5) and b at x 3 (its home, centre 3.5, 2.5), and the right
 * thumb's m at x 5 (centre 5.5, 2.5). A key in column c has its centre at x = c + 0.5.
 */
export function gridBoard(): Board {
  const top = "qwer uiop";
  const home = "asdf jkln";
  const keys: TinyKey[] = [];
  for (const [row, letters] of [top, home].entries()) {
    [...letters].forEach((id, col) => {
      if (id === " ") return;
      const left = col < 4;
      const finger = (left ? LEFT_COLUMNS[col] : RIGHT_COLUMNS[col - 5]) as Finger;
      keys.push({
        id,
        x: col,
        y: row,
        hand: left ? "left" : "right",
        finger,
        home: row === 1,
        row,
        col,
      });
    });
  }
  keys.push({ id: "v", x: 2, y: 2, hand: "left", finger: "thumb", row: 2, col: 2 });
  keys.push({ id: "b", x: 3, y: 2, hand: "left", finger: "thumb", home: true, row: 2, col: 3 });
  keys.push({ id: "m", x: 5, y: 2, hand: "right", finger: "thumb", home: true, row: 2, col: 5 });
  return tinyBoard("grid", keys);
}

export const GRID_LAYOUT = "q w e r u i o p\na s d f j k l n\nv b m\n";

/**
 * "S": the left half of a row-staggered board, ANSI-like. Top row q w e r t at x 0–4 (centres
 * 0.5 … 4.5, y 0.5); home row a s d f g shifted by 0.25 (centres 0.75 … 4.75, y 1.5); bottom row
 * z x c v b shifted by 0.75 (centres 1.25 … 5.25, y 2.5). Columns 0, 1, 2 are the pinky, ring and
 * middle, columns 3 and 4 the index; the home keys are a s d f. Adjacent fingers' home keys are
 * 1 u apart horizontally.
 */
export function staggeredBoard(): Board {
  const rows = ["qwert", "asdfg", "zxcvb"];
  const shift = [0, 0.25, 0.75];
  const keys: TinyKey[] = [];
  rows.forEach((letters, row) => {
    [...letters].forEach((id, col) => {
      const finger = (col < 3 ? LEFT_COLUMNS[col] : "index") as Finger;
      const x = col + (shift[row] as number);
      keys.push({ id, x, y: row, hand: "left", finger, home: row === 1 && col < 4, row, col });
    });
  });
  return tinyBoard("staggered", keys);
}

export const STAGGERED_LAYOUT = "q w e r t\na s d f g\nz x c v b\n";

/**
 * Two home keys on one hand side by side: x (finger `first`, top-left at 0,0) and y (finger
 * `second`, top-left at 1,drop), so y's centre is `drop` key units below x's (above when
 * negative). Their horizontal distance equals their home distance: never a lateral stretch.
 */
export function fingerPairBoard(hand: Hand, first: Finger, second: Finger, drop: number): Board {
  return tinyBoard("pair", [
    { id: "x", x: 0, y: 0, hand, finger: first, home: true, row: 0, col: 0 },
    { id: "y", x: 1, y: drop, hand, finger: second, home: true, row: 0, col: 1 },
  ]);
}

export const FINGER_PAIR_LAYOUT = "x y\n";

/**
 * "R": a left hand's home row a s d f (x 0–3, y 1; centres 0.5 … 3.5, y 1.5), the middle finger's
 * top key e (centre 2.5, 0.5), and an index key k written at x 3, y 2, just below f. With
 * `rotated`, k is turned 90° clockwise about (4.75, 2.75), which moves its centre from
 * (3.5, 2.5) to (5, 1.5): out of the index home column, to the right of f.
 */
export function rotatedBoard(rotated: boolean): Board {
  const turn = rotated ? { r: 90, rx: 4.75, ry: 2.75 } : {};
  return tinyBoard(rotated ? "rotated" : "unrotated", [
    { id: "e", x: 2, y: 0, hand: "left", finger: "middle", row: 0, col: 2 },
    { id: "a", x: 0, y: 1, hand: "left", finger: "pinky", home: true, row: 1, col: 0 },
    { id: "s", x: 1, y: 1, hand: "left", finger: "ring", home: true, row: 1, col: 1 },
    { id: "d", x: 2, y: 1, hand: "left", finger: "middle", home: true, row: 1, col: 2 },
    { id: "f", x: 3, y: 1, hand: "left", finger: "index", home: true, row: 1, col: 3 },
    { id: "k", x: 3, y: 2, hand: "left", finger: "index", row: 2, col: 3, ...turn },
  ]);
}

export const ROTATED_LAYOUT = "e\na s d f\nk\n";
