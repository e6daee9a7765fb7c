import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import type { Board } from "../../../src/core/board.ts";
import type { Corpus } from "../../../src/core/corpus.ts";
import { KeyForgeError } from "../../../src/core/errors.ts";
import { LayoutScorer } from "../../../src/core/scoring/layout-scorer.ts";
import { compileModel, type ScoringModel } from "../../../src/core/scoring/model.ts";
import type { Weights } from "../../../src/core/scoring/weights.ts";
import {
  charsFor,
  randomBoard,
  randomCorpus,
  randomWeights,
} from "../../helpers/random-scoring.ts";

const problem = fc
  .record({
    board: randomBoard,
    corpus: randomCorpus,
    weights: randomWeights,
    charCount: fc.integer({ min: 2, max: 16 }),
    order: fc.array(fc.nat(), { minLength: 24, maxLength: 24 }),
    pinCount: fc.integer({ min: 0, max: 3 }),
    excludeCount: fc.integer({ min: 0, max: 2 }),
    moves: fc.array(fc.tuple(fc.nat(), fc.nat(), fc.nat(), fc.boolean()), {
      minLength: 1,
      maxLength: 40,
    }),
    slotCacheFrom: fc.integer({ min: -1, max: 40 }),
    anchorPenalty: fc.oneof(fc.constant(0), fc.double({ min: 0.01, max: 5, noNaN: true })),
  })
  .map((p) => {
    const n = p.board.keys.length;
    const chars = charsFor(n, p.charCount);
    // A random permutation of items over keys, from the random order values.
    const itemAt = Array.from({ length: n }, (_, k) => k).sort(
      (a, b) => (p.order[a] as number) - (p.order[b] as number) || a - b,
    );
    const keyOfItem = (item: number) => itemAt.indexOf(item);
    const pins = new Map(chars.slice(0, p.pinCount).map((c, i) => [c, keyOfItem(i)]));
    const excluded = new Set(
      itemAt.flatMap((item, key) =>
        item >= chars.length && key < p.excludeCount * 3 ? [key] : [],
      ),
    );
    // Anchored to the starting arrangement, as "stay close to my layout" does.
    const anchor = {
      keys: new Map(chars.map((c, i) => [c, keyOfItem(i)])),
      penalty: p.anchorPenalty,
    };
    return { ...p, chars, itemAt, pins, excluded, anchor };
  });

/** The problem's model with its pins and excluded keys. */
function constrainedModel(p: {
  board: Board;
  corpus: Corpus;
  weights: Weights;
  chars: string[];
  pins: Map<string, number>;
  excluded: Set<number>;
  anchor: { keys: Map<string, number>; penalty: number };
}): ScoringModel {
  const { board, corpus, weights, chars, pins, excluded, anchor } = p;
  return compileModel({ board, corpus, weights, chars, pins, excludedKeys: excluded, anchor });
}

function relativeError(expected: number, actual: number, scale: number): number {
  return Math.abs(expected - actual) / Math.max(1, Math.abs(scale));
}

describe("layout scorer", () => {
  it("scores a swap or a 3-cycle by its delta exactly as two full scores differ", () => {
    fc.assert(
      fc.property(problem, (p) => {
        const model = constrainedModel(p);
        const scorer = new LayoutScorer(model, p.itemAt);
        const movable = model.movableKeys;
        if (movable.length < 2) return;
        for (const [move, [i, j, k, cycle]] of p.moves.entries()) {
          // The slot cache goes on part-way (or never, or from the start): both modes agree.
          if (move === p.slotCacheFrom) scorer.useSlotCache(true);
          const k1 = movable[i % movable.length] as number;
          const k2 = movable[j % movable.length] as number;
          const k3 = movable[k % movable.length] as number;
          const before = scorer.score();
          const useCycle = cycle && k1 !== k2 && k2 !== k3 && k1 !== k3;
          const delta = useCycle ? scorer.cycleDelta(k1, k2, k3) : scorer.swapDelta(k1, k2);
          assert.equal(scorer.score(), before, "computing a delta changes nothing");
          if (useCycle) scorer.applyCycle(k1, k2, k3);
          else scorer.applySwap(k1, k2);
          const after = scorer.score();
          assert.ok(
            relativeError(after - before, delta, before) < 1e-9,
            `delta ${delta}, difference ${after - before}`,
          );
        }
        // The incrementally kept state equals a scorer built from scratch on the final layout.
        const fresh = new LayoutScorer(model, scorer.itemAt);
        assert.ok(relativeError(fresh.score(), scorer.score(), fresh.score()) < 1e-9);
      }),
      { numRuns: 300 },
    );
  });

  it("gives the same score for the same input every time", () => {
    fc.assert(
      fc.property(problem, (p) => {
        const input = { board: p.board, corpus: p.corpus, weights: p.weights, chars: p.chars };
        const first = new LayoutScorer(compileModel(input), p.itemAt).score();
        const second = new LayoutScorer(compileModel(input), p.itemAt).score();
        assert.equal(first, second);
      }),
      { numRuns: 30 },
    );
  });

  it("keeps pinned characters and excluded keys out of the movable keys", () => {
    fc.assert(
      fc.property(problem, (p) => {
        const model = constrainedModel(p);
        const movable = new Set(model.movableKeys);
        for (const key of p.pins.values()) assert.ok(!movable.has(key));
        for (const key of p.excluded) assert.ok(!movable.has(key));
        assert.equal(
          movable.size,
          p.board.keys.length - new Set([...p.pins.values(), ...p.excluded]).size,
        );
      }),
      { numRuns: 50 },
    );
  });

  it("refuses a layout that moves a pinned character or is not a permutation", () => {
    fc.assert(
      fc.property(problem, (p) => {
        if (p.chars.length < 2 || p.board.keys.length < 2) return;
        const pinnedKey = p.itemAt.indexOf(0);
        const elsewhere = pinnedKey === 0 ? 1 : 0;
        const model = compileModel({
          board: p.board,
          corpus: p.corpus,
          weights: p.weights,
          chars: p.chars,
          pins: new Map([[p.chars[0] as string, elsewhere]]),
        });
        assert.throws(
          () => new LayoutScorer(model, p.itemAt),
          (e: unknown) => e instanceof KeyForgeError && e.code === "LAYOUT_VIOLATES_PIN",
        );
        const plain = compileModel({
          board: p.board,
          corpus: p.corpus,
          weights: p.weights,
          chars: p.chars,
        });
        assert.throws(
          () =>
            new LayoutScorer(
              plain,
              p.itemAt.map(() => 0),
            ),
          (e: unknown) => e instanceof KeyForgeError && e.code === "LAYOUT_STATE_INVALID",
        );
      }),
      { numRuns: 20 },
    );
  });
});
