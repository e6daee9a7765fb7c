import { extname } from "node:path";
import { fileURLToPath } from "node:url";
import { Piscina } from "piscina";
import { KeyForgeError } from "../../core/errors.ts";
import type { EpochRunner } from "../../core/search/layout-search.ts";
import type { ReplicaState } from "../../core/search/replica.ts";
import type { SearchProblem } from "../../core/search/search-problem.ts";

/** The worker module next to this one, as .ts under tsx and .js once built. */
const WORKER = new URL(
  `./search-worker${extname(fileURLToPath(import.meta.url))}`,
  import.meta.url,
);

/** The nice value of searches that give way to everything else on the machine. */
export const LOW_PRIORITY_NICENESS = 19;

/**
 * Runs each replica group of an epoch on its own worker thread (a piscina pool of `threads`
 * workers, each holding the compiled problem). A worker that fails or dies fails the search
 * with SEARCH_WORKER_FAILED instead of leaving it waiting. `niceness` (Linux nice value, 0 to
 * 19) lowers the workers' CPU priority, and theirs only.
 */
export function threadRunner(
  problem: SearchProblem,
  threads: number,
  niceness = 0,
): EpochRunner & { close(): Promise<void> } {
  const pool = new Piscina({
    filename: WORKER.href,
    workerData: { problem, niceness },
    minThreads: 0,
    maxThreads: threads,
    idleTimeout: Number.POSITIVE_INFINITY,
  });
  return {
    async run(groups: ReplicaState[][], steps: number): Promise<ReplicaState[][]> {
      try {
        return await Promise.all(
          groups.map((group) => pool.run({ group, steps }) as Promise<ReplicaState[]>),
        );
      } catch (error) {
        throw new KeyForgeError(
          "SEARCH_WORKER_FAILED",
          `a search thread failed: ${(error as Error).message}`,
        );
      }
    },
    close: () => pool.destroy(),
  };
}
