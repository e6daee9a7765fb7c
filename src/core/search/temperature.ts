import { LayoutScorer } from "../scoring/layout-scorer.ts";
import type { ScoringModel } from "../scoring/model.ts";
import type { Random } from "./random.ts";

const SAMPLES = 2000;

/**
 * Temperatures for a replica ladder, calibrated on the problem itself: the hottest replica
 * accepts an average uphill swap half of the time, the coldest accepts a small one (the 10th
 * percentile of uphill swaps) one time in a hundred. Geometric in between.
 */
export function temperatureLadder(
  model: ScoringModel,
  items: Int32Array,
  count: number,
  random: Random,
): number[] {
  const scorer = new LayoutScorer(model, items);
  const keys = model.movableKeys;
  const uphill: number[] = [];
  for (let i = 0; i < SAMPLES; i++) {
    const k1 = keys[random.below(keys.length)] as number;
    const k2 = keys[random.below(keys.length)] as number;
    const delta = scorer.swapDelta(k1, k2);
    if (delta > 0) uphill.push(delta);
  }
  if (uphill.length === 0) return Array.from({ length: count }, () => 1e-9);
  uphill.sort((a, b) => a - b);
  const mean = uphill.reduce((sum, d) => sum + d, 0) / uphill.length;
  const small = uphill[Math.floor(uphill.length * 0.1)] as number;
  const hot = mean / Math.log(2);
  const cold = Math.min(hot, small / Math.log(100));
  if (count === 1) return [cold];
  return Array.from({ length: count }, (_, i) => hot * (cold / hot) ** (i / (count - 1)));
}
