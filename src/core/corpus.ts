import { z } from "zod";
import { assetIdSchema } from "./asset-id.ts";
import { type CorpusFiles, corpusFilesSchema } from "./corpus-files.ts";
import { checkCorpusSize } from "./corpus-size.ts";
import { failWithProblems, type Problem } from "./errors.ts";
import type { NgramTables } from "./ngram-counter.ts";
import type { NormalizationSettings } from "./text-normalization.ts";

export const CORPUS_FORMAT = "keyforge-corpus/1";

export const NGRAM_ORDERS = ["monograms", "bigrams", "skipgrams", "trigrams"] as const;
export type NgramOrder = (typeof NGRAM_ORDERS)[number];

const GRAM_LENGTH: Record<NgramOrder, number> = {
  monograms: 1,
  bigrams: 2,
  skipgrams: 2,
  trigrams: 3,
};

export interface CorpusSource {
  readonly name: string;
  readonly licence: string;
  /** Where the text came from and how it was processed. */
  readonly provenance: string;
  /** Share of the corpus taken from this source, for blends. */
  readonly weight?: number;
  /** The files `corpus build` read and left out; absent for other sources. */
  readonly files?: CorpusFiles;
}

export type NgramTotals = Record<NgramOrder, number>;

/** N-gram counts of real text, with where the text came from. */
export interface Corpus extends NgramTables {
  readonly id: string;
  readonly name: string;
  readonly description: string;
  readonly sources: readonly CorpusSource[];
  readonly normalization: NormalizationSettings;
  readonly totals: NgramTotals;
}

const count = z.number().nonnegative();
const table = z.record(z.string(), count);

const corpusSchema = z.object({
  format: z.literal(CORPUS_FORMAT),
  id: assetIdSchema.optional(),
  name: z.string().min(1),
  description: z.string().default(""),
  sources: z.array(
    z.object({
      name: z.string().min(1),
      licence: z.string().min(1),
      provenance: z.string().min(1),
      weight: z.number().positive().optional(),
      files: corpusFilesSchema.optional(),
    }),
  ),
  normalization: z.object({
    unicode: z.literal("NFC"),
    caseFold: z.boolean(),
    foldTypography: z.boolean(),
    paragraphBreak: z.enum(["space", "enter"]),
  }),
  totals: z.object({ monograms: count, bigrams: count, skipgrams: count, trigrams: count }),
  monograms: table,
  bigrams: table,
  skipgrams: table,
  trigrams: table,
});

export function tableTotal(counts: Record<string, number>): number {
  let total = 0;
  for (const key in counts) total += counts[key] as number;
  return total;
}

export function totalsOf(tables: NgramTables): NgramTotals {
  return {
    monograms: tableTotal(tables.monograms),
    bigrams: tableTotal(tables.bigrams),
    skipgrams: tableTotal(tables.skipgrams),
    trigrams: tableTotal(tables.trigrams),
  };
}

function consistencyProblems(corpus: z.infer<typeof corpusSchema>): Problem[] {
  const problems: Problem[] = [];
  for (const order of NGRAM_ORDERS) {
    const length = GRAM_LENGTH[order];
    for (const gram of Object.keys(corpus[order])) {
      if ([...gram].length !== length) {
        problems.push({
          code: "CORPUS_NGRAM_LENGTH",
          subject: `${order}.${JSON.stringify(gram)}`,
          message: `a ${order.slice(0, -1)} has ${length} character${length > 1 ? "s" : ""}`,
        });
        if (problems.length >= 20) return problems;
      }
    }
    const sum = tableTotal(corpus[order]);
    const declared = corpus.totals[order];
    if (Math.abs(sum - declared) > 1e-6 * Math.max(1, declared)) {
      problems.push({
        code: "CORPUS_TOTAL_MISMATCH",
        subject: `totals.${order}`,
        message: `declared ${declared}, but the ${order} add up to ${sum}`,
      });
    }
  }
  return problems;
}

/**
 * Checks a corpus file's content and returns the corpus; throws CORPUS_INVALID, or
 * CORPUS_TOO_SMALL for a well-formed corpus with too little text to score layouts.
 */
export function parseCorpus(data: unknown, fallbackId: string): Corpus {
  const what = `corpus ${fallbackId} is invalid`;
  const parsed = corpusSchema.safeParse(data);
  if (!parsed.success) {
    failWithProblems(
      "CORPUS_INVALID",
      what,
      parsed.error.issues.slice(0, 20).map((issue) => ({
        code: issue.path[0] === "format" ? "CORPUS_FORMAT_UNSUPPORTED" : "CORPUS_FIELD_INVALID",
        subject: issue.path.join("."),
        message:
          issue.path[0] === "format" ? `expected "format": "${CORPUS_FORMAT}"` : issue.message,
      })),
    );
  }
  const problems = consistencyProblems(parsed.data);
  if (problems.length > 0) failWithProblems("CORPUS_INVALID", what, problems);
  const { format: _format, id, ...rest } = parsed.data;
  checkCorpusSize(rest.totals, `corpus ${id ?? fallbackId}`);
  return { ...rest, id: id ?? fallbackId };
}

/** The corpus as its JSON file content, with the format tag first. */
export function corpusDocument(corpus: Corpus): Record<string, unknown> {
  return { format: CORPUS_FORMAT, ...corpus };
}

/** A corpus from freshly counted tables; totals are computed, never trusted from elsewhere. */
export function corpusFromTables(
  tables: NgramTables,
  about: Omit<Corpus, keyof NgramTables | "totals">,
): Corpus {
  return { ...about, totals: totalsOf(tables), ...tables };
}
