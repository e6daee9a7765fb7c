import { KeyForgeError } from "./errors.ts";

/** N-gram counts keyed by the n-gram's characters. */
export interface NgramTables {
  readonly monograms: Record<string, number>;
  readonly bigrams: Record<string, number>;
  /** 1-skip bigrams: characters i and i+2. */
  readonly skipgrams: Record<string, number>;
  readonly trigrams: Record<string, number>;
}

/** Characters get dense ids; n-grams are counted under numeric keys built from those ids. */
const ID_BITS = 17;
const ID_LIMIT = 2 ** ID_BITS;
const PAIR = 2 ** ID_BITS;
const TRIPLE = 2 ** (2 * ID_BITS);
const NONE = -1;

/**
 * Counts monograms, bigrams, 1-skip bigrams and trigrams of a code-point stream. Memory grows
 * with the number of distinct n-grams, never with the length of the text.
 */
export class NgramCounter {
  private readonly idOf = new Map<number, number>();
  private readonly codePoints: number[] = [];
  private monograms = new Float64Array(256);
  private readonly bigrams = new Map<number, number>();
  private readonly skipgrams = new Map<number, number>();
  private readonly trigrams = new Map<number, number>();
  private previous = NONE;
  private beforePrevious = NONE;

  /** Counts the next code point of the current document. Bound, so it can be passed as a sink. */
  readonly add = (codePoint: number): void => {
    const id = this.idFor(codePoint);
    this.monograms[id] = (this.monograms[id] as number) + 1;
    const p = this.previous;
    if (p !== NONE) {
      increment(this.bigrams, p * PAIR + id);
      const pp = this.beforePrevious;
      if (pp !== NONE) {
        increment(this.skipgrams, pp * PAIR + id);
        increment(this.trigrams, pp * TRIPLE + p * PAIR + id);
      }
    }
    this.beforePrevious = p;
    this.previous = id;
  };

  /** No n-gram spans two documents. */
  endDocument(): void {
    this.previous = NONE;
    this.beforePrevious = NONE;
  }

  tables(): NgramTables {
    const monograms: [string, number][] = [];
    this.codePoints.forEach((_, id) => {
      monograms.push([this.text(id), this.monograms[id] as number]);
    });
    return {
      monograms: sortedRecord(monograms),
      bigrams: sortedRecord(this.entries(this.bigrams, 2)),
      skipgrams: sortedRecord(this.entries(this.skipgrams, 2)),
      trigrams: sortedRecord(this.entries(this.trigrams, 3)),
    };
  }

  private idFor(codePoint: number): number {
    const known = this.idOf.get(codePoint);
    if (known !== undefined) return known;
    const id = this.codePoints.length;
    if (id >= ID_LIMIT) {
      throw new KeyForgeError(
        "CORPUS_ALPHABET_TOO_LARGE",
        `the text uses more than ${ID_LIMIT} distinct characters; is it really text?`,
      );
    }
    this.idOf.set(codePoint, id);
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

  private entries(map: Map<number, number>, order: 2 | 3): [string, number][] {
    const out: [string, number][] = [];
    for (const [key, count] of map) {
      const last = key % PAIR;
      const middle = Math.floor(key / PAIR) % PAIR;
      const gram =
        order === 2
          ? this.text(middle) + this.text(last)
          : this.text(Math.floor(key / TRIPLE)) + this.text(middle) + this.text(last);
      out.push([gram, count]);
    }
    return out;
  }
}

function increment(map: Map<number, number>, key: number): void {
  map.set(key, (map.get(key) ?? 0) + 1);
}

/** Most frequent first, ties in string order, so the same text always gives the same file. */
export function sortedRecord(entries: [string, number][]): Record<string, number> {
  entries.sort(([a, x], [b, y]) => y - x || (a < b ? -1 : a > b ? 1 : 0));
  return Object.fromEntries(entries);
}
