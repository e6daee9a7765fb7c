import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { totalsOf } from "../../src/core/corpus.ts";
import { countDocuments } from "../../src/core/count-documents.ts";
import { DEFAULT_NORMALIZATION } from "../../src/core/text-normalization.ts";

describe("countDocuments", () => {
  it("counts every n-gram order of one text", () => {
    const tables = countDocuments(["abca"], DEFAULT_NORMALIZATION);
    assert.deepEqual(tables.monograms, { a: 2, b: 1, c: 1 });
    assert.deepEqual(tables.bigrams, { ab: 1, bc: 1, ca: 1 });
    assert.deepEqual(tables.skipgrams, { ac: 1, ba: 1 });
    assert.deepEqual(tables.trigrams, { abc: 1, bca: 1 });
  });

  it("never counts an n-gram across two documents", () => {
    const tables = countDocuments(["ab", "cd"], DEFAULT_NORMALIZATION);
    assert.deepEqual(tables.bigrams, { ab: 1, cd: 1 });
    assert.deepEqual(tables.trigrams, {});
  });

  it("does not join documents with a space, even when one ends in whitespace", () => {
    const tables = countDocuments(["the end \n\n", "  next"], DEFAULT_NORMALIZATION);
    assert.equal(tables.monograms[" "], 1, "only the space inside 'the end'");
    assert.equal(tables.bigrams["d "], undefined);
    assert.equal(tables.bigrams[" n"], undefined);
  });

  it("normalises as the settings say", () => {
    const folded = countDocuments(["Don\u2019t"], DEFAULT_NORMALIZATION);
    assert.deepEqual(Object.keys(folded.monograms).sort(), ["'", "d", "n", "o", "t"]);
    const kept = countDocuments(["Don\u2019t"], {
      ...DEFAULT_NORMALIZATION,
      caseFold: false,
      foldTypography: false,
    });
    assert.equal(kept.monograms.D, 1);
    assert.equal(kept.monograms["\u2019"], 1);
  });

  it("gives the same tables for the same texts however they are iterated", () => {
    const texts = ["one fish", "two fish"];
    function* generate(): Generator<string> {
      yield* texts;
    }
    assert.deepEqual(
      countDocuments(generate(), DEFAULT_NORMALIZATION),
      countDocuments(texts, DEFAULT_NORMALIZATION),
    );
  });

  it("returns empty tables for no documents", () => {
    const tables = countDocuments([], DEFAULT_NORMALIZATION);
    assert.deepEqual(totalsOf(tables), { monograms: 0, bigrams: 0, skipgrams: 0, trigrams: 0 });
  });
});
