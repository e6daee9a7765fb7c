import { setTimeout as sleep } from "node:timers/promises";
import type { Command } from "commander";
import { KeyForgeError } from "../../core/errors.ts";
import type { JobEvent } from "../../protocol/job-events.ts";
import type { JobView } from "../../protocol/job-messages.ts";
import { HiveApiClient, HiveRequestError } from "../hive-api-client.ts";
import { resolveJobId } from "../job-id.ts";
import { formatElapsed, formatScore, isFinished, shortJobId, unitProgress } from "../job-text.ts";
import { useColour } from "../output.ts";
import { HIVE_FLAG, hiveUrlOf } from "../service-urls.ts";

interface WatchFlags {
  hive?: string;
}

/** Waits before reconnecting to a stream that dropped, growing while the hive stays away. */
const RECONNECT_DELAYS_MS = [1000, 2000, 4000, 8000, 16_000, 30_000] as const;
/** On a terminal, the progress line is redrawn this often, so the elapsed time moves. */
const REDRAW_MS = 1000;

/** What the watch knows of the job: its last view, brought up to date by its events. */
interface Watched {
  readonly name: string;
  readonly createdAt: number;
  finishedAt: number | null;
  status: JobView["status"];
  units: JobView["units"];
  best: { score: number; layout: string } | null;
}

function watchedOf(view: JobView): Watched {
  return {
    name: view.name,
    createdAt: Date.parse(view.createdAt),
    finishedAt: view.finishedAt === null ? null : Date.parse(view.finishedAt),
    status: view.status,
    units: { ...view.units },
    best: view.best && { score: view.best.score, layout: view.best.layout },
  };
}

/** The unit count an event that ends a lease adds to. */
const UNIT_COUNT_OF_EVENT = {
  "unit.done": "done",
  "unit.requeued": "queued",
  "unit.failed": "failed",
} as const;

/** Applies an event; true when it brought a new best. */
function apply(state: Watched, event: JobEvent): boolean {
  switch (event.type) {
    case "job.progress":
      state.best = { score: event.bestScore, layout: event.layout };
      return true;
    case "unit.done":
    case "unit.requeued":
    case "unit.failed": {
      // A lease ended; a repeated event never counts past the job's units.
      const count = UNIT_COUNT_OF_EVENT[event.type];
      state.units[count] = Math.min(state.units.total, state.units[count] + 1);
      state.units.leased = Math.max(0, state.units.leased - 1);
      return false;
    }
    case "job.completed":
    case "job.cancelled":
      state.status = event.type === "job.completed" ? event.status : "cancelled";
      state.finishedAt = Date.now();
      return false;
    case "job.created":
      return false;
  }
}

const elapsedOf = (state: Watched) =>
  formatElapsed((state.finishedAt ?? Date.now()) - state.createdAt);

/**
 * The progress display on standard error: on a terminal one line redrawn in place (units,
 * best score, elapsed time), elsewhere a plain line at each new best. Notes (reconnecting)
 * go above the line.
 */
class ProgressDisplay {
  private readonly stream = process.stderr;
  private readonly live = process.stderr.isTTY === true;
  private readonly colour = useColour(process.stderr);
  private readonly label: string;
  private state: Watched | null = null;
  private readonly timer: NodeJS.Timeout | null;

  constructor(id: string) {
    this.label = `job ${shortJobId(id)}`;
    this.timer = this.live ? setInterval(() => this.redraw(), REDRAW_MS) : null;
  }

  update(state: Watched, newBest: boolean): void {
    if (this.state === null) {
      this.stream.write(
        `watching ${this.label} "${state.name}": ${state.status}, ${unitProgress(state.units)}, best ${formatScore(state.best?.score ?? null)} (Ctrl-C stops watching)\n`,
      );
    }
    this.state = state;
    if (this.live) this.redraw();
    else if (newBest && state.best) {
      this.stream.write(
        `${this.label}: new best ${formatScore(state.best.score)} (${unitProgress(state.units)}, ${elapsedOf(state)})\n`,
      );
    }
  }

  note(text: string): void {
    this.clear();
    this.stream.write(`${text}\n`);
    this.redraw();
  }

  close(): void {
    if (this.timer) clearInterval(this.timer);
    this.clear();
  }

