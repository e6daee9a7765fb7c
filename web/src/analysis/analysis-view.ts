import type { Swap } from "./edit-history.ts";
import {
  DEFAULT_SCORING,
  namedParam,
  type ScoringChoice,
  scoringFromParams,
  setScoringParams,
} from "./scoring-choice.ts";

/**
 * What the Analyse page shows. All of it lives in the URL, so a link reproduces the view: the
 * scoring choice, the layout it started from (a built-in name, or layout text typed in) and the
 * swaps made since.
 */
export interface AnalysisView extends ScoringChoice {
  readonly layout: LayoutChoice;
  readonly swaps: readonly Swap[];
}

export type LayoutChoice =
  | { readonly kind: "builtin"; readonly name: string }
  | { readonly kind: "text"; readonly text: string };

export const DEFAULT_VIEW: AnalysisView = {
  ...DEFAULT_SCORING,
  layout: { kind: "builtin", name: "qwerty" },
  swaps: [],
};

const MAX_SWAPS = 10_000;

/** Query parameters of a view: the scoring choice, l layout name or t layout text, s swaps. */
export function viewToQuery(view: AnalysisView): string {
  const query = new URLSearchParams();
  setScoringParams(query, view);
  setLayoutParams(query, view.layout);
  if (view.swaps.length > 0) query.set("s", view.swaps.map(({ a, b }) => `${a}-${b}`).join("."));
  return query.toString();
}

/** A layout choice in the URL: l for a built-in layout's name, t for layout text. */
export function setLayoutParams(params: URLSearchParams, layout: LayoutChoice): void {
  if (layout.kind === "builtin") params.set("l", layout.name);
  else params.set("t", layout.text);
}

/** The layout choice of the parameters: text when t has some, else l's name, else qwerty. */
export function layoutFromParams(params: URLSearchParams): LayoutChoice {
  const text = params.get("t");
  return text !== null && text.trim() !== ""
    ? { kind: "text", text }
    : { kind: "builtin", name: namedParam(params, "l", "qwerty") };
}

function swapsOf(text: string | null): Swap[] {
  if (!text) return [];
  const swaps: Swap[] = [];
  for (const pair of text.split(".").slice(0, MAX_SWAPS)) {
    const match = /^(\d{1,4})-(\d{1,4})$/.exec(pair);
    if (match) swaps.push({ a: Number(match[1]), b: Number(match[2]) });
  }
  return swaps;
}

/**
 * The view a query describes. Anything missing or malformed takes the default, so an old or
 * hand-edited link still opens; whether the named board, layout or corpus exists is checked
 * when they are loaded.
 */
export function viewFromQuery(query: string): AnalysisView {
  const params = new URLSearchParams(query);
  return {
    ...scoringFromParams(params),
    layout: layoutFromParams(params),
    swaps: swapsOf(params.get("s")),
  };
}
