import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { corpusDocument, parseCorpus } from "../../src/core/corpus.ts";
import { corpusFiles } from "../../src/core/corpus-files.ts";
import { KeyForgeError } from "../../src/core/errors.ts";
import { corpusOf, ENOUGH_TEXT } from "../helpers/corpus.ts";

function problemCodes(data: unknown): string[] {
  try {
    parseCorpus(data, "x");
  } catch (error) {
    if (error instanceof KeyForgeError) return error.problems.map((p) => p.code);
    throw error;
  }
  return [];
}

/** A corpus file as `JSON.parse` gives it back. */
const fileOf = (text: string) =>
  JSON.parse(JSON.stringify(corpusDocument(corpusOf("t", text)))) as Record<string, unknown>;

describe("corpus format", () => {
  it("computes totals from the tables", () => {
    const corpus = corpusOf("t", "abcab");
    assert.deepEqual(corpus.totals, { monograms: 5, bigrams: 4, skipgrams: 3, trigrams: 3 });
  });

  it("reads back what it writes", () => {
    const corpus = corpusOf("t", `Hello there, world! ${ENOUGH_TEXT}`);
    const file = JSON.parse(JSON.stringify(corpusDocument(corpus)));
    assert.equal(file.format, "keyforge-corpus/1");
    assert.deepEqual(parseCorpus(file, "other"), corpus);
  });

  it("reads back the files a build recorded, and loads corpora that record none", () => {
    const built = corpusOf("t", ENOUGH_TEXT);
    const files = corpusFiles(
      "stripped",
      [{ path: "notes/a.md", characters: 1124, markupStripped: 30 }],
      [{ path: "notes/logo.png", reason: "binary" }],
    );
    const withFiles = { ...built, sources: [{ ...built.sources[0], files }] };
    const file = JSON.parse(JSON.stringify(corpusDocument(withFiles as typeof built)));
    assert.deepEqual(parseCorpus(file, "t").sources[0]?.files, files);
    assert.equal(parseCorpus(fileOf(ENOUGH_TEXT), "t").sources[0]?.files, undefined);
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
    const corpus = parseCorpus(fileOf(`a😀b ${ENOUGH_TEXT}`), "t");
    assert.equal(corpus.bigrams["a😀"], 1);
  });

  it("refuses an empty or near-empty corpus, saying how much it holds and how much it needs", () => {
    for (const text of ["", "Hello there.", "x".repeat(1000)]) {
      assert.throws(
        () => parseCorpus(fileOf(text), "t"),
        (error: unknown) =>
          error instanceof KeyForgeError &&
          error.code === "CORPUS_TOO_SMALL" &&
          /corpus t is too small.* bigrams; a corpus needs at least 1,000 bigrams/.test(
            error.message,
          ),
      );
    }
    assert.doesNotThrow(
      () => parseCorpus(fileOf("x".repeat(1001)), "t"),
      "1,000 bigrams are enough",
    );
  });
});
