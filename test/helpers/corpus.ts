import { type Corpus, corpusFromTables } from "../../src/core/corpus.ts";
import { countDocuments } from "../../src/core/count-documents.ts";
import { DEFAULT_NORMALIZATION } from "../../src/core/text-normalization.ts";

/** Prose just long enough for a corpus that scores layouts (1,123 bigrams). */
export const ENOUGH_TEXT = "The quick brown fox jumps over the lazy dog. ".repeat(25);

/** A corpus of one short text, for tests. */
export function corpusOf(id: string, text: string): Corpus {
  return corpusFromTables(countDocuments([text], DEFAULT_NORMALIZATION), {
    id,
    name: id,
    description: "",
    sources: [{ name: id, licence: "CC0", provenance: "test" }],
    normalization: DEFAULT_NORMALIZATION,
  });
}
