import fc from "fast-check";
import type { LayoutChoice } from "../../web/src/analysis/analysis-view.ts";
import type { ScoringChoice } from "../../web/src/analysis/scoring-choice.ts";

/** Names as the URL takes them: a board, a layout, a weights preset. */
export const name = fc.stringMatching(/^[a-z0-9][a-z0-9-]{0,20}$/);

/** A built-in layout's name, or typed layout text. */
export const layoutChoice: fc.Arbitrary<LayoutChoice> = fc.oneof(
  fc.record({ kind: fc.constant("builtin" as const), name }),
  fc.record({
    kind: fc.constant("text" as const),
    text: fc.string({ minLength: 1, maxLength: 200 }).filter((t) => t.trim() !== ""),
  }),
);

/** A board, corpus (or blend), weights preset and overrides. */
export const scoringChoice: fc.Arbitrary<ScoringChoice> = fc.record({
  board: name,
  corpus: fc.oneof(name, fc.constant("en:0.7,de:0.3")),
  weights: name,
  overrides: fc.dictionary(
    fc.constantFrom("sfb", "sfs", "rollIn", "fingerCaps.pinky"),
    fc.double({ min: -1000, max: 1000, noNaN: true }).map((v) => Math.round(v * 100) / 100),
  ),
});
