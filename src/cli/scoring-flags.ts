import type { Command } from "commander";
import type { Board } from "../core/board.ts";
import type { Corpus } from "../core/corpus.ts";
import { overrideWeights, type Weights } from "../core/scoring/weights.ts";
import { loadBoard, loadWeights } from "../infra/system-data.ts";
import { loadCorpusSpec } from "./corpus-spec.ts";
import { collect } from "./flag-values.ts";

export interface ScoringFlags {
  board: string;
  corpus: string;
  weights: string;
  weight: string[];
  json?: boolean;
}

export interface ScoringContext {
  readonly board: Board;
  readonly corpus: Corpus;
  readonly weights: Weights;
}

/** The flags every scoring command shares (analyze, compare, rank, optimize). */
export function withScoringFlags(command: Command): Command {
  return command
    .option("-b, --board <board>", "board id or file", "ansi")
    .option("-c, --corpus <corpus>", "corpus id or file, or a blend: en:0.7,mine.json:0.3", "en")
    .option("-w, --weights <weights>", "weights id or file", "default")
    .option(
      "--weight <name=value>",
      "override one weight or parameter (repeatable), e.g. sfb=20",
      collect,
      [],
    )
    .option("--json", "print JSON instead of a report");
}

/** Board, corpus (or blend) and weights with the --weight overrides applied. */
export async function scoringContext(flags: ScoringFlags): Promise<ScoringContext> {
  const [board, corpus, weights] = await Promise.all([
    loadBoard(flags.board),
    loadCorpusSpec(flags.corpus),
    loadWeights(flags.weights),
  ]);
  return { board, corpus, weights: overrideWeights(weights, flags.weight) };
}
