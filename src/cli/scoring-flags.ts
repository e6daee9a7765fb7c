import { type Command, InvalidArgumentError } from "commander";
import type { Board } from "../core/board.ts";
import type { Corpus } from "../core/corpus.ts";
import {
  DEFAULT_WEIGHTS_ID,
  overrideWeights,
  parseWeightOverride,
  type Weights,
} from "../core/scoring/weights.ts";
import { loadBoard, loadWeights } from "../infra/system-data.ts";
import { loadCorpusSpec } from "./corpus-spec.ts";

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
  /** The weights as a report names them: their id and the overrides applied to it. */
  readonly weightsLabel: string;
}

/** "balanced", or "balanced with sfb=20, trigramCoverage=0.95" when --weight changed them. */
export function weightsLabel(id: string, overrides: readonly string[]): string {
  if (overrides.length === 0) return id;
  const assignments = overrides
    .map(parseWeightOverride)
    .map(({ name, value }) => `${name}=${value}`);
  return `${id} with ${assignments.join(", ")}`;
}

/** --weight's values in order, each checked as name=number as it is read. */
function collectWeightOverride(value: string, previous: string[]): string[] {
  try {
    parseWeightOverride(value);
  } catch {
    throw new InvalidArgumentError("not name=number, e.g. sfb=20 or fingerCaps.pinky=7");
  }
  return [...previous, value];
}

/**
 * --weight name=value, repeatable: the scoring commands' and submit's (which names the weights
 * it overrides in the job instead of applying them here).
 */
export function withWeightFlag(command: Command): Command {
  return command.option(
    "--weight <name=value>",
    "override one weight or parameter (repeatable), e.g. sfb=20",
    collectWeightOverride,
    [],
  );
}

/** The flags every scoring command shares (analyze, compare, rank, optimize). */
export function withScoringFlags(command: Command): Command {
  return withWeightFlag(
    command
      .option("-b, --board <board>", "board id or file", "ansi")
      .option("-c, --corpus <corpus>", "corpus id or file, or a blend: en:0.7,mine.json:0.3", "en")
      .option(
        "-w, --weights <weights>",
        "weights id or file: a preset (balanced, low-sfb, rolls) or a weights file",
        DEFAULT_WEIGHTS_ID,
      ),
  ).option("--json", "print JSON instead of a report");
}

/** Board, corpus (or blend) and weights with the --weight overrides applied. */
export async function scoringContext(flags: ScoringFlags): Promise<ScoringContext> {
  const [board, corpus, weights] = await Promise.all([
    loadBoard(flags.board),
    loadCorpusSpec(flags.corpus),
    loadWeights(flags.weights),
  ]);
  return {
    board,
    corpus,
    weights: overrideWeights(weights, flags.weight),
    weightsLabel: weightsLabel(weights.id, flags.weight),
  };
}
