import { z } from "zod";
import {
  METRICS,
  type MetricKey,
  WEIGHTED_TERMS,
  type WeightedTerm,
} from "../core/scoring/metric-catalogue.ts";

const UNIT_TEXT = {
  "%": "percent",
  u: "key units per keystroke",
  pts: "percentage points",
  "": "per keystroke",
} as const;

/** Every metric of a layout (core/scoring/metric-catalogue.ts), as `keyforge analyze` reports them. */
export const metricsSchema = z.strictObject(
  Object.fromEntries(
    METRICS.map((metric) => {
      const bounded = z.number().min(0);
      return [
        metric.key,
        ("max" in metric ? bounded.max(metric.max) : bounded).describe(
          `${metric.doc} (${UNIT_TEXT[metric.unit]}; docs/metrics.md)`,
        ),
      ];
    }),
  ) as Record<MetricKey, z.ZodNumber>,
);

/** What each weighted term adds to a score: its weight times its metric. */
export const contributionsSchema = z.strictObject(
  Object.fromEntries(WEIGHTED_TERMS.map((term) => [term, z.number()])) as Record<
    WeightedTerm,
    z.ZodNumber
  >,
);
