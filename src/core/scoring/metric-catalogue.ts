import { BALANCE } from "./metrics/balance.ts";
import { EFFORT_AND_DISTANCE } from "./metrics/effort-and-distance.ts";
import { SAME_FINGER } from "./metrics/same-finger.ts";
import { STRETCHES_AND_SCISSORS } from "./metrics/stretches.ts";
import { TRIGRAM_FLOW } from "./metrics/trigram-flow.ts";

/**
 * Every metric, stated once by its family (metrics/*.ts), in report order. The weights format,
 * the protocol's schemas, the reports and the docs' metric table are derived from this list.
 */
export const METRIC_FAMILIES = [
  SAME_FINGER,
  STRETCHES_AND_SCISSORS,
  TRIGRAM_FLOW,
  EFFORT_AND_DISTANCE,
  BALANCE,
] as const;

export const METRICS = [
  ...SAME_FINGER.metrics,
  ...STRETCHES_AND_SCISSORS.metrics,
  ...TRIGRAM_FLOW.metrics,
  ...EFFORT_AND_DISTANCE.metrics,
  ...BALANCE.metrics,
] as const;

type Metric = (typeof METRICS)[number];
export type MetricKey = Metric["key"];
/** The metrics the score weighs: its terms. */
export type WeightedTerm = Extract<Metric, { weighted: true }>["key"];

/** The worst-n-gram lists of an analysis's `top`. */
export type WorstListId = Extract<Metric, { worst: unknown }>["worst"]["id"];

/** Every metric of a layout, by key (units as the catalogue states them). */
export type Metrics = Readonly<Record<MetricKey, number>>;

export const METRIC_KEYS: readonly MetricKey[] = METRICS.map((m) => m.key);

export const WEIGHTED_TERMS: readonly WeightedTerm[] = METRICS.flatMap((m) =>
  m.weighted ? [m.key] : [],
);

/** The worst-n-gram lists the metrics feed, in catalogue order, each once. */
export const WORST_LISTS: readonly { readonly id: WorstListId; readonly title: string }[] = [
  ...new Map(
    METRICS.flatMap((m) => ("worst" in m ? [[m.worst.id, m.worst] as const] : [])),
  ).values(),
];

/** The metrics one-line summaries show (optimize's results, rank's table), with their short labels. */
export const HEADLINE_METRICS = METRICS.flatMap((m) =>
  "headline" in m ? [{ key: m.key, headline: m.headline, unit: m.unit }] : [],
);
