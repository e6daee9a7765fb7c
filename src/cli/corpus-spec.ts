import type { Corpus } from "../core/corpus.ts";
import { blendCorpora, type WeightedCorpus } from "../core/corpus-blend.ts";
import { KeyForgeError } from "../core/errors.ts";
import { loadCorpus } from "../infra/system-data.ts";

/** "en.json:0.7" → the corpus reference and its weight (1 when none is given). */
export function parseCorpusWeight(spec: string): { ref: string; weight: number } {
  const match = /^(.*):([0-9.eE+-]+)$/.exec(spec);
  const ref = match ? (match[1] as string) : spec;
  const weight = match ? Number(match[2]) : 1;
  if (!(weight > 0) || !Number.isFinite(weight)) {
    throw new KeyForgeError(
      "CORPUS_BLEND_WEIGHT",
      `weight of ${ref} must be a positive number (got ${match?.[2]})`,
    );
  }
  return { ref, weight };
}

/** "en.json:0.7" → the corpus and its weight (1 when none is given). */
export async function weightedCorpus(spec: string): Promise<WeightedCorpus> {
  const { ref, weight } = parseCorpusWeight(spec);
  return { corpus: await loadCorpus(ref), weight };
}

/**
 * A corpus flag: one corpus ("en", "mine.json"), or a blend of several with weights
 * ("en:0.7,mine.json:0.3"), blended on the fly like `keyforge corpus blend`.
 */
export async function loadCorpusSpec(spec: string): Promise<Corpus> {
  const parts = spec.split(",").map((part) => part.trim());
  if (parts.length === 1 && !/:[0-9.eE+-]+$/.test(spec)) return loadCorpus(spec);
  const weighted = await Promise.all(parts.map(weightedCorpus));
  return blendCorpora(weighted, {
    id: weighted.map((p) => `${p.corpus.id}-${p.weight}`).join("+"),
    name: `Blend of ${weighted.map((p) => `${p.corpus.name} (${p.weight})`).join(", ")}`,
    description: "",
  });
}
