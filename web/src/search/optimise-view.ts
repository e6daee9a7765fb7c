import { type LayoutChoice, layoutFromParams, setLayoutParams } from "../analysis/analysis-view.ts";
import {
  DEFAULT_SCORING,
  type ScoringChoice,
  scoringFromParams,
  setScoringParams,
} from "../analysis/scoring-choice.ts";

/** How long a search runs: for a time, or for a number of proposals (which reproduces). */
export type BudgetChoice =
  | { readonly kind: "time"; readonly seconds: number }
  | { readonly kind: "steps"; readonly steps: number };

/**
 * What the Optimise page searches, all in the URL so a link poses the same search: the scoring
 * choice, the layout whose characters are arranged (and, with fromLayout, the arrangement every
 * replica starts from; otherwise each starts from its own shuffle, as `keyforge optimize`
 * without --from), the pinned characters, whether every key may move, the budget, the threads
 * and the seed (null: a new one each run).
 */
export interface OptimiseView extends ScoringChoice {
  readonly layout: LayoutChoice;
  readonly fromLayout: boolean;
  readonly pins: string;
  readonly allKeys: boolean;
  readonly budget: BudgetChoice;
  readonly threads: number;
  readonly seed: number | null;
}

export const MAX_THREADS = 32;
export const MAX_SECONDS = 24 * 3600;
export const MAX_STEPS = 1e12;
export const MAX_SEED = 2 ** 31 - 1;
const MAX_PINS = 200;

export const DEFAULT_OPTIMISE: OptimiseView = {
  ...DEFAULT_SCORING,
  layout: { kind: "builtin", name: "qwerty" },
  fromLayout: false,
  pins: "",
  allKeys: false,
  budget: { kind: "time", seconds: 30 },
  threads: 1,
  seed: null,
};

/** A whole number in [min, max] from a parameter, else null. */
function wholeParam(params: URLSearchParams, key: string, min: number, max: number) {
  const value = Number(params.get(key) ?? Number.NaN);
  return Number.isInteger(value) && value >= min && value <= max ? value : null;
}

export function optimiseToQuery(view: OptimiseView): string {
  const query = new URLSearchParams();
  setScoringParams(query, view);
  setLayoutParams(query, view.layout);
  if (view.fromLayout) query.set("from", "1");
  if (view.pins !== "") query.set("pin", view.pins);
  if (view.allKeys) query.set("all", "1");
  if (view.budget.kind === "time") query.set("time", `${view.budget.seconds}`);
  else query.set("steps", `${view.budget.steps}`);
  query.set("threads", `${view.threads}`);
  if (view.seed !== null) query.set("seed", `${view.seed}`);
  return query.toString();
}

/**
 * The search a query poses; anything missing or malformed takes its default (threads: the
 * given default, from the machine's cores), so an edited link still opens.
 */
export function optimiseFromQuery(query: string, defaultThreads: number): OptimiseView {
  const params = new URLSearchParams(query);
  const steps = wholeParam(params, "steps", 1, MAX_STEPS);
  const seconds = wholeParam(params, "time", 1, MAX_SECONDS);
  return {
    ...scoringFromParams(params),
    layout: layoutFromParams(params),
    fromLayout: params.get("from") === "1",
    pins: [...new Set(params.get("pin") ?? "")].slice(0, MAX_PINS).join(""),
    allKeys: params.get("all") === "1",
    budget:
      steps !== null
        ? { kind: "steps", steps }
        : seconds !== null
          ? { kind: "time", seconds }
          : DEFAULT_OPTIMISE.budget,
    threads: wholeParam(params, "threads", 1, MAX_THREADS) ?? defaultThreads,
    seed: wholeParam(params, "seed", 0, MAX_SEED),
  };
}

/** The pins with a character added, or taken out when it is already pinned. */
export function togglePin(pins: string, char: string): string {
  return pins.includes(char) ? [...pins].filter((c) => c !== char).join("") : pins + char;
}
