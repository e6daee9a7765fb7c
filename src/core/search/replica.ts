import { LayoutScorer } from "../scoring/layout-scorer.ts";
import type { ScoringModel } from "../scoring/model.ts";
import { Random } from "./random.ts";

/** Below this share of applied moves, the scorer's slot cache makes a replica faster. */
const SLOT_CACHE_BELOW = 0.045;
/** Share of proposals that are 3-cycles rather than swaps (when three keys can move). */
const CYCLE_SHARE = 0.1;

/** One annealing chain at a fixed temperature: plain data, copied between threads per epoch. */
export interface ReplicaState {
  readonly id: number;
  temperature: number;
  items: Int32Array;
  score: number;
  bestItems: Int32Array;
  bestScore: number;
  /** Total proposals and applied moves. */
  steps: number;
  accepted: number;
  /** Applied share of the last epoch, which decides the slot cache for the next one. */
  lastAcceptance: number;
  rng: Uint32Array;
}

export function newReplica(
  id: number,
  items: Int32Array,
  score: number,
  temperature: number,
  rng: Random,
): ReplicaState {
  return {
    id,
    temperature,
    items: items.slice(),
    score,
    bestItems: items.slice(),
    bestScore: score,
    steps: 0,
    accepted: 0,
    lastAcceptance: 1,
    rng: rng.state.slice(),
  };
}

/**
 * Runs `steps` proposals of simulated annealing (swaps and 3-cycles of movable keys, accepted
 * by the Metropolis rule) on a replica, in place. Deterministic for a given replica state.
 */
export function runReplica(model: ScoringModel, replica: ReplicaState, steps: number): void {
  const scorer = new LayoutScorer(model, replica.items);
  if (replica.lastAcceptance < SLOT_CACHE_BELOW) scorer.useSlotCache(true);
  const random = new Random(replica.rng);
  const keys = model.movableKeys;
  const count = keys.length;
  const canCycle = count >= 3;
  const temperature = replica.temperature;
  let score = scorer.score();
  let best = replica.bestScore;
  let accepted = 0;
  for (let step = 0; step < steps; step++) {
    const k1 = keys[random.below(count)] as number;
    let k2 = keys[random.below(count - 1)] as number;
    if (k2 === k1) k2 = keys[count - 1] as number;
    let delta: number;
    let k3 = -1;
    if (canCycle && random.next() < CYCLE_SHARE) {
      k3 = keys[random.below(count)] as number;
      if (k3 === k1 || k3 === k2) k3 = -1;
    }
    delta = k3 >= 0 ? scorer.cycleDelta(k1, k2, k3) : scorer.swapDelta(k1, k2);
    if (delta <= 0 || random.next() < Math.exp(-delta / temperature)) {
      if (k3 >= 0) scorer.applyCycle(k1, k2, k3);
      else scorer.applySwap(k1, k2);
      score += delta;
      accepted++;
      if (score < best - 1e-9) {
        best = score;
        replica.bestItems.set(scorer.itemAt);
      }
    }
  }
  // The running sum drifts by rounding; the epoch ends on the exact score.
  replica.score = scorer.score();
  replica.items = scorer.itemAt.slice();
  replica.bestScore = Math.min(best, replica.score);
  if (replica.score < best) replica.bestItems = replica.items.slice();
  replica.steps += steps;
  replica.accepted += accepted;
  replica.lastAcceptance = steps > 0 ? accepted / steps : replica.lastAcceptance;
}
