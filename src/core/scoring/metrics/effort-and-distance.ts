import type { Board, Finger } from "../../board.ts";
import { type KeyTable, travel } from "../key-pairs.ts";
import type { MetricFamily } from "../metric.ts";
import type { MetricParameters } from "../weights.ts";

/**
 * Where each finger rests relative to its home key's centre, in key units (y down): the index
 * curls below its key, the longer fingers sit a little above theirs. After the Colemak Mod-DH
 * effort model, which also gives the two constants below.
 */
const REST_OFFSET_Y: Readonly<Record<Finger, number>> = {
  index: 0.32,
  middle: -0.16,
  ring: -0.08,
  pinky: -0.09,
  thumb: 0,
};
/** How fast reach grows with distance (Fitts-style: log2(1 + REACH_SCALE × distance)). */
const REACH_SCALE = 1.14;
/** A sideways reach costs this many times a reach along the finger. */
const SIDEWAYS_FACTOR = 1.95;
/** A finger hits a key anywhere but the outer 0.3 u of its face. */
const KEY_MARGIN = 0.3;

/** How far a finger must reach along one axis to hit a key: 0 inside the key's target area. */
function reach(offset: number, keySize: number): number {
  return Math.log2(
    1 + REACH_SCALE * Math.max(0, Math.abs(offset) - Math.max(0, keySize / 2 - KEY_MARGIN)),
  );
}

/**
 * What pressing key k costs: the board's own figure, else from its offset to the finger's rest
 * point, f × (1 + forward reach) combined with 1.95 × sideways reach, f the finger's
 * `fingerEffort`. A home key costs f; the pinky's and ring's other keys cost about twice that.
 */
export function keyEffort(
  board: Board,
  keys: KeyTable,
  k: number,
  params: MetricParameters,
): number {
  const key = board.keys[k] as Board["keys"][number];
  if (key.effort !== undefined) return key.effort;
  const finger = params.fingerEffort[key.finger];
  if (key.home) return finger;
  const forward = reach(
    (keys.y[k] as number) - (keys.homeY[k] as number) - REST_OFFSET_Y[key.finger],
    key.h,
  );
  const sideways = reach((keys.x[k] as number) - (keys.homeX[k] as number), key.w);
  return finger + Math.hypot(finger * forward, SIDEWAYS_FACTOR * sideways);
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
      headline: "effort",
      unit: "",
      weighted: true,
      counts: "keystrokes",
      doc: "Average cost of the keys pressed: the key's own `effort` on the board, else its finger's `fingerEffort`, grown with the reach from the finger's rest point (sideways reach about twice as dear).",
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
