import { KeyForgeError } from "../../../src/core/errors.ts";
import type { EpochRunner } from "../../../src/core/search/layout-search.ts";
import type { ReplicaState } from "../../../src/core/search/replica.ts";
import type { SearchProblem } from "../../../src/core/search/search-problem.ts";
import type {
  SearchWorkerReply,
  SearchWorkerSetup,
  SearchWorkerTask,
} from "../workers/search-worker.ts";

/** One Web Worker and the reply it owes, if a task is out. */
class SearchThread {
  private readonly worker: Worker;
  private pending: ((reply: SearchWorkerReply) => void) | null = null;

  constructor(problem: SearchProblem) {
    this.worker = new Worker(new URL("../workers/search-worker.ts", import.meta.url), {
      type: "module",
      name: "keyforge-search",
    });
    this.worker.onmessage = (event: MessageEvent<SearchWorkerReply>) => this.settle(event.data);
    this.worker.onerror = (event) => {
      event.preventDefault();
      this.settle({ kind: "failed", message: event.message || "the search thread failed" });
    };
    const setup: SearchWorkerSetup = { kind: "setup", problem };
    this.worker.postMessage(setup);
  }

  advance(group: ReplicaState[], steps: number): Promise<SearchWorkerReply> {
    return new Promise((resolve) => {
      this.pending = resolve;
      const task: SearchWorkerTask = { kind: "advance", group, steps };
      this.worker.postMessage(task);
    });
  }

  private settle(reply: SearchWorkerReply): void {
    const pending = this.pending;
    this.pending = null;
    pending?.(reply);
  }

  close(): void {
    this.worker.terminate();
    this.settle({ kind: "failed", message: "the search was closed" });
  }
}

/**
 * The browser's EpochRunner: each replica group of an epoch on its own Web Worker, as
 * `keyforge optimize` runs each on a worker thread, so the same seed, step budget and thread
 * count give the same layout here and there. A thread that fails fails the search with
 * SEARCH_WORKER_FAILED.
 */
export function workerRunner(problem: SearchProblem, threads: number): EpochRunner {
  const pool = Array.from({ length: threads }, () => new SearchThread(problem));
  // The search hands one group to each thread per epoch: a thread never has two tasks out.
  const threadFor = (group: number): SearchThread => {
    const thread = pool[group];
    if (thread === undefined) {
      throw new KeyForgeError(
        "SEARCH_WORKER_FAILED",
        `replica group ${group} has no thread: the runner has ${threads}`,
      );
    }
    return thread;
  };
  return {
    async run(groups: ReplicaState[][], steps: number): Promise<ReplicaState[][]> {
      const replies = await Promise.all(
        groups.map((group, g) => threadFor(g).advance(group, steps)),
      );
      return replies.map((reply) => {
        if (reply.kind === "failed") {
          throw new KeyForgeError(
            "SEARCH_WORKER_FAILED",
            `a search thread failed: ${reply.message}`,
          );
        }
        return reply.group;
      });
    },
    async close(): Promise<void> {
      for (const thread of pool) thread.close();
    },
  };
}
