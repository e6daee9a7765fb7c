import { workerData } from "node:worker_threads";
import type { ScoringModel } from "../../core/scoring/model.ts";
import { type ReplicaState, runReplica } from "../../core/search/replica.ts";
import { compileSearchModel, type SearchProblem } from "../../core/search/search-problem.ts";

/**
 * Each worker thread compiles the problem once, on its first task (so a failure becomes that
 * task's error instead of a worker that never starts), then advances the replica groups it is
 * given.
 */
let model: ScoringModel | undefined;

export default function advance(task: { group: ReplicaState[]; steps: number }): ReplicaState[] {
  model ??= compileSearchModel((workerData as { problem: SearchProblem }).problem);
  for (const replica of task.group) runReplica(model, replica, task.steps);
  return task.group;
}
