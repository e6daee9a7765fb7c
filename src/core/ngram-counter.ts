import { PairCountTable } from "./pair-count-table.ts";

/** N-gram counts keyed by the n-gram's characters. */
export interface NgramTables {
  readonly monograms: Record<string, number>;
  readonly bigrams: Record<string, number>;
  /** 1-skip bigrams: characters i and i+2. */
  readonly skipgrams: Record<string, number>;
  readonly trigrams: Record<string, number>;
}

const NONE = -1;
const BIGRAMS = 0;
const SKIPGRAMS = 1;

/**
 * Counts monograms, bigrams, 1-skip bigrams and trigrams of a code-point stream. Memory grows
 * with the number of distinct n-grams, never with the length of the text. Characters get dense
 * ids; a character pair gets a slot shared by its bigram and skipgram counts; a trigram is the
 * slot of its first two characters paired with the third.
 */
export class NgramCounter {
  /** Dense id of every code point seen, -1 for the others: one array read per character. */
  private readonly idOf = new Int32Array(0x110000).fill(NONE);
  private readonly codePoints: number[] = [];
  private monograms = new Float64Array(256);
  private readonly pairs = new PairCountTable(2);
  private readonly trigrams = new PairCountTable(1);
  private previous = NONE;
  private beforePrevious = NONE;
  /** Pair slot of (beforePrevious, previous). */
  private previousPair = NONE;

  /** Counts the next code point of the current document. Bound, so it can be passed as a sink. */
  readonly add = (codePoint: number): void => {
    const id = this.idFor(codePoint);
    this.monograms[id] = (this.monograms[id] as number) + 1;
    const p = this.previous;
    let pair = NONE;
    if (p !== NONE) {
      pair = this.pairs.slot(p, id);
      const bigrams = this.pairs.counts[BIGRAMS] as Float64Array;
      bigrams[pair] = (bigrams[pair] as number) + 1;
      const pp = this.beforePrevious;
      if (pp !== NONE) {
        const skip = this.pairs.slot(pp, id);
        const skipgrams = this.pairs.counts[SKIPGRAMS] as Float64Array;
        skipgrams[skip] = (skipgrams[skip] as number) + 1;
        const tri = this.trigrams.slot(this.previousPair, id);
        const trigrams = this.trigrams.counts[0] as Float64Array;
        trigrams[tri] = (trigrams[tri] as number) + 1;
      }
    }
    this.beforePrevious = p;
    this.previous = id;
    this.previousPair = pair;
  };

  /** No n-gram spans two documents. */
  endDocument(): void {
    this.previous = NONE;
    this.beforePrevious = NONE;
    this.previousPair = NONE;
  }

  /** Characters counted so far, in all documents: a sum over distinct characters, not text. */
  characters(): number {
    let total = 0;
    for (let id = 0; id < this.codePoints.length; id++) total += this.monograms[id] as number;
    return total;
  }

  tables(): NgramTables {
    const monograms = this.codePoints.map(
      (_, id) => [this.text(id), this.monograms[id] as number] as [string, number],
    );
    const pairText = (slot: number) =>
      this.text(this.pairs.first(slot)) + this.text(this.pairs.second(slot));
    const trigramText = (slot: number) =>
      pairText(this.trigrams.first(slot)) + this.text(this.trigrams.second(slot));
    return {
      monograms: sortedRecord(monograms),
      bigrams: sortedRecord(nonZero(this.pairs, BIGRAMS, pairText)),
      skipgrams: sortedRecord(nonZero(this.pairs, SKIPGRAMS, pairText)),
      trigrams: sortedRecord(nonZero(this.trigrams, 0, trigramText)),
    };
  }

  private idFor(codePoint: number): number {
    const known = this.idOf[codePoint] as number;
    if (known !== NONE) return known;
    const id = this.codePoints.length;
    this.idOf[codePoint] = id;
    this.codePoints.push(codePoint);
    if (id >= this.monograms.length) {
      const grown = new Float64Array(this.monograms.length * 2);
      grown.set(this.monograms);
      this.monograms = grown;
    }
    return id;
  }

  private text(id: number): string {
    return String.fromCodePoint(this.codePoints[id] as number);
  }
}

function nonZero(
  table: PairCountTable,
  column: number,
  text: (slot: number) => string,
): [string, number][] {
  const counts = table.counts[column] as Float64Array;
  const entries: [string, number][] = [];
  for (let slot = 0; slot < table.size; slot++) {
    const count = counts[slot] as number;
    if (count > 0) entries.push([text(slot), count]);
  }
  return entries;
}

/**
 * Most frequent first, ties in string order, so the same text always gives the same file.
 * (Objects list integer-like keys such as "10" first whatever their count.)
 */
export function sortedRecord(entries: [string, number][]): Record<string, number> {
  entries.sort(([a, x], [b, y]) => y - x || (a < b ? -1 : a > b ? 1 : 0));
  return Object.fromEntries(entries);
}
