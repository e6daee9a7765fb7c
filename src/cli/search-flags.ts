import type { Command } from "commander";
import { parseDuration } from "./duration.ts";
import { wholeNumber } from "./flag-values.ts";

/**
 * What the budget flags mean in one command: optimize counts steps and time over its whole
 * search, a hive job per unit. The flags themselves are the same.
 */
export interface BudgetWording {
  readonly steps: string;
  readonly time: string;
}

export interface SearchFlags {
  pin?: string;
  allKeys?: boolean;
  steps?: number;
  /** Milliseconds. */
  time?: number;
}

/**
 * The search flags `optimize` and `submit` share, declared once so that they are spelled and
 * parsed alike in both: --pin, --all-keys, --steps and --time. (--weight is a scoring flag:
 * scoring-flags.ts.)
 */
export function withSearchFlags(command: Command, budget: BudgetWording): Command {
  return command
    .option("--pin <chars>", "characters that stay where the start layout has them")
    .option("--all-keys", "search every key, not only the board's 3x10 letter block")
    .option("--steps <n>", budget.steps, wholeNumber)
    .option("--time <duration>", budget.time, parseDuration);
}
