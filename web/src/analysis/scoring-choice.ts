import { DEFAULT_WEIGHTS_ID } from "../../../src/core/scoring/weights.ts";

/**
 * What every page scores against: a board, a corpus (an id or a blend, "en:0.7,de:0.3") and the
 * weights with their overrides. In the URL as b, c, w and o ("sfb=20,fingerCaps.pinky=7").
 */
export interface ScoringChoice {
  readonly board: string;
  readonly corpus: string;
  readonly weights: string;
  readonly overrides: Readonly<Record<string, number>>;
}

export const DEFAULT_SCORING: ScoringChoice = {
  board: "ansi",
  corpus: "en",
  weights: DEFAULT_WEIGHTS_ID,
  overrides: {},
};

export const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;
const CORPUS_SPEC = /^[A-Za-z0-9][A-Za-z0-9._:,-]{0,499}$/;

/** A parameter's value when it matches the pattern, else the fallback. */
export function namedParam(
  params: URLSearchParams,
  key: string,
  fallback: string,
  pattern = NAME,
): string {
  const value = params.get(key);
  return value !== null && pattern.test(value) ? value : fallback;
}

export function setScoringParams(params: URLSearchParams, choice: ScoringChoice): void {
  params.set("b", choice.board);
  params.set("c", choice.corpus);
  params.set("w", choice.weights);
  const overrides = Object.entries(choice.overrides);
  if (overrides.length > 0) {
    params.set("o", overrides.map(([name, value]) => `${name}=${value}`).join(","));
  }
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

/** The choice the parameters describe; anything missing or malformed takes the default. */
export function scoringFromParams(params: URLSearchParams): ScoringChoice {
  return {
    board: namedParam(params, "b", DEFAULT_SCORING.board),
    corpus: namedParam(params, "c", DEFAULT_SCORING.corpus, CORPUS_SPEC),
    weights: namedParam(params, "w", DEFAULT_SCORING.weights),
    overrides: overridesOf(params.get("o")),
  };
}

/** The scoring choice of a page's view, without the rest of the view. */
export function scoringOf(view: ScoringChoice): ScoringChoice {
  return {
    board: view.board,
    corpus: view.corpus,
    weights: view.weights,
    overrides: view.overrides,
  };
}

/** The same choice, for a cache key or an effect's dependency. */
export function scoringKey(choice: ScoringChoice): string {
  return JSON.stringify([choice.board, choice.corpus, choice.weights, choice.overrides]);
}
