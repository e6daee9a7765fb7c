import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { NgramCounter } from "../../src/core/ngram-counter.ts";
import { TextNormalizer } from "../../src/core/text-normalization.ts";

function count(...documents: string[]) {
  const counter = new NgramCounter();
  for (const doc of documents) {
    const normalizer = new TextNormalizer();
    normalizer.push(doc, counter.add);
    normalizer.end(counter.add);
    counter.endDocument();
  }
  return counter.tables();
}

describe("n-gram counting", () => {
  it("counts a hand-checked English text exactly", () => {
    const t = count("The cat, the hat.");
    // "the cat, the hat." = 17 characters
    assert.deepEqual(t.monograms, { t: 4, " ": 3, h: 3, e: 2, a: 2, c: 1, ",": 1, ".": 1 });
    assert.equal(t.bigrams.th, 2);
    assert.equal(t.bigrams.at, 2);
    assert.equal(t.bigrams["e "], 2);
    assert.equal(t.bigrams[", "], 1);
    assert.equal(
      Object.values(t.bigrams).reduce((a, b) => a + b),
      16,
    );
    assert.equal(t.skipgrams.te, 2, "t_e in 'the' twice");
    assert.equal(t.skipgrams["tc"], undefined);
    assert.equal(
      Object.values(t.skipgrams).reduce((a, b) => a + b),
      15,
    );
    assert.equal(t.trigrams.the, 2);
    assert.equal(t.trigrams["he "], 2);
    assert.equal(t.trigrams["at,"], 1);
    assert.equal(
      Object.values(t.trigrams).reduce((a, b) => a + b),
      15,
    );
  });

  it("counts code points, not UTF-16 units: non-ASCII and astral characters", () => {
    const t = count("Ça😀ß😀");
    assert.deepEqual(t.monograms, { "😀": 2, ç: 1, a: 1, ß: 1 });
    assert.deepEqual(t.bigrams, { ça: 1, "a😀": 1, "😀ß": 1, "ß😀": 1 });
    assert.deepEqual(t.skipgrams, { "ç😀": 1, aß: 1, "😀😀": 1 });
    assert.deepEqual(t.trigrams, { "ça😀": 1, "a😀ß": 1, "😀ß😀": 1 });
  });

  it("counts repeated characters as bigrams of their own", () => {
    const t = count("aaaa");
    assert.deepEqual(t, {
      monograms: { a: 4 },
      bigrams: { aa: 3 },
      skipgrams: { aa: 2 },
      trigrams: { aaa: 2 },
    });
  });

  it("never forms n-grams across documents", () => {
    const t = count("ab", "cd");
    assert.deepEqual(t.bigrams, { ab: 1, cd: 1 });
    assert.deepEqual(t.trigrams, {});
  });

  it("lists the most frequent n-grams first", () => {
    const t = count("zzz y");
    assert.deepEqual(Object.keys(t.monograms), ["z", " ", "y"]);
  });
});
