import { type Corpus, type NgramOrder, type NgramTotals, totalsOf } from "./corpus.ts";
import { checkCorpusSize } from "./corpus-size.ts";
import { KeyForgeError } from "./errors.ts";
import { type NgramTables, sortedRecord } from "./ngram-counter.ts";

export interface WeightedCorpus {
  readonly corpus: Corpus;
  readonly weight: number;
}

/** Counts are kept to this many decimals: enough for any metric, compact in a file. */
const DECIMALS = 1e4;

const round = (count: number) => Math.round(count * DECIMALS) / DECIMALS;

/** Sums of rounded counts carry float noise; totals are rounded the same way. */
function roundedTotals(tables: NgramTables): NgramTotals {
  const totals = totalsOf(tables);
  return {
    monograms: round(totals.monograms),
    bigrams: round(totals.bigrams),
    skipgrams: round(totals.skipgrams),
    trigrams: round(totals.trigrams),
  };
}

function sameNormalization(a: Corpus, b: Corpus): boolean {
  return JSON.stringify(a.normalization) === JSON.stringify(b.normalization);
}

/**
 * Blends corpora: each n-gram table is first divided by its own total, so a corpus's weight is
 * its share of the blend whatever its size; the result is scaled back to the summed totals.
 * Every part must be big enough to score layouts on its own (CORPUS_TOO_SMALL otherwise): an
 * empty part would silently give its share to the others.
 */
export function blendCorpora(
  parts: readonly WeightedCorpus[],
  identity: { id: string; name: string; description: string },
): Corpus {
  const first = parts[0];
  if (!first) throw new KeyForgeError("CORPUS_BLEND_EMPTY", "nothing to blend");
  for (const part of parts) {
    if (!(part.weight > 0) || !Number.isFinite(part.weight)) {
      throw new KeyForgeError(
        "CORPUS_BLEND_WEIGHT",
        `weight of corpus ${part.corpus.id} must be a positive number (got ${part.weight})`,
      );
    }
    if (!sameNormalization(first.corpus, part.corpus)) {
      throw new KeyForgeError(
        "CORPUS_BLEND_MISMATCH",
        `corpora ${first.corpus.id} and ${part.corpus.id} were normalised differently; rebuild one of them`,
      );
    }
    checkCorpusSize(part.corpus.totals, `corpus ${part.corpus.id}`);
  }
  const weightSum = parts.reduce((sum, p) => sum + p.weight, 0);
  const blendTable = (order: NgramOrder): Record<string, number> => {
    const scale = parts.reduce((sum, p) => sum + p.corpus.totals[order], 0);
    const blended = new Map<string, number>();
    for (const { corpus, weight } of parts) {
      const total = corpus.totals[order];
      if (total === 0) continue;
      const factor = ((weight / weightSum) * scale) / total;
      for (const [gram, count] of Object.entries(corpus[order])) {
        blended.set(gram, (blended.get(gram) ?? 0) + count * factor);
      }
    }
    return sortedRecord([...blended].map(([gram, count]) => [gram, round(count)]));
  };
  const tables = {
    monograms: blendTable("monograms"),
    bigrams: blendTable("bigrams"),
    skipgrams: blendTable("skipgrams"),
    trigrams: blendTable("trigrams"),
  };
  return {
    ...identity,
    sources: parts.flatMap(({ corpus, weight }) =>
      corpus.sources.map((source) => ({
        ...source,
        weight: ((source.weight ?? 1 / corpus.sources.length) * weight) / weightSum,
      })),
    ),
    normalization: first.corpus.normalization,
    totals: roundedTotals(tables),
    ...tables,
  };
}
