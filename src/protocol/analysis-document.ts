import { z } from "zod";
import type { Board } from "../core/board.ts";
import { FINGERS, HANDS } from "../core/board.ts";
import { formatLayout, type Layout } from "../core/layout.ts";
import type { LayoutAnalysis } from "../core/scoring/analysis.ts";
import { FINGER_SLOT_NAMES } from "../core/scoring/fingers.ts";
import { WORST_LISTS, type WorstListId } from "../core/scoring/metric-catalogue.ts";
import type { Weights } from "../core/scoring/weights.ts";
import { contributionsSchema, metricsSchema } from "./metrics-schema.ts";

const percent = z.number().min(0).max(100);
const ngramShares = z.array(z.tuple([z.string().min(1), percent]));

/** One layout's analysis as `keyforge analyze --json` prints it (and the hive will serve it). */
export const analysisDocumentSchema = z.strictObject({
  layout: z
    .strictObject({ name: z.string(), text: z.string() })
    .describe(
      "The layout analysed: its name and its layout text on the board (one line per board row).",
    ),
  board: z.string().describe("Board id."),
  corpus: z.string().describe("Corpus id."),
  weights: z.string().describe("Weights id."),
  score: z
    .number()
    .describe("Weighted sum of the metrics; lower is better. Equals the sum of contributions."),
  metrics: metricsSchema.describe(
    "Every metric (docs/metrics.md). Shares are percentages 0-100 of the n-grams of their order whose characters are all on the layout; distance in key units and effort per keystroke.",
  ),
  contributions: contributionsSchema.describe(
    "What each weighted term adds to the score: weight times metric.",
  ),
  usage: z
    .strictObject({
      fingers: z.strictObject(
        Object.fromEntries(FINGER_SLOT_NAMES.map((name) => [name, percent])) as Record<
          (typeof FINGER_SLOT_NAMES)[number],
          typeof percent
        >,
      ),
      hands: z.strictObject({ left: percent, right: percent }),
      rows: z.record(z.string(), percent),
    })
    .describe("Percent of keystrokes per finger (ten slots), per hand and per board row label."),
  keys: z
    .array(
      z.strictObject({
        char: z.string().min(1),
        key: z.string(),
        hand: z.enum(HANDS),
        finger: z.enum(FINGERS),
        x: z.number(),
        y: z.number(),
      }),
    )
    .describe(
      "Every character on the layout: its key id, hand, finger and key centre (key units).",
    ),
  top: z
    .strictObject(
      Object.fromEntries(WORST_LISTS.map((list) => [list.id, ngramShares])) as Record<
        WorstListId,
        typeof ngramShares
      >,
    )
    .describe(
      "The most frequent offending n-grams of each kind, as [n-gram, percent] pairs, most frequent first.",
    ),
  shift: z
    .strictObject({ usage: percent, sameFinger: percent })
    .optional()
    .describe(
      "On a board with Shift keys: percent of keystrokes typed with Shift held, and percent whose Shift press falls on the key's own finger (docs/formats/layout.md, the Shift layer).",
    ),
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
    ...(analysis.shift && { shift: analysis.shift }),
  };
}
