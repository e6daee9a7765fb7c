import { readFileSync } from "node:fs";
import fc from "fast-check";
import { FINGERS, type Finger, HANDS, type Hand } from "../../src/core/board.ts";
import { parseBoard } from "../../src/core/board-validation.ts";
import { corpusFromTables } from "../../src/core/corpus.ts";
import { countDocuments } from "../../src/core/count-documents.ts";
import { WEIGHTED_TERMS } from "../../src/core/scoring/metric-catalogue.ts";
import { parseWeights } from "../../src/core/scoring/weights.ts";
import { DEFAULT_NORMALIZATION } from "../../src/core/text-normalization.ts";

const DEFAULT_WEIGHTS = parseWeights(
  JSON.parse(
    readFileSync(new URL("../../data/system/weights/balanced.json", import.meta.url), "utf8"),
  ),
  "balanced",
);

/**
 * A random valid board: keys on a jittered, possibly rotated grid (1.6 u pitch, so they never
 * overlap), with random hands and fingers and one home key per finger in use.
 */
export const randomBoard = fc
  .record({
    size: fc.integer({ min: 4, max: 24 }),
    seedHands: fc.array(fc.constantFrom(...HANDS), { minLength: 24, maxLength: 24 }),
    seedFingers: fc.array(fc.constantFrom(...FINGERS), { minLength: 24, maxLength: 24 }),
    jitter: fc.array(fc.double({ min: -0.15, max: 0.15, noNaN: true }), {
      minLength: 48,
      maxLength: 48,
    }),
    rotation: fc.array(fc.integer({ min: -30, max: 30 }), { minLength: 24, maxLength: 24 }),
  })
  .map(({ size, seedHands, seedFingers, jitter, rotation }) => {
    const homes = new Set<string>();
    const keys = Array.from({ length: size }, (_, i) => {
      const hand = seedHands[i] as Hand;
      const finger = seedFingers[i] as Finger;
      const slot = `${hand} ${finger}`;
      const home = !homes.has(slot);
      homes.add(slot);
      const x = (i % 6) * 1.6 + (jitter[2 * i] as number);
      const y = Math.floor(i / 6) * 1.6 + (jitter[2 * i + 1] as number);
      // Small rotations about the key's own centre keep the 1.6 u grid free of overlaps.
      return {
        id: `k${i}`,
        x,
        y,
        r: (rotation[i] as number) / 3,
        rx: x + 0.5,
        ry: y + 0.5,
        hand,
        finger,
        home,
        row: Math.floor(i / 6),
        col: i % 6,
      };
    });
    return parseBoard({ format: "keyforge-board/1", name: "random", keys }, "random");
  });

const ALPHABET = "etaoinsrhl dcu.,";

export const randomCorpus = fc
  .array(fc.constantFrom(...ALPHABET), { minLength: 30, maxLength: 400 })
  .map((chars) =>
    corpusFromTables(countDocuments([chars.join("")], DEFAULT_NORMALIZATION), {
      id: "random",
      name: "random",
      description: "",
      sources: [],
      normalization: DEFAULT_NORMALIZATION,
    }),
  );

/** Default weights with every weight scaled by a random factor (some negative), and shifted by it. */
export const randomWeights = fc
  .record({
    factors: fc.array(fc.double({ min: -2, max: 3, noNaN: true }), {
      minLength: WEIGHTED_TERMS.length,
      maxLength: WEIGHTED_TERMS.length,
    }),
    coverage: fc.double({ min: 0.5, max: 1, noNaN: true }),
  })
  .map(({ factors, coverage }) =>
    parseWeights(
      {
        ...DEFAULT_WEIGHTS,
        format: "keyforge-weights/1",
        weights: Object.fromEntries(
          WEIGHTED_TERMS.map((term, i) => [
            term,
            DEFAULT_WEIGHTS.weights[term] * (factors[i] as number) + (factors[i] as number),
          ]),
        ),
        parameters: { ...DEFAULT_WEIGHTS.parameters, trigramCoverage: coverage },
      },
      "random",
    ),
  );

/** Characters for a board of `size` keys: some or all of the alphabet, leaving blanks when short. */
export function charsFor(size: number, count: number): string[] {
  return [...ALPHABET].slice(0, Math.min(size, count, ALPHABET.length));
}
