import { NgramCounter, type NgramTables } from "./ngram-counter.ts";
import { type NormalizationSettings, TextNormalizer } from "./text-normalization.ts";

/**
 * Counts the n-grams of in-memory texts, each one a document of its own: the normaliser is
 * ended and the counter told after every text, so no n-gram spans two of them.
 */
export function countDocuments(
  texts: Iterable<string>,
  settings: NormalizationSettings,
): NgramTables {
  const normalizer = new TextNormalizer(settings);
  const counter = new NgramCounter();
  for (const text of texts) {
    normalizer.push(text, counter.add);
    normalizer.end(counter.add);
    counter.endDocument();
  }
  return counter.tables();
}
