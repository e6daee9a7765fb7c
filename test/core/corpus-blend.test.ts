import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { corpusDocument, parseCorpus } from "../../src/core/corpus.ts";
import { blendCorpora } from "../../src/core/corpus-blend.ts";
import { KeyForgeError } from "../../src/core/errors.ts";
import { corpusOf, ENOUGH_TEXT } from "../helpers/corpus.ts";

const identity = { id: "mix", name: "Mix", description: "" };

const failsWith = (code: string) => (error: unknown) =>
  error instanceof KeyForgeError && error.code === code;

describe("corpus blending", () => {
  it("normalises each corpus to its own total before weighting", () => {
    const small = corpusOf("small", "ab".repeat(1000)); // a 1000, b 1000
    const large = corpusOf("large", "c".repeat(8000)); // c 8000
    const blend = blendCorpora(
      [
        { corpus: small, weight: 1 },
        { corpus: large, weight: 1 },
      ],
      identity,
    );
    const total = blend.totals.monograms;
    assert.equal(total, 10000, "scaled back to the summed totals");
    assert.equal(blend.monograms.c, 5000, "the large corpus gets half, not 8/10");
    assert.equal(blend.monograms.a, 2500);
    assert.equal(blend.monograms.b, 2500);
  });

  it("applies weights and records each source's share", () => {
    const blend = blendCorpora(
      [
        { corpus: corpusOf("x", "x".repeat(2000)), weight: 3 },
        { corpus: corpusOf("y", "y".repeat(4000)), weight: 1 },
      ],
      identity,
    );
    assert.equal(blend.monograms.x, 4500);
    assert.equal(blend.monograms.y, 1500);
    assert.deepEqual(
      blend.sources.map((s) => s.weight),
      [0.75, 0.25],
    );
  });

  it("produces a valid corpus file", () => {
    const blend = blendCorpora(
      [
        { corpus: corpusOf("a", ENOUGH_TEXT), weight: 0.3 },
        { corpus: corpusOf("b", `Jumps over the lazy dog. ${ENOUGH_TEXT}`), weight: 0.7 },
      ],
      identity,
    );
    const reread = parseCorpus(JSON.parse(JSON.stringify(corpusDocument(blend))), "mix");
    assert.deepEqual(reread.totals, blend.totals);
  });

  it("refuses bad weights, nothing to blend, and different normalisation", () => {
    const a = corpusOf("a", ENOUGH_TEXT);
    const code = (fn: () => unknown) => assert.throws(fn, KeyForgeError);
    code(() => blendCorpora([], identity));
    code(() => blendCorpora([{ corpus: a, weight: 0 }], identity));
    code(() => blendCorpora([{ corpus: a, weight: Number.NaN }], identity));
    const cased = { ...a, id: "b", normalization: { ...a.normalization, caseFold: false } };
    assert.throws(
      () =>
        blendCorpora(
          [
            { corpus: a, weight: 1 },
            { corpus: cased, weight: 1 },
          ],
          identity,
        ),
      failsWith("CORPUS_BLEND_MISMATCH"),
    );
  });

  it("refuses a part too small to score layouts, rather than give its share to the others", () => {
    const enough = corpusOf("enough", ENOUGH_TEXT);
    for (const tiny of [corpusOf("empty", ""), corpusOf("tiny", "Hello there.")]) {
      assert.throws(
        () =>
          blendCorpora(
            [
              { corpus: enough, weight: 0.5 },
              { corpus: tiny, weight: 0.5 },
            ],
            identity,
          ),
        (error: unknown) =>
          failsWith("CORPUS_TOO_SMALL")(error) &&
          (error as Error).message.startsWith(`corpus ${tiny.id} is too small`),
      );
    }
  });
});
