/// <reference lib="webworker" />
import "../no-eval.ts";
import type { ScoringModel } from "../../../src/core/scoring/model.ts";
import { type ReplicaState, runReplica } from "../../../src/core/search/replica.ts";
import { compileSearchModel, type SearchProblem } from "../../../src/core/search/search-problem.ts";
import { messageOf } from "../error-message.ts";

/** The first message: the problem this worker's replicas search. */
export interface SearchWorkerSetup {
  readonly kind: "setup";
  readonly problem: SearchProblem;
}

/** Every later message: advance these replicas this many proposals. */
export interface SearchWorkerTask {
  readonly kind: "advance";
  readonly group: ReplicaState[];
  readonly steps: number;
}

export type SearchWorkerReply =
  | { readonly kind: "advanced"; readonly group: ReplicaState[] }
  | { readonly kind: "failed"; readonly message: string };

let problem: SearchProblem | undefined;
let model: ScoringModel | undefined;

/**
 * One search thread of the Optimise page, as search-worker.ts is one of `keyforge optimize`: it
 * compiles the problem on its first task (so a failure becomes that task's reply), then advances
 * the replica groups it is given, exactly as the CLI's threads do.
 */
self.onmessage = (event: MessageEvent<SearchWorkerSetup | SearchWorkerTask>) => {
  const message = event.data;
  if (message.kind === "setup") {
    problem = message.problem;
    return;
  }
  let reply: SearchWorkerReply;
  try {
    if (problem === undefined) throw new Error("the search thread was given no problem");
    model ??= compileSearchModel(problem);
    for (const replica of message.group) runReplica(model, replica, message.steps);
    reply = { kind: "advanced", group: message.group };
  } catch (error) {
    reply = { kind: "failed", message: messageOf(error) };
  }
  self.postMessage(reply);
};
