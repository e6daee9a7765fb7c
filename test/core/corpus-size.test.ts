import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { checkCorpusSize, MIN_CORPUS_BIGRAMS } from "../../src/core/corpus-size.ts";
import { KeyForgeError } from "../../src/core/errors.ts";

const totals = (characters: number, bigrams: number) => ({
  monograms: characters,
  bigrams,
  skipgrams: Math.max(0, bigrams - 1),
  trigrams: Math.max(0, bigrams - 1),
});

describe("the smallest corpus that scores layouts", () => {
  it("accepts a corpus from the minimum number of bigrams up", () => {
    assert.equal(MIN_CORPUS_BIGRAMS, 1000);
    assert.doesNotThrow(() => checkCorpusSize(totals(1001, 1000), "corpus x"));
    assert.doesNotThrow(() => checkCorpusSize(totals(16e6, 16e6 - 200), "corpus en"));
  });

  it("refuses fewer with CORPUS_TOO_SMALL, saying what it found and what it needs", () => {
    for (const [characters, bigrams, found] of [
      [0, 0, "0 characters, 0 bigrams"],
      [12, 11, "12 characters, 11 bigrams"],
      [1999.6, 999.6, "1,999 characters, 999 bigrams"],
    ] as const) {
      assert.throws(
        () => checkCorpusSize(totals(characters, bigrams), "the text read from notes"),
        (error: unknown) =>
          error instanceof KeyForgeError &&
          error.code === "CORPUS_TOO_SMALL" &&
          error.message ===
            `the text read from notes is too small to score layouts: ${found}; a corpus needs at least 1,000 bigrams (about a third of a page of text)`,
      );
    }
  });
});
