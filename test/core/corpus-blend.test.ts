import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { corpusDocument, parseCorpus } from "../../src/core/corpus.ts";
import { blendCorpora } from "../../src/core/corpus-blend.ts";
import { KeyForgeError } from "../../src/core/errors.ts";
import { corpusOf } from "../helpers/corpus.ts";

const identity = { id: "mix", name: "Mix", description: "" };

describe("corpus blending", () => {
  it("normalises each corpus to its own total before weighting", () => {
    const small = corpusOf("small", "ab"); // a 1, b 1
    const large = corpusOf("large", "cccccccc"); // c 8
    const blend = blendCorpora(
      [
        { corpus: small, weight: 1 },
        { corpus: large, weight: 1 },
      ],
      identity,
    );
    const total = blend.totals.monograms;
    assert.equal(total, 10, "scaled back to the summed totals");
    assert.equal(blend.monograms.c, 5, "the large corpus gets half, not 8/10");
    assert.equal(blend.monograms.a, 2.5);
    assert.equal(blend.monograms.b, 2.5);
  });

  it("applies weights and records each source's share", () => {
    const blend = blendCorpora(
      [
        { corpus: corpusOf("x", "xx"), weight: 3 },
        { corpus: corpusOf("y", "yyyy"), weight: 1 },
      ],
      identity,
    );
    assert.equal(blend.monograms.x, 4.5);
    assert.equal(blend.monograms.y, 1.5);
    assert.deepEqual(
      blend.sources.map((s) => s.weight),
      [0.75, 0.25],
    );
  });

  it("produces a valid corpus file", () => {
    const blend = blendCorpora(
      [
        { corpus: corpusOf("a", "the quick brown fox"), weight: 0.3 },
        { corpus: corpusOf("b", "jumps over the lazy dog"), weight: 0.7 },
      ],
      identity,
    );
    const reread = parseCorpus(JSON.parse(JSON.stringify(corpusDocument(blend))), "mix");
    assert.deepEqual(reread.totals, blend.totals);
  });

  it("refuses bad weights, nothing to blend, and different normalisation", () => {
    const a = corpusOf("a", "abc");
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
      (e: unknown) => e instanceof KeyForgeError && e.code === "CORPUS_BLEND_MISMATCH",
    );
  });
});
