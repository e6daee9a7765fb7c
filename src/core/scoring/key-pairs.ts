import { type Board, keyCentre, type Point } from "../board.ts";
import { FINGER_LENGTH, FINGER_ORDER, fingerSlot } from "./fingers.ts";

/** What the scoring needs of every key, derived once from the board's geometry. */
export interface KeyTable {
  readonly count: number;
  readonly slot: Uint8Array;
  readonly hand: Uint8Array;
  /** FINGER_ORDER of the key's finger. */
  readonly order: Uint8Array;
  readonly isThumb: Uint8Array;
  readonly x: Float64Array;
  readonly y: Float64Array;
  /** Centre of the home key of the key's finger. */
  readonly homeX: Float64Array;
  readonly homeY: Float64Array;
  readonly length: Int8Array;
}

export function keyTable(board: Board): KeyTable {
  const n = board.keys.length;
  const centres = board.keys.map(keyCentre);
  const homeOfSlot = new Map<number, Point>();
  board.keys.forEach((key, i) => {
    if (key.home) homeOfSlot.set(fingerSlot(key.hand, key.finger), centres[i] as Point);
  });
  const table: KeyTable = {
    count: n,
    slot: new Uint8Array(n),
    hand: new Uint8Array(n),
    order: new Uint8Array(n),
    isThumb: new Uint8Array(n),
    x: new Float64Array(n),
    y: new Float64Array(n),
    homeX: new Float64Array(n),
    homeY: new Float64Array(n),
    length: new Int8Array(n),
  };
  board.keys.forEach((key, i) => {
    const slot = fingerSlot(key.hand, key.finger);
    const centre = centres[i] as Point;
    const home = homeOfSlot.get(slot) ?? centre;
    table.slot[i] = slot;
    table.hand[i] = key.hand === "left" ? 0 : 1;
    table.order[i] = FINGER_ORDER[key.finger];
    table.isThumb[i] = key.finger === "thumb" ? 1 : 0;
    table.x[i] = centre.x;
    table.y[i] = centre.y;
    table.homeX[i] = home.x;
    table.homeY[i] = home.y;
    table.length[i] = FINGER_LENGTH[key.finger];
  });
  return table;
}

function distance(ax: number, ay: number, bx: number, by: number): number {
  const dx = ax - bx;
  const dy = ay - by;
  return Math.sqrt(dx * dx + dy * dy);
}

/**
 * Finger travel for key b after key a: a finger pressing twice in a row moves from a to b;
 * otherwise the finger comes from its home key.
 */
export function travel(keys: KeyTable, a: number, b: number): number {
  if (keys.slot[a] === keys.slot[b]) {
    return distance(
      keys.x[a] as number,
      keys.y[a] as number,
      keys.x[b] as number,
      keys.y[b] as number,
    );
  }
  return distance(
    keys.homeX[b] as number,
    keys.homeY[b] as number,
    keys.x[b] as number,
    keys.y[b] as number,
  );
}
