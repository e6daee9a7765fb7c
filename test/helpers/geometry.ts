import { type Board, keyCentre } from "../../src/core/board.ts";

/** Distance between two keys' centres, rounded to micro-units so tests compare exactly. */
export function boardCentreDistance(board: Board, a: string, b: string): number {
  const ka = board.keys.find((k) => k.id === a);
  const kb = board.keys.find((k) => k.id === b);
  if (!ka || !kb) throw new Error(`no key ${ka ? b : a}`);
  const ca = keyCentre(ka);
  const cb = keyCentre(kb);
  return Math.round(Math.hypot(ca.x - cb.x, ca.y - cb.y) * 1e6) / 1e6;
}
