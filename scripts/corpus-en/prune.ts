import { type Corpus, type NgramOrder, totalsOf } from "../../src/core/corpus.ts";

export interface PruneResult {
  readonly corpus: Corpus;
  /** Per pruned order: how many n-grams were dropped and what share of that order's mass they held. */
  readonly dropped: Partial<Record<NgramOrder, { readonly grams: number; readonly share: number }>>;
}

/**
 * Drops n-grams of the given orders whose count is below `threshold`, then recomputes the totals
 * from what is left, so the file stays consistent (totals are the sums of the tables).
 */
export function pruneRareNgrams(
  corpus: Corpus,
  orders: readonly NgramOrder[],
  threshold: number,
): PruneResult {
  const tables = {
    monograms: corpus.monograms,
    bigrams: corpus.bigrams,
    skipgrams: corpus.skipgrams,
    trigrams: corpus.trigrams,
  };
  const dropped: PruneResult["dropped"] = {};
  for (const order of orders) {
    const kept: Record<string, number> = {};
    let grams = 0;
    let mass = 0;
    for (const [gram, count] of Object.entries(corpus[order])) {
      if (count < threshold) {
        grams++;
        mass += count;
      } else kept[gram] = count;
    }
    tables[order] = kept;
    dropped[order] = { grams, share: corpus.totals[order] > 0 ? mass / corpus.totals[order] : 0 };
  }
  return { corpus: { ...corpus, ...tables, totals: totalsOf(tables) }, dropped };
}
