import { type Command, Option } from "commander";
import type { SearchRequest } from "../core/search/search-request.ts";
import { parseDuration } from "./duration.ts";
import { nonNegativeNumber, wholeNumber } from "./flag-values.ts";

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
  place?: string;
  exclude?: string[];
  allKeys?: boolean;
  stayClose?: number;
  steps?: number;
  /** Milliseconds. */
  time?: number;
}

/** --exclude: key ids, comma-separated, the flag repeatable. */
function keyIds(value: string, previous: string[] = []): string[] {
  return [
    ...previous,
    ...value
      .split(",")
      .map((id) => id.trim())
      .filter(Boolean),
  ];
}

/**
 * The search flags `optimize` and `submit` share, declared once so that they are spelled and
 * parsed alike in both: --pin, --place, --exclude, --all-keys, --stay-close (the search request,
 * searchRequestOf), --steps and --time. (--weight is a scoring flag: scoring-flags.ts.)
 */
export function withSearchFlags(command: Command, budget: BudgetWording): Command {
  return command
    .option("--pin <chars>", "characters that stay where the start layout has them")
    .option("--place <chars>", "move only these characters; every other one stays")
    .addOption(
      new Option(
        "--exclude <keys>",
        "key ids whose content stays (comma-separated, or repeat the flag)",
      ).argParser(keyIds),
    )
    .option("--all-keys", "search every key, not only the board's 3x10 letter block")
    .option(
      "--stay-close <penalty>",
      "add this to the score for every character moved from its key in the start layout",
      nonNegativeNumber,
    )
    .option("--steps <n>", budget.steps, wholeNumber)
    .option("--time <duration>", budget.time, parseDuration);
}

/** The search request the flags pose: the same for a search here and for a hive job. */
export function searchRequestOf(flags: SearchFlags): SearchRequest {
  return {
    pins: flags.pin ?? "",
    allKeys: flags.allKeys === true,
    ...(flags.place !== undefined && { place: flags.place }),
    ...(flags.exclude !== undefined && { exclude: flags.exclude }),
    ...(flags.stayClose !== undefined && { stayClose: flags.stayClose }),
  };
}
