import type { JobContent } from "../../../src/protocol/job-messages.ts";
import type { ScoringChoice } from "../analysis/scoring-choice.ts";

/** A published asset's id from its path: "boards/corne.json" → "corne". */
function idOf(path: string): string {
  return path.replace(/^.*\//, "").replace(/\.json$/, "");
}

/**
 * The scoring choice a job's content names, for the page to analyse the job's layouts as the
 * Analyse page does: its board, corpora (a blend when there are several) and weights with their
 * overrides. Null for a job with an inline board or weights, which no library holds.
 */
export function scoringChoiceOfJob(content: JobContent): ScoringChoice | null {
  if ("inline" in content.board || "inline" in content.weights) return null;
  const [only] = content.corpora;
  const corpus =
    content.corpora.length === 1 && only
      ? idOf(only.path)
      : content.corpora.map((entry) => `${idOf(entry.path)}:${entry.weight}`).join(",");
  return {
    board: idOf(content.board.path),
    corpus,
    weights: idOf(content.weights.path),
    overrides: content.weightOverrides,
  };
}
