import type { Board } from "../../board.ts";
import { distanceFromHome, type KeyTable, travel } from "../key-pairs.ts";
import type { MetricFamily } from "../metric.ts";
import type { MetricParameters } from "../weights.ts";

/** What pressing key k costs: the board's own figure, or its finger's effort grown with the reach. */
export function keyEffort(
  board: Board,
  keys: KeyTable,
  k: number,
  params: MetricParameters,
): number {
  const key = board.keys[k];
  if (key?.effort !== undefined) return key.effort;
  return params.fingerEffort[key?.finger ?? "index"] * (1 + distanceFromHome(keys, k));
}

/** How far the fingers move and how hard the keys they press are. */
export const EFFORT_AND_DISTANCE = {
  name: "effort and distance",
  doc: "Finger travel between keystrokes and the cost of each key pressed.",
  metrics: [
    {
      key: "distance",
      label: "finger travel per keystroke (1 u = a key's width)",
      headline: "travel",
      unit: "u",
      weighted: true,
      counts: "bigrams",
      doc: "Average finger travel per keystroke, in key units: from the previous key when the same finger pressed it, else from the finger's home key.",
      perPair: travel,
    },
    {
      key: "effort",
      label: "effort per keystroke (1 = index finger at home)",
      unit: "",
      weighted: true,
      counts: "keystrokes",
      doc: "Average cost of the keys pressed: the key's own `effort` on the board, else `fingerEffort` of its finger × (1 + its distance from the finger's home key).",
      perKey: keyEffort,
    },
    {
      key: "homeKeys",
      label: "keystrokes on home keys (thumbs left out)",
      unit: "%",
      max: 100,
      weighted: true,
      counts: "keystrokes",
      doc: "Keystrokes on the fingers' home keys, thumbs left out; the weights may reward them (a negative weight).",
      perKey: (board, _keys, k) => {
        const key = board.keys[k];
        return key?.home && key.finger !== "thumb" ? 1 : 0;
      },
    },
  ],
} as const satisfies MetricFamily;
