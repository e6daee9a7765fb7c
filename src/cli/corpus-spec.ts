import type { Corpus } from "../core/corpus.ts";
import type { WeightedCorpus } from "../core/corpus-blend.ts";
import { corpusOfSpec, parseCorpusWeight } from "../core/corpus-spec.ts";
import { loadCorpus } from "../infra/system-data.ts";

/** "en.json:0.7" → the corpus and its weight (1 when none is given). */
export async function weightedCorpus(spec: string): Promise<WeightedCorpus> {
  const { ref, weight } = parseCorpusWeight(spec);
  return { corpus: await loadCorpus(ref), weight };
}

/** A --corpus flag: a built-in id or file, or a blend ("en:0.7,mine.json:0.3"). */
export function loadCorpusSpec(spec: string): Promise<Corpus> {
  return corpusOfSpec(spec, loadCorpus);
}
