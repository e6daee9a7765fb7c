import { extname } from "node:path";
import { fileURLToPath } from "node:url";
import { MessageChannel } from "node:worker_threads";
import { Piscina } from "piscina";
import { KeyForgeError } from "../core/errors.ts";
import { INPUT_LIMITS, LimitExceededError } from "../protocol/input-limits.ts";
import type { JobContent } from "../protocol/job-messages.ts";
import type { AssetReader, JobModel } from "../protocol/job-problem.ts";
import type { CompileOutcome, CompileRefusal, CompileTask } from "./job-compile-worker.ts";

/** The worker module next to this one, as .ts under tsx and .js once built. */
const WORKER = new URL(
  `./job-compile-worker${extname(fileURLToPath(import.meta.url))}`,
  import.meta.url,
);

/** What one compile may spend before it is stopped (its worker thread terminated). */
export interface CompileBudget {
  readonly seconds: number;
  /** Heap of the worker thread (V8's old generation), in MiB. */
  readonly memoryMb: number;
}

export const DEFAULT_COMPILE_BUDGET: CompileBudget = {
  seconds: INPUT_LIMITS.compileSeconds.max,
  memoryMb: INPUT_LIMITS.compileMemoryMb.max,
};

/** Compiles waiting for a thread, beyond which new ones are refused with 503 COMPILE_BUSY. */
const MAX_WAITING = 8;
/** A thread idle this long exits; the next compile starts another. */
const IDLE_MS = 60_000;
/** Why a compile was stopped when its time was up. */
const OVER_TIME = Symbol("over its time budget");

/** Every asset the content pins by SHA-256, read on this thread (the worker reads no store). */
async function assetsOf(content: JobContent, read: AssetReader) {
  const pinned = [content.board, content.start, content.weights, ...content.corpora].flatMap(
    (asset) => ("sha256" in asset ? [asset.sha256] : []),
  );
  const shas = [...new Set(pinned)];
  const bytes = await Promise.all(shas.map(read));
  return new Map(shas.map((sha, i) => [sha, bytes[i] as Uint8Array]));
}

function refusalError({ code, message, problems, limit }: CompileRefusal): KeyForgeError {
  return limit
    ? new LimitExceededError(limit.limit, limit.got)
    : new KeyForgeError(code, message, problems);
}

/**
 * Builds jobs' problems and scoring models on worker threads (a piscina pool), so that checking
 * a submission or preparing a job's re-scoring never blocks the hive's event loop, within a
 * time and memory budget: a compile over either has its thread terminated and is refused with
 * LIMIT_EXCEEDED (compileSeconds, compileMemoryMb).
 */
export class JobCompiler {
  private readonly budget: CompileBudget;
  private readonly pool: Piscina;
  private pending = 0;
  /** Stops the compiles on threads, should a thread die outside any of them. */
  private readonly running = new Set<AbortController>();

  constructor(budget: CompileBudget = DEFAULT_COMPILE_BUDGET, threads = 1) {
    this.budget = budget;
    this.pool = new Piscina({
      filename: WORKER.href,
      minThreads: 0,
      maxThreads: threads,
      idleTimeout: IDLE_MS,
      resourceLimits: { maxOldGenerationSizeMb: budget.memoryMb },
    });
    // A thread that dies before it takes its task (out of memory while starting) would leave
    // the task waiting for ever: the compiles in flight fail with its error instead.
    this.pool.on("error", (error: unknown) => {
      for (const stop of this.running) stop.abort(error);
    });
  }

  async compile(content: JobContent, read: AssetReader): Promise<JobModel> {
    if (this.pending >= this.pool.options.maxThreads + MAX_WAITING) {
      throw new KeyForgeError("COMPILE_BUSY", "the hive is checking other jobs: retry later");
    }
    this.pending++;
    try {
      return await this.run({ content, assets: await assetsOf(content, read) });
    } finally {
      this.pending--;
    }
  }

  private async run(task: Omit<CompileTask, "started">): Promise<JobModel> {
    const { port1, port2 } = new MessageChannel();
    const stop = new AbortController();
    this.running.add(stop);
    let timer: NodeJS.Timeout | undefined;
    port1.once("message", () => {
      timer = setTimeout(() => stop.abort(OVER_TIME), this.budget.seconds * 1000);
    });
    try {
      const outcome = (await this.pool.run(
        { ...task, started: port2 },
        { transferList: [port2], signal: stop.signal },
      )) as CompileOutcome;
      if ("refusal" in outcome) throw refusalError(outcome.refusal);
      return outcome.model;
    } catch (error) {
      const reason: unknown = stop.signal.aborted ? stop.signal.reason : error;
      if (reason === OVER_TIME) {
        throw new LimitExceededError("compileSeconds", undefined, this.budget.seconds);
      }
      if ((reason as { code?: unknown } | null)?.code === "ERR_WORKER_OUT_OF_MEMORY") {
        throw new LimitExceededError("compileMemoryMb", undefined, this.budget.memoryMb);
      }
      throw reason;
    } finally {
      this.running.delete(stop);
      clearTimeout(timer);
      port1.close();
    }
  }

  close(): Promise<void> {
    return this.pool.destroy();
  }
}
