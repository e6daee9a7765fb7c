import { type Corpus, corpusFromTables } from "../../src/core/corpus.ts";
import { NgramCounter } from "../../src/core/ngram-counter.ts";
import { DEFAULT_NORMALIZATION, TextNormalizer } from "../../src/core/text-normalization.ts";

/** A corpus of one short text, for tests. */
export function corpusOf(id: string, text: string): Corpus {
  const normalizer = new TextNormalizer();
  const counter = new NgramCounter();
  normalizer.push(text, counter.add);
  normalizer.end(counter.add);
  return corpusFromTables(counter.tables(), {
    id,
    name: id,
    description: "",
    sources: [{ name: id, licence: "CC0", provenance: "test" }],
    normalization: DEFAULT_NORMALIZATION,
  });
}
