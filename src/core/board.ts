/** A physical keyboard: keys with real positions, sizes, rotations, hands and fingers. */

export const BOARD_FORMAT = "keyforge-board/1";

export const HANDS = ["left", "right"] as const;
export type Hand = (typeof HANDS)[number];

export const FINGERS = ["thumb", "index", "middle", "ring", "pinky"] as const;
export type Finger = (typeof FINGERS)[number];

export interface Key {
  readonly id: string;
  /** Top-left corner of the unrotated key, in key units (1 u = 19.05 mm), y grows downwards. */
  readonly x: number;
  readonly y: number;
  readonly w: number;
  readonly h: number;
  /** Clockwise rotation in degrees about (rx, ry), applied after placing the key at (x, y). */
  readonly r: number;
  readonly rx: number;
  readonly ry: number;
  readonly hand: Hand;
  readonly finger: Finger;
  /** The resting key of this hand's finger. */
  readonly home: boolean;
  /** Display labels: the row and column the key is drawn in. Layout text has one line per row. */
  readonly row: number;
  readonly col: number;
  /** Character this key carries when a 3x10 layout is placed on the board and leaves it free. */
  readonly char?: string;
  /**
   * The key's place on a standard PC keyboard (ISO/IEC 9995-1: E01, D01, C12, B00, A03, …;
   * key-positions.ts), which operating-system layouts exported for the board use.
   */
  readonly position?: string;
  /**
   * Cost of pressing this key, replacing the one scoring derives from the finger and the
   * distance from its home key (for keys that are harder or easier than their geometry says).
   */
  readonly effort?: number;
}

/** Where a key is and how big: what centres, corners and overlaps are computed from. */
export type KeyGeometry = Pick<Key, "x" | "y" | "w" | "h" | "r" | "rx" | "ry">;

/**
 * Where a board imported from QMK came from: what a QMK keymap for it must name, and the order
 * the layout macro takes its keys in.
 */
export interface QmkOrigin {
  /** QMK keyboard path, the folder under qmk_firmware/keyboards, e.g. "crkbd/rev1". */
  readonly keyboard: string;
  /** The layout macro the keys come from, e.g. "LAYOUT_split_3x6_3". */
  readonly layout: string;
  /**
   * Key ids in the order of the layout macro's arguments. The board lists its keys row by row,
   * which is not always the macro's order (many split boards list one half, then the other).
   * Default: the board's key order.
   */
  readonly keys?: readonly string[];
}

/**
 * The ZMK shield a board is: what a ZMK keymap for it is named after (`config/<shield>.keymap`)
 * and the order its layers list their bindings in.
 */
export interface ZmkOrigin {
  /** The shield's name in ZMK (app/boards/shields), e.g. "corne", "cradio". */
  readonly shield: string;
  /**
   * Key ids in the order of a layer's bindings (the shield's matrix transform). Default: the
   * board's key order.
   */
  readonly keys?: readonly string[];
}

/**
 * A Shift key: it types no character of a layout, but pressing it is part of typing every
 * Shift character. Where it is and which finger presses it is what the analysis needs.
 */
export interface ShiftKey extends KeyGeometry {
  readonly id: string;
  readonly hand: Hand;
  readonly finger: Finger;
}

export interface Board {
  readonly id: string;
  readonly name: string;
  readonly description: string;
  /** Where the dimensions come from. */
  readonly source?: string;
  /**
   * Set when the board was imported from QMK (or names its QMK keyboard by hand): lets a layout
   * be exported as a QMK keymap.
   */
  readonly qmk?: QmkOrigin;
  /** Set when the board is a ZMK shield: lets a layout be exported as a ZMK keymap. */
  readonly zmk?: ZmkOrigin;
  /** Key ids of the 3x10 letter block, three rows of ten, left to right, when the board has one. */
  readonly letterBlock?: readonly (readonly string[])[];
  /**
   * The Shift characters this board's keycaps conventionally pair with their characters where
   * they differ from the US ones (e.g. `"2": "\""` on a UK ISO board): the Shift layer's
   * defaults (shift-layer.ts).
   */
  readonly shiftPairs?: Readonly<Record<string, string>>;
  /** The board's Shift keys, when it has any: the analysis then reports how Shift is used. */
  readonly shiftKeys?: readonly ShiftKey[];
  readonly keys: readonly Key[];
}

export interface Point {
  readonly x: number;
  readonly y: number;
}

export function rotatePoint(p: Point, degrees: number, origin: Point): Point {
  if (degrees === 0) return p;
  const a = (degrees * Math.PI) / 180;
  const cos = Math.cos(a);
  const sin = Math.sin(a);
  const dx = p.x - origin.x;
  const dy = p.y - origin.y;
  return { x: origin.x + dx * cos - dy * sin, y: origin.y + dx * sin + dy * cos };
}

/** The key's centre after rotation: the point a finger presses. */
export function keyCentre(key: KeyGeometry): Point {
  return rotatePoint({ x: key.x + key.w / 2, y: key.y + key.h / 2 }, key.r, {
    x: key.rx,
    y: key.ry,
  });
}

/** The four corners of the key after rotation, clockwise from the top-left. */
export function keyCorners(key: KeyGeometry): Point[] {
  const origin = { x: key.rx, y: key.ry };
  return [
    { x: key.x, y: key.y },
    { x: key.x + key.w, y: key.y },
    { x: key.x + key.w, y: key.y + key.h },
    { x: key.x, y: key.y + key.h },
  ].map((p) => rotatePoint(p, key.r, origin));
}

/**
 * Indices of the keys that share one rotation (angle and origin; unrotated keys form one group).
 * Such keys share one frame in which their columns and rows are axis-aligned.
 */
export function rotationGroups(keys: readonly KeyGeometry[]): number[][] {
  const groups = new Map<string, number[]>();
  keys.forEach((key, i) => {
    const name = key.r === 0 ? "0" : `${key.r}@${key.rx},${key.ry}`;
    const group = groups.get(name);
    if (group) group.push(i);
    else groups.set(name, [i]);
  });
  return [...groups.values()];
}

/** Keys grouped into display rows (ascending row label), each in the board's key order. */
export function boardRows(board: Board): Key[][] {
  const rows = new Map<number, Key[]>();
  for (const key of board.keys) {
    const row = rows.get(key.row);
    if (row) row.push(key);
    else rows.set(key.row, [key]);
  }
  return [...rows.entries()].sort(([a], [b]) => a - b).map(([, keys]) => keys);
}

export function keyIndexById(board: Board): Map<string, number> {
  return new Map(board.keys.map((key, index) => [key.id, index]));
}

/** The board as its JSON file content, with the format tag first. */
export function boardDocument(board: Board): Record<string, unknown> {
  return { format: BOARD_FORMAT, ...board };
}
