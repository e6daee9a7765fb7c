import { useEffect, useState } from "preact/hooks";
import type { Board } from "../../../src/core/board.ts";
import type { Corpus } from "../../../src/core/corpus.ts";
import type { Layout } from "../../../src/core/layout.ts";
import type { Weights } from "../../../src/core/scoring/weights.ts";
import type { LayoutChoice } from "../analysis/analysis-view.ts";
import { LayoutScoring } from "../analysis/scored-layout.ts";
import { type ScoringChoice, scoringKey } from "../analysis/scoring-choice.ts";
import { messageOf } from "../error-message.ts";
import type { AssetLibrary } from "./asset-library.ts";

/** A scoring choice and a layout, loaded and compiled: what the Analyse and Optimise pages show. */
export interface LayoutSetup {
  readonly board: Board;
  readonly corpus: Corpus;
  readonly start: Layout;
  readonly weights: Weights;
  /** The weights as published, before the overrides. */
  readonly preset: Weights;
  readonly scoring: LayoutScoring;
}

type SetupChoice = ScoringChoice & { readonly layout: LayoutChoice };

async function loadLayoutSetup(library: AssetLibrary, choice: SetupChoice): Promise<LayoutSetup> {
  const { board, corpus, weights, preset } = await library.scoringInputs(choice);
  const start = await library.chosenLayout(choice.layout, board);
  return {
    board,
    corpus,
    start,
    weights,
    preset,
    scoring: new LayoutScoring(board, corpus, weights, start),
  };
}

/**
 * The setup of a choice, loaded again whenever the board, corpus, weights or layout change (and
 * only then); the last load's failure as a message. A load overtaken by a newer one is dropped.
 */
export function useLayoutSetup(
  library: AssetLibrary,
  choice: SetupChoice,
): { setup: LayoutSetup | null; error: string | null } {
  const [setup, setSetup] = useState<LayoutSetup | null>(null);
  const [error, setError] = useState<string | null>(null);
  const source = `${scoringKey(choice)}|${JSON.stringify(choice.layout)}`;
  useEffect(() => {
    let current = true;
    setError(null);
    loadLayoutSetup(library, choice).then(
      (loaded) => current && setSetup(loaded),
      (e) => current && setError(messageOf(e)),
    );
    return () => {
      current = false;
    };
  }, [library, source]);
  return { setup, error };
}
