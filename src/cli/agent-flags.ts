import { availableParallelism } from "node:os";
import { KeyForgeError } from "../core/errors.ts";
import { LOW_PRIORITY_NICENESS } from "../infra/search/thread-runner.ts";

/** The --priority flag of the commands that run an agent. */
export const PRIORITY_FLAG = [
  "--priority <level>",
  "CPU priority of the search threads: low (nice 19) or normal",
  "low",
] as const;

/** One worker thread per core but one, left to the machine's owner; at least one. */
export function defaultThreads(): number {
  return Math.max(1, availableParallelism() - 1);
}

/** The search threads' nice value for --priority. */
export function nicenessOf(priority: string): number {
  if (priority === "low") return LOW_PRIORITY_NICENESS;
  if (priority === "normal") return 0;
  throw new KeyForgeError("FLAG_INVALID", `--priority must be low or normal (got "${priority}")`);
}
