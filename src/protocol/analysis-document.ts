import { z } from "zod";
import type { Board } from "../core/board.ts";
import { FINGERS, HANDS } from "../core/board.ts";
import { formatLayout, type Layout } from "../core/layout.ts";
import type { LayoutAnalysis } from "../core/scoring/analysis.ts";
import { FINGER_SLOT_NAMES } from "../core/scoring/fingers.ts";
import { WEIGHTED_TERMS, type Weights } from "../core/scoring/weights.ts";

const percent = z.number().min(0).max(100);
const ngramShares = z.array(z.tuple([z.string().min(1), percent]));

/** One layout's analysis as `keyforge analyze --json` prints it (and the hive will serve it). */
export const analysisDocumentSchema = z.strictObject({
  layout: z.strictObject({ name: z.string(), text: z.string() }),
  board: z.string(),
  corpus: z.string(),
  weights: z.string(),
  score: z.number(),
  metrics: z.strictObject({
    sfb: percent,
    sfs: percent,
    sft: percent,
    lsb: percent,
    halfScissors: percent,
    fullScissors: percent,
    alternate: percent,
    altSfs: percent,
    rollIn: percent,
    rollOut: percent,
    onehandIn: percent,
    onehandOut: percent,
    redirect: percent,
    badRedirect: percent,
    thumb: percent,
    distance: z.number().min(0),
    effort: z.number().min(0),
    coverage: percent,
    handImbalance: z.number().min(0).max(50),
    fingerOverload: z.number().min(0),
  }),
  contributions: z.strictObject(
    Object.fromEntries(WEIGHTED_TERMS.map((term) => [term, z.number()])) as Record<
      (typeof WEIGHTED_TERMS)[number],
      z.ZodNumber
    >,
  ),
  usage: z.strictObject({
    fingers: z.strictObject(
      Object.fromEntries(FINGER_SLOT_NAMES.map((name) => [name, percent])) as Record<
        (typeof FINGER_SLOT_NAMES)[number],
        typeof percent
      >,
    ),
    hands: z.strictObject({ left: percent, right: percent }),
    rows: z.record(z.string(), percent),
  }),
  keys: z.array(
    z.strictObject({
      char: z.string().min(1),
      key: z.string(),
      hand: z.enum(HANDS),
      finger: z.enum(FINGERS),
      x: z.number(),
      y: z.number(),
    }),
  ),
  top: z.strictObject({
    sfb: ngramShares,
    sfs: ngramShares,
    lsb: ngramShares,
    scissors: ngramShares,
    redirect: ngramShares,
    badRedirect: ngramShares,
  }),
});

export type AnalysisDocument = z.infer<typeof analysisDocumentSchema>;

export interface AnalysisSubject {
  readonly board: Board;
  readonly layout: Layout;
  readonly corpusId: string;
  readonly weights: Weights;
  readonly analysis: LayoutAnalysis;
}

export function analysisDocument(subject: AnalysisSubject): AnalysisDocument {
  const { analysis } = subject;
  return {
    layout: { name: subject.layout.name, text: formatLayout(subject.layout, subject.board) },
    board: subject.board.id,
    corpus: subject.corpusId,
    weights: subject.weights.id,
    score: analysis.score,
    metrics: analysis.metrics,
    contributions: analysis.contributions,
    usage: analysis.usage,
    keys: analysis.keys,
    top: analysis.top,
  };
}
