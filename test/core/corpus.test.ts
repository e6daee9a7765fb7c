import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { corpusDocument, parseCorpus } from "../../src/core/corpus.ts";
import { KeyForgeError } from "../../src/core/errors.ts";
import { corpusOf } from "../helpers/corpus.ts";

function problemCodes(data: unknown): string[] {
  try {
    parseCorpus(data, "x");
  } catch (error) {
    if (error instanceof KeyForgeError) return error.problems.map((p) => p.code);
    throw error;
  }
  return [];
}

describe("corpus format", () => {
  it("computes totals from the tables", () => {
    const corpus = corpusOf("t", "abcab");
    assert.deepEqual(corpus.totals, { monograms: 5, bigrams: 4, skipgrams: 3, trigrams: 3 });
  });

  it("reads back what it writes", () => {
    const corpus = corpusOf("t", "Hello there, world!");
    const file = JSON.parse(JSON.stringify(corpusDocument(corpus)));
    assert.equal(file.format, "keyforge-corpus/1");
    assert.deepEqual(parseCorpus(file, "other"), corpus);
  });

  it("rejects another format, wrong field types and negative counts", () => {
    const file = corpusDocument(corpusOf("t", "abc"));
    assert.deepEqual(problemCodes({ ...file, format: "genkey" }), ["CORPUS_FORMAT_UNSUPPORTED"]);
    assert.deepEqual(problemCodes({ ...file, monograms: { a: -1, b: 1, c: 1 } }), [
      "CORPUS_FIELD_INVALID",
    ]);
    assert.deepEqual(problemCodes({ ...file, sources: "books" }), ["CORPUS_FIELD_INVALID"]);
  });

  it("rejects n-grams of the wrong length and totals that do not add up", () => {
    const file = corpusDocument(corpusOf("t", "abc"));
    assert.deepEqual(problemCodes({ ...file, bigrams: { abc: 1, bc: 1 } }), [
      "CORPUS_NGRAM_LENGTH",
    ]);
    assert.deepEqual(
      problemCodes({ ...file, totals: { ...(file.totals as object), trigrams: 7 } }),
      ["CORPUS_TOTAL_MISMATCH"],
    );
  });

  it("counts an astral character as one character in n-gram keys", () => {
    const file = corpusDocument(corpusOf("t", "a😀b"));
    assert.deepEqual(problemCodes(file), []);
  });
});
