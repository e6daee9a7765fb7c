import { METRIC_KEYS, type MetricKey } from "../../../src/core/scoring/metric-catalogue.ts";
import {
  DEFAULT_SCORING,
  NAME,
  type ScoringChoice,
  scoringFromParams,
  setScoringParams,
} from "./scoring-choice.ts";

export type SortKey = "score" | MetricKey;

/** What the Compare page shows: the scoring choice, the sort, and up to two layouts picked. */
export interface CompareView extends ScoringChoice {
  readonly sort: SortKey;
  readonly descending: boolean;
  readonly picked: readonly string[];
}

export const DEFAULT_COMPARE: CompareView = {
  ...DEFAULT_SCORING,
  sort: "score",
  descending: false,
  picked: [],
};

export function compareToQuery(view: CompareView): string {
  const query = new URLSearchParams();
  setScoringParams(query, view);
  query.set("sort", view.sort);
  if (view.descending) query.set("desc", "1");
  if (view.picked.length > 0) query.set("pick", view.picked.join(","));
  return query.toString();
}

export function compareFromQuery(query: string): CompareView {
  const params = new URLSearchParams(query);
  const sort = params.get("sort");
  return {
    ...scoringFromParams(params),
    sort:
      sort !== null && (METRIC_KEYS as readonly string[]).includes(sort)
        ? (sort as MetricKey)
        : "score",
    descending: params.get("desc") === "1",
    picked: (params.get("pick") ?? "")
      .split(",")
      .filter((name) => NAME.test(name))
      .slice(0, 2),
  };
}

/** Picking a layout adds it (the older of two picks goes); picking it again drops it. */
export function togglePick(picked: readonly string[], name: string): string[] {
  if (picked.includes(name)) return picked.filter((p) => p !== name);
  return [...picked, name].slice(-2);
}
