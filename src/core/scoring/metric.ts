import type { Board } from "../board.ts";
import type { KeyTable } from "./key-pairs.ts";
import type { ModelTotals } from "./model.ts";
import type { MetricParameters } from "./weights.ts";

/** How a metric's value reads: a percentage, key widths (u), percentage points, or a plain number. */
export type MetricUnit = "%" | "u" | "pts" | "";

/** A list of the most frequent n-grams a metric counts, shown as "worst …" in reports. */
export interface WorstList {
  /** Key of the list in an analysis's `top`; metrics may share a list (half and full scissors). */
  readonly id: string;
  readonly title: string;
}

interface MetricCommon {
  /** Name in JSON, weights files and `--weight`. */
  readonly key: string;
  /** Row label in reports; an indented label reads as "part of the row above". */
  readonly label: string;
  /** Short label in one-line summaries (optimize's progress and results); none: not shown there. */
  readonly headline?: string;
  readonly unit: MetricUnit;
  /** Whether the score weighs it; an unweighted metric is only reported. */
  readonly weighted: boolean;
  /** Largest value it can take, where it has one (percentages: 100). */
  readonly max?: number;
  /** What it counts, for people: the docs' metric table and the JSON schemas. */
  readonly doc: string;
  readonly worst?: WorstList;
}

/**
 * A share of bigrams (i, i+1) or skipgrams (i, i+2), or an amount per bigram (travel), decided by
 * the two keys pressed in order. `perPair` is 0 for a pair the metric does not count.
 */
export interface PairMetric extends MetricCommon {
  readonly counts: "bigrams" | "skipgrams";
  readonly perPair: (keys: KeyTable, a: number, b: number, params: MetricParameters) => number;
}

/**
 * A share of trigrams, decided by the finger slots of the three keys and which of them are the
 * same key (the same-key pattern bits of trigram-classes.ts).
 */
export interface TrigramMetric extends MetricCommon {
  readonly counts: "trigrams";
  readonly perTrigram: (s1: number, s2: number, s3: number, pattern: number) => number;
}

/** An amount per keystroke, decided by the key pressed. */
export interface KeystrokeMetric extends MetricCommon {
  readonly counts: "keystrokes";
  readonly perKey: (board: Board, keys: KeyTable, k: number, params: MetricParameters) => number;
}

/**
 * A function of how the keystrokes spread over the ten finger slots (load: shares 0–1; cap: each
 * slot's cap, 0–1). Not linear in the n-grams: the scorer updates these terms on its own.
 */
export interface FingerLoadMetric extends MetricCommon {
  readonly counts: "finger load";
  readonly ofLoad: (load: Float64Array, cap: Float64Array) => number;
}

/** A property of the layout against the whole corpus (never weighted). */
export interface CorpusMetric extends MetricCommon {
  readonly counts: "corpus";
  readonly weighted: false;
  readonly ofTotals: (totals: ModelTotals) => number;
}

export type MetricDefinition =
  | PairMetric
  | TrigramMetric
  | KeystrokeMetric
  | FingerLoadMetric
  | CorpusMetric;

/** Metrics that belong together, with the module that states and computes them. */
export interface MetricFamily {
  readonly name: string;
  readonly doc: string;
  readonly metrics: readonly MetricDefinition[];
}

/** Percentages are stored as shares (0–1): a metric's value is this times its sum. */
export function unitScale(unit: MetricUnit): number {
  return unit === "%" ? 100 : 1;
}

/** A metric's value as reports show it: 2.31%, 0.318 u, 4.00 pts, 1.575. */
export function formatMetric(value: number, unit: MetricUnit): string {
  if (unit === "%") return `${value.toFixed(2)}%`;
  if (unit === "u") return `${value.toFixed(3)} u`;
  if (unit === "pts") return `${value.toFixed(2)} pts`;
  return value.toFixed(3);
}
