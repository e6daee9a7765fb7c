import type { MessagePort } from "node:worker_threads";
import { KeyForgeError, type Problem } from "../core/errors.ts";
import { type LimitDetails, LimitExceededError } from "../protocol/input-limits.ts";
import type { JobContent } from "../protocol/job-messages.ts";
import { type JobModel, jobModel } from "../protocol/job-problem.ts";

export interface CompileTask {
  readonly content: JobContent;
  /** Every asset the content pins, by SHA-256: the worker reads no store. */
  readonly assets: ReadonlyMap<string, Uint8Array>;
  /** Told when the work begins, so the time budget counts compiling and not waiting. */
  readonly started: MessagePort;
}

/** A refusal as data: errors lose their class and fields on the way between threads. */
export interface CompileRefusal {
  readonly code: KeyForgeError["code"];
  readonly message: string;
  readonly problems: readonly Problem[];
  readonly limit?: LimitDetails;
}

export type CompileOutcome = { readonly model: JobModel } | { readonly refusal: CompileRefusal };

/** Builds a job's problem and model on a worker thread of the hive's compile pool. */
export default async function compileJob(task: CompileTask): Promise<CompileOutcome> {
  task.started.postMessage("started");
  task.started.close();
  const read = async (sha256: string) => {
    const bytes = task.assets.get(sha256);
    if (!bytes)
      throw new KeyForgeError("ASSET_UNKNOWN", `asset ${sha256} was not read for the job`);
    return bytes;
  };
  try {
    return { model: await jobModel(task.content, read) };
  } catch (error) {
    if (!(error instanceof KeyForgeError)) throw error;
    const { code, message, problems } = error;
    return {
      refusal: {
        code,
        message,
        problems,
        ...(error instanceof LimitExceededError ? { limit: error.details } : {}),
      },
    };
  }
}
