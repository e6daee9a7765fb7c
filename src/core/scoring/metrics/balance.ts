import { FINGER_SLOTS } from "../fingers.ts";
import type { MetricFamily } from "../metric.ts";

/** Left-hand non-thumb slots are 0–3, right-hand 6–9 (fingers.ts). */
const LEFT_SLOTS = [0, 1, 2, 3] as const;
const RIGHT_SLOTS = [6, 7, 8, 9] as const;

/** Percentage points between the left hand's share of non-thumb keystrokes and 50. */
function imbalance(left: number, right: number): number {
  return left + right > 0 ? Math.abs(50 - (100 * left) / (left + right)) : 0;
}

function loadOf(load: Float64Array, slots: readonly number[]): number {
  let sum = 0;
  for (const s of slots) sum += load[s] as number;
  return sum;
}

function handImbalance(load: Float64Array): number {
  return imbalance(loadOf(load, LEFT_SLOTS), loadOf(load, RIGHT_SLOTS));
}

function fingerOverload(load: Float64Array, cap: Float64Array): number {
  let over = 0;
  for (let s = 0; s < FINGER_SLOTS; s++)
    over += Math.max(0, (load[s] as number) - (cap[s] as number));
  return 100 * over;
}

/** How the keystrokes spread over the hands and fingers, and how many the layout can type. */
export const BALANCE = {
  name: "balance",
  doc: "How the keystrokes spread over the hands and fingers, and how much of the corpus the layout types.",
  metrics: [
    {
      key: "coverage",
      label: "corpus coverage",
      unit: "%",
      max: 100,
      weighted: false,
      counts: "corpus",
      doc: "Share of the corpus's characters (all of them, on the layout or not) that the layout can type.",
      ofTotals: (totals) =>
        totals.corpusMonograms > 0 ? (100 * totals.monograms) / totals.corpusMonograms : 0,
    },
    {
      key: "handImbalance",
      label: "hand imbalance (off 50/50, thumbs left out)",
      unit: "pts",
      max: 50,
      weighted: true,
      counts: "finger load",
      doc: "Percentage points between the left hand's share of the keystrokes (thumbs left out) and an even split.",
      ofLoad: handImbalance,
    },
    {
      key: "fingerOverload",
      label: "finger overload (over the fingers' caps)",
      unit: "pts",
      weighted: true,
      counts: "finger load",
      doc: "Percentage points of keystrokes by which the fingers exceed their `fingerCaps`, summed over the ten fingers.",
      ofLoad: fingerOverload,
    },
  ],
} as const satisfies MetricFamily;

/** The weights of this family's terms. */
export interface BalanceWeights {
  readonly handImbalance: number;
  readonly fingerOverload: number;
}

/** This family's part of the score: its terms are not linear in the keystrokes. */
export function balancePenalty(w: BalanceWeights, load: Float64Array, cap: Float64Array): number {
  return w.handImbalance * handImbalance(load) + w.fingerOverload * fingerOverload(load, cap);
}

/**
 * The change of balancePenalty when a share `moved` of the keystrokes goes from slot sa to slot
 * sb: O(1), for the swap delta.
 */
export function balanceMoveDelta(
  w: BalanceWeights,
  load: Float64Array,
  cap: Float64Array,
  sa: number,
  sb: number,
  moved: number,
): number {
  const fromLoad = load[sa] as number;
  const toLoad = load[sb] as number;
  const overload =
    Math.max(0, fromLoad - moved - (cap[sa] as number)) -
    Math.max(0, fromLoad - (cap[sa] as number)) +
    Math.max(0, toLoad + moved - (cap[sb] as number)) -
    Math.max(0, toLoad - (cap[sb] as number));
  const left = loadOf(load, LEFT_SLOTS);
  const right = loadOf(load, RIGHT_SLOTS);
  const newLeft = left - (sa < 4 ? moved : 0) + (sb < 4 ? moved : 0);
  const newRight = right - (sa > 5 ? moved : 0) + (sb > 5 ? moved : 0);
  return (
    w.handImbalance * (imbalance(newLeft, newRight) - imbalance(left, right)) +
    w.fingerOverload * 100 * overload
  );
}
