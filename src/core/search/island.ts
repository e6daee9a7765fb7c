import { scoreItems } from "../scoring/layout-scorer.ts";
import type { ScoringModel } from "../scoring/model.ts";
import type { ScoredItems } from "./layout-search.ts";
import { Random } from "./random.ts";
import { newReplica, type ReplicaState } from "./replica.ts";
import { type SearchProblem, startItems } from "./search-problem.ts";
import { temperatureLadder } from "./temperature.ts";

/**
 * When an island's best has not improved for this many epochs, its hottest replica restarts
 * from that best: a reheat that explores around the best without pulling the colder replicas
 * out of their own basins (restarting every stuck replica from the best made runs agree less).
 */
const REHEAT_EPOCHS = 100;

/**
 * One parallel-tempering ladder: replicas at fixed temperatures that anneal for an epoch, then
 * exchange temperatures with their neighbours. A search runs one island per thread; a job runs
 * one per unit, and the unit after it on the same node continues it. Islands share their best
 * by migration (adoptMigrant). Plain data, so it can be handed over and copied to threads.
 */
export interface Island {
  readonly index: number;
  replicas: ReplicaState[];
  /** The generator of temperature exchanges. */
  readonly exchange: Uint32Array;
  best: ScoredItems;
  epochsSinceImprovement: number;
}

export interface IslandSeed {
  readonly seed: number;
  /** Which island of the search: islands of one seed draw from separate random streams. */
  readonly index: number;
  readonly replicas: number;
  /** Every replica starts from a random arrangement instead of the start layout. */
  readonly randomStart: boolean;
}

/**
 * A new island. Island 0 of a seed draws exactly what a one-thread search of that seed always
 * drew (exchanges from stream 0, replica r from stream r + 1); island i shifts the streams past
 * those of the islands before it.
 */
export function newIsland(model: ScoringModel, problem: SearchProblem, seed: IslandSeed): Island {
  const firstStream = seed.index * (seed.replicas + 1);
  const exchange = Random.seeded(seed.seed, firstStream);
  const fixedStart = startItems(model, problem, null);
  const ladder = temperatureLadder(model, fixedStart, seed.replicas, exchange);
  const replicas = ladder.map((temperature, r) => {
    const random = Random.seeded(seed.seed, firstStream + r + 1);
    const items = seed.randomStart ? startItems(model, problem, random) : fixedStart.slice();
    return newReplica(r, items, scoreItems(model, items), temperature, random);
  });
  const first = replicas.reduce((a, b) => (b.score < a.score ? b : a));
  return {
    index: seed.index,
    replicas,
    exchange: exchange.state,
    best: { items: first.items.slice(), score: first.score },
    epochsSinceImprovement: 0,
  };
}

/**
 * After an epoch: the island's best takes its replicas' bests, neighbouring temperatures may
 * exchange, and a long-stuck island reheats. True when the island's best improved.
 */
export function endEpoch(island: Island): boolean {
  let improved = false;
  for (const replica of island.replicas) {
    if (replica.bestScore < island.best.score - 1e-9) {
      island.best = { items: replica.bestItems.slice(), score: replica.bestScore };
      improved = true;
    }
  }
  exchangeTemperatures(island.replicas, new Random(island.exchange));
  island.epochsSinceImprovement = improved ? 0 : island.epochsSinceImprovement + 1;
  if (island.epochsSinceImprovement >= REHEAT_EPOCHS) {
    const hottest = island.replicas.reduce((a, b) => (b.temperature > a.temperature ? b : a));
    hottest.items = island.best.items.slice();
    hottest.score = island.best.score;
    island.epochsSinceImprovement = 0;
  }
  return improved;
}

/**
 * Migration: a layout found elsewhere (another island's best) replaces the island's coldest
 * replica when it beats the island's own best, and is left alone otherwise, so a migrant never
 * makes an island worse. `score` must be the layout's exact score. True when adopted.
 */
export function adoptMigrant(island: Island, items: Int32Array, score: number): boolean {
  if (!(score < island.best.score - 1e-9)) return false;
  const coldest = island.replicas.reduce((a, b) => (b.temperature < a.temperature ? b : a));
  coldest.items = items.slice();
  coldest.score = score;
  coldest.bestItems = items.slice();
  coldest.bestScore = score;
  island.best = { items: items.slice(), score };
  island.epochsSinceImprovement = 0;
  return true;
}

/** Neighbouring temperatures swap replicas with the replica-exchange acceptance rule. */
function exchangeTemperatures(replicas: ReplicaState[], random: Random): void {
  const byTemperature = [...replicas].sort((a, b) => b.temperature - a.temperature || a.id - b.id);
  for (let i = 0; i + 1 < byTemperature.length; i++) {
    const hot = byTemperature[i] as ReplicaState;
    const cold = byTemperature[i + 1] as ReplicaState;
    const exponent = (1 / cold.temperature - 1 / hot.temperature) * (cold.score - hot.score);
    if (exponent >= 0 || random.next() < Math.exp(exponent)) {
      const temperature = hot.temperature;
      hot.temperature = cold.temperature;
      cold.temperature = temperature;
      byTemperature[i] = cold;
      byTemperature[i + 1] = hot;
    }
  }
}
