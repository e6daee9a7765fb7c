import { DEFAULT_WEIGHTS_ID } from "../../../src/core/scoring/weights.ts";
import type { Swap } from "./edit-history.ts";

/**
 * What the Analyse page shows. All of it lives in the URL, so a link reproduces the view: the
 * board, the layout it started from (a built-in name, or layout text typed in), the swaps made
 * since, the corpus (an id or a blend, "en:0.7,de:0.3") and the weights with their overrides.
 */
export interface AnalysisView {
  readonly board: string;
  readonly layout: LayoutChoice;
  readonly swaps: readonly Swap[];
  readonly corpus: string;
  readonly weights: string;
  readonly overrides: Readonly<Record<string, number>>;
}

export type LayoutChoice =
  | { readonly kind: "builtin"; readonly name: string }
  | { readonly kind: "text"; readonly text: string };

export const DEFAULT_VIEW: AnalysisView = {
  board: "ansi",
  layout: { kind: "builtin", name: "qwerty" },
  swaps: [],
  corpus: "en",
  weights: DEFAULT_WEIGHTS_ID,
  overrides: {},
};

/** Query parameters of a view: b board, l layout name or t layout text, s swaps, c, w, o. */
export function viewToQuery(view: AnalysisView): string {
  const query = new URLSearchParams();
  query.set("b", view.board);
  if (view.layout.kind === "builtin") query.set("l", view.layout.name);
  else query.set("t", view.layout.text);
  if (view.swaps.length > 0) query.set("s", view.swaps.map(({ a, b }) => `${a}-${b}`).join("."));
  query.set("c", view.corpus);
  query.set("w", view.weights);
  const overrides = Object.entries(view.overrides);
  if (overrides.length > 0) {
    query.set("o", overrides.map(([name, value]) => `${name}=${value}`).join(","));
  }
  return query.toString();
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;
const CORPUS_SPEC = /^[A-Za-z0-9][A-Za-z0-9._:,-]{0,499}$/;
const MAX_SWAPS = 10_000;

function swapsOf(text: string | null): Swap[] {
  if (!text) return [];
  const swaps: Swap[] = [];
  for (const pair of text.split(".").slice(0, MAX_SWAPS)) {
    const match = /^(\d{1,4})-(\d{1,4})$/.exec(pair);
    if (match) swaps.push({ a: Number(match[1]), b: Number(match[2]) });
  }
  return swaps;
}

function overridesOf(text: string | null): Record<string, number> {
  const overrides: Record<string, number> = {};
  for (const assignment of (text ?? "").split(",")) {
    const match = /^([A-Za-z.]{1,64})=(.+)$/.exec(assignment);
    const value = Number(match?.[2]);
    if (match && Number.isFinite(value)) overrides[match[1] as string] = value;
  }
  return overrides;
}

/**
 * The view a query describes. Anything missing or malformed takes the default, so an old or
 * hand-edited link still opens; whether the named board, layout or corpus exists is checked
 * when they are loaded.
 */
export function viewFromQuery(query: string): AnalysisView {
  const params = new URLSearchParams(query);
  const named = (key: string, fallback: string, pattern = NAME) => {
    const value = params.get(key);
    return value !== null && pattern.test(value) ? value : fallback;
  };
  const text = params.get("t");
  return {
    board: named("b", DEFAULT_VIEW.board),
    layout:
      text !== null && text.trim() !== ""
        ? { kind: "text", text }
        : { kind: "builtin", name: named("l", "qwerty") },
    swaps: swapsOf(params.get("s")),
    corpus: named("c", DEFAULT_VIEW.corpus, CORPUS_SPEC),
    weights: named("w", DEFAULT_VIEW.weights),
    overrides: overridesOf(params.get("o")),
  };
}
