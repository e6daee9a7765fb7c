import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { countDocuments } from "../../src/core/count-documents.ts";
import { NgramCounter } from "../../src/core/ngram-counter.ts";
import { DEFAULT_NORMALIZATION } from "../../src/core/text-normalization.ts";

function count(...documents: string[]) {
  return countDocuments(documents, DEFAULT_NORMALIZATION);
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
    assert.equal(t.skipgrams.tc, undefined);
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

  it("tells how many characters it has counted so far, over all documents", () => {
    const counter = new NgramCounter();
    assert.equal(counter.characters(), 0);
    for (const c of "ab😀") counter.add(c.codePointAt(0) as number);
    counter.endDocument();
    assert.equal(counter.characters(), 3, "an astral character is one");
    for (const c of "aaaa") counter.add(c.codePointAt(0) as number);
    assert.equal(counter.characters(), 7);
  });
});

/** The obvious way to count, to check the fast counter against. */
function naiveCounts(codePoints: readonly number[]) {
  const chars = codePoints.map((cp) => String.fromCodePoint(cp));
  const tally = (grams: string[]) => {
    const out: Record<string, number> = {};
    for (const g of grams) out[g] = (out[g] ?? 0) + 1;
    return out;
  };
  return {
    monograms: tally(chars),
    bigrams: tally(chars.slice(1).map((c, i) => chars[i] + c)),
    skipgrams: tally(chars.slice(2).map((c, i) => chars[i] + c)),
    trigrams: tally(chars.slice(2).map((c, i) => (chars[i] as string) + chars[i + 1] + c)),
  };
}

describe("n-gram counting against a reference", () => {
  it("agrees with naive counting on any code-point sequence, across table growth", () => {
    // A large alphabet makes thousands of distinct pairs, so the hash tables grow and rehash.
    const codePoint = fc.oneof(
      fc.integer({ min: 0x61, max: 0x7a }),
      fc.integer({ min: 0x400, max: 0x4ff }),
      fc.integer({ min: 0x1f600, max: 0x1f64f }),
    );
    fc.assert(
      fc.property(fc.array(codePoint, { maxLength: 6000 }), (codePoints) => {
        const counter = new NgramCounter();
        for (const cp of codePoints) counter.add(cp);
        const sorted = (t: Record<string, number>) =>
          Object.entries(t).sort(([a], [b]) => (a < b ? -1 : 1));
        const fast = counter.tables();
        const slow = naiveCounts(codePoints);
        for (const order of ["monograms", "bigrams", "skipgrams", "trigrams"] as const) {
          assert.deepEqual(sorted(fast[order]), sorted(slow[order]), order);
        }
      }),
      { numRuns: 40 },
    );
  });
});
