import { setPriority } from "node:os";
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

const { problem, niceness } = workerData as { problem: SearchProblem; niceness: number };
// The nice value is per thread on Linux: this lowers the search, not its process's other threads.
if (niceness !== 0) setPriority(niceness);

export default function advance(task: { group: ReplicaState[]; steps: number }): ReplicaState[] {
  model ??= compileSearchModel(problem);
  for (const replica of task.group) runReplica(model, replica, task.steps);
  return task.group;
}
