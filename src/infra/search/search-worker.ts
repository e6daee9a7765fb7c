import { workerData } from "node:worker_threads";
import { type ReplicaState, runReplica } from "../../core/search/replica.ts";
import { compileSearchModel, type SearchProblem } from "../../core/search/search-problem.ts";

/** Each worker thread compiles the problem once, then advances the replica groups it is given. */
const model = compileSearchModel((workerData as { problem: SearchProblem }).problem);

export default function advance(task: { group: ReplicaState[]; steps: number }): ReplicaState[] {
  for (const replica of task.group) runReplica(model, replica, task.steps);
  return task.group;
}
