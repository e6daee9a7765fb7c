import type { Corpus } from "./corpus.ts";
import { blendCorpora } from "./corpus-blend.ts";
import { KeyForgeError } from "./errors.ts";

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

/**
 * A corpus choice: one corpus ("en", "mine.json"), or a blend of several with weights
 * ("en:0.7,mine.json:0.3"), blended on the fly like `keyforge corpus blend`. `load` reads one
 * corpus by reference: from files on the command line, from the assets gateway in the browser.
 */
export async function corpusOfSpec(
  spec: string,
  load: (ref: string) => Promise<Corpus>,
): Promise<Corpus> {
  const parts = spec.split(",").map((part) => part.trim());
  if (parts.length === 1 && !/:[0-9.eE+-]+$/.test(spec)) return load(spec);
  const weighted = await Promise.all(
    parts.map(async (part) => {
      const { ref, weight } = parseCorpusWeight(part);
      return { corpus: await load(ref), weight };
    }),
  );
  return blendCorpora(weighted, {
    id: weighted.map((p) => `${p.corpus.id}-${p.weight}`).join("+"),
    name: `Blend of ${weighted.map((p) => `${p.corpus.name} (${p.weight})`).join(", ")}`,
    description: "",
  });
}
