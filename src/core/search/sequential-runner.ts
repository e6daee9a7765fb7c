import type { ScoringModel } from "../scoring/model.ts";
import type { EpochRunner } from "./layout-search.ts";
import { type ReplicaState, runReplica } from "./replica.ts";

/** Runs every replica group in this thread, one after another: for tests, the browser, one core. */
export function sequentialRunner(model: ScoringModel): EpochRunner {
  return {
    async run(groups: ReplicaState[][], steps: number): Promise<ReplicaState[][]> {
      for (const group of groups) for (const replica of group) runReplica(model, replica, steps);
      return groups;
    },
  };
}