  private redraw(): void {
    if (!this.live || !this.state) return;
    const { status, units, best } = this.state;
    const score = formatScore(best?.score ?? null);
    const shown = this.colour && best ? `\u001b[32m${score}\u001b[0m` : score;
    this.stream.write(
      `\r\u001b[K${this.label} ${status}: ${unitProgress(units)}, best ${shown}, ${elapsedOf(this.state)}`,
    );
  }

  private clear(): void {
    if (this.live) this.stream.write("\r\u001b[K");
  }
}

/**
 * Follows the job's event stream until the job finishes (its state) or `stop` aborts (null).
 * A stream that drops after it opened is opened again with backoff, its snapshot bringing the
 * state up to date; the first connection's failure is the caller's. Every keep-alive (15 s)
 * also reads the job, for endings the event bus did not carry.
 */
async function follow(
  client: HiveApiClient,
  id: string,
  display: ProgressDisplay,
  stop: AbortSignal,
): Promise<Watched | null> {
  let state: Watched | null = null;
  let failures = 0;
  for (;;) {
    let reason: string;
    try {
      for await (const item of client.jobEvents(id, stop)) {
        let newBest = false;
        if (item.type === "snapshot" || item.type === "keep-alive") {
          const view = item.type === "snapshot" ? item.view : await client.getJob(id);
          if (item.type === "snapshot" && failures > 0) display.note("reconnected");
          if (item.type === "snapshot") failures = 0;
          const known = state !== null;
          const before = state?.best?.score ?? null;
          state = watchedOf(view);
          newBest = known && state.best !== null && state.best.score !== before;
        } else if (state) {
          newBest = apply(state, item);
        }
        if (!state) continue;
        display.update(state, newBest);
        if (!isFinished(state.status)) continue;
        // A stream may repeat an event its snapshot held: the summary's counts come from the job.
        return item.type === "snapshot" ? state : watchedOf(await client.getJob(id));
      }
      reason = "the hive closed it";
    } catch (error) {
      if (stop.aborted) return null;
      if (!(error instanceof HiveRequestError && error.retryable) || state === null) throw error;
      reason = error.message;
    }
    const delay = RECONNECT_DELAYS_MS[Math.min(failures, RECONNECT_DELAYS_MS.length - 1)] ?? 0;
    failures++;
    display.note(`lost the job's event stream (${reason}); reconnecting in ${delay / 1000} s`);
    try {
      await sleep(delay, undefined, { signal: stop });
    } catch {
      return null;
    }
  }
}

/** Best score and layout on standard output; a job that did not complete fails the command. */
function finish(id: string, state: Watched): void {
  const short = shortJobId(id);
  console.log(
    `job ${short} "${state.name}" ${state.status} after ${elapsedOf(state)}: ${unitProgress(state.units)}`,
  );
  if (state.best)
    console.log(`best score ${formatScore(state.best.score)}\n${state.best.layout.trimEnd()}`);
  if (state.status === "cancelled") {
    throw new KeyForgeError("JOB_CANCELLED", `job ${short} was cancelled`);
  }
  if (state.status === "failed") {
    throw new KeyForgeError(
      "JOB_FAILED",
      `job ${short} failed: none of its units produced a result (keyforge job ${short} shows them)`,
    );
  }
}

async function watch(typedId: string, flags: WatchFlags): Promise<void> {
  const client = new HiveApiClient(hiveUrlOf(flags.hive));
  const id = await resolveJobId(client, typedId);
  const stop = new AbortController();
  const onInterrupt = () => stop.abort();
  process.once("SIGINT", onInterrupt);
  const display = new ProgressDisplay(id);
  let state: Watched | null;
  try {
    state = await follow(client, id, display, stop.signal);
  } finally {
    display.close();
    process.off("SIGINT", onInterrupt);
  }
  if (state === null) {
    process.stderr.write(`stopped watching; job ${shortJobId(id)} carries on on the hive\n`);
    return;
  }
  finish(id, state);
}

export function registerWatchCommand(program: Command): void {
  program
    .command("watch")
    .description("follow a job live until it ends; prints its best score and layout")
    .argument("<id>", "the job's id, or its first 8 or more hex digits")
    .option(...HIVE_FLAG)
    .action(watch);
}
