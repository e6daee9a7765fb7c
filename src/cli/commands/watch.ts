import { setTimeout as sleep } from "node:timers/promises";
import type { Command } from "commander";
import { formatElapsed } from "../../core/elapsed-text.ts";
import { KeyForgeError } from "../../core/errors.ts";
import { type JobEvent, unitCountOfEvent } from "../../protocol/job-events.ts";
import { isFinished, type JobView } from "../../protocol/job-messages.ts";
import {
  type ClusterReading,
  PaceTracker,
  timeBudgetLeftText,
  timeLeftText,
} from "../../protocol/job-pace.ts";
import { HiveApiClient, HiveRequestError } from "../hive-api-client.ts";
import { resolveJobId } from "../job-id.ts";
import { formatScore, shortJobId, unitProgress, unitStates } from "../job-text.ts";
import { columns, LINE_WIDTH, truncate, useColour } from "../output.ts";
import { HIVE_FLAG, hiveUrlOf } from "../service-urls.ts";

interface WatchFlags {
  hive?: string;
}

/** Waits before reconnecting to a stream that dropped, growing while the hive stays away. */
const RECONNECT_DELAYS_MS = [1000, 2000, 4000, 8000, 16_000, 30_000] as const;
/** On a terminal, the progress line is redrawn this often, so the times move. */
const REDRAW_MS = 1000;
/** Off a terminal, a progress line after this long without one (lines come at new bests). */
const PLAIN_LINE_MS = 60_000;
/** The cluster is read this often for the pace: agents report their units every 5 s. */
const PACE_READ_MS = 5000;

/** What the watch knows of the job: its last view, brought up to date by its events. */
interface Watched {
  readonly name: string;
  readonly createdAt: number;
  /** 0 for a time-budgeted job, whose units run for a time. */
  readonly stepsPerUnit: number;
  readonly timed: boolean;
  /** When a time-budgeted job stops leasing; null before its first lease (and for step budgets). */
  endsAt: string | null;
  finishedAt: number | null;
  status: JobView["status"];
  units: JobView["units"];
  best: { score: number; layout: string } | null;
}

function watchedOf(view: JobView): Watched {
  return {
    name: view.name,
    createdAt: Date.parse(view.createdAt),
    stepsPerUnit: view.content.search.stepsPerUnit ?? 0,
    timed: view.content.search.timeSeconds !== undefined,
    endsAt: view.endsAt,
    finishedAt: view.finishedAt === null ? null : Date.parse(view.finishedAt),
    status: view.status,
    units: { ...view.units },
    best: view.best && { score: view.best.score, layout: view.best.layout },
  };
}

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
      const count = unitCountOfEvent(event.type, state.timed);
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
    case "job.retried":
      return false;
  }
}

const elapsedOf = (state: Watched) =>
  formatElapsed((state.finishedAt ?? Date.now()) - state.createdAt);

/**
 * The progress display on standard error: units done, running and queued, the time left, the
 * job's steps per second, the best score and the time since the job was created (what matters
 * most first: a narrow terminal cuts the end). On a terminal one line redrawn in place;
 * elsewhere a plain line at each new best, and one after a minute without any. Notes
 * (reconnecting) go above the line.
 */
class ProgressDisplay {
  private readonly stream = process.stderr;
  private readonly live = process.stderr.isTTY === true;
  private readonly colour = useColour(process.stderr);
  private readonly label: string;
  private readonly pace: PaceTracker;
  private state: Watched | null = null;
  private lastPlainLine = 0;
  private readonly timer: NodeJS.Timeout;

  constructor(id: string) {
    this.label = `job ${shortJobId(id)}`;
    this.pace = new PaceTracker(id);
    this.timer = setInterval(() => this.tick(), REDRAW_MS);
  }

  update(state: Watched, newBest: boolean): void {
    if (this.state === null) {
      this.stream.write(
        `watching ${this.label} "${state.name}": ${state.status}, ${unitStates(state.units)}; Ctrl-C stops watching\n`,
      );
    }
    this.state = state;
    if (this.live) this.redraw();
    else if (newBest && state.best) this.writePlainLine(true);
  }

  /**
   * A reading of the cluster, for the pace, with the job's unit counts read with it: no event
   * says when a unit is leased, so the events alone undercount the running ones.
   */
  observe(cluster: ClusterReading, view: JobView): void {
    if (!this.state) return;
    this.state.units = { ...view.units };
    this.state.endsAt = view.endsAt;
    this.pace.observe(cluster, this.state.stepsPerUnit, Date.now());
    this.redraw();
  }

  /** A unit's lease ended (its event): its steps no longer count as running ones. */
  unitEnded(unitId: string, forGood: boolean): void {
    this.pace.unitEnded(unitId, forGood);
  }

  note(text: string): void {
    this.clear();
    this.stream.write(`${text}\n`);
    this.redraw();
  }

  close(): void {
    clearInterval(this.timer);
    this.clear();
  }

  private tick(): void {
    if (this.live) this.redraw();
    else if (this.state && Date.now() - this.lastPlainLine >= PLAIN_LINE_MS) {
      this.writePlainLine(false);
    }
  }

  /** The line's parts; the best score's is the one coloured on a terminal. */
  private parts(state: Watched, newBest: boolean): { before: string; best: string; after: string } {
    const pace = this.pace.paceAt(state.units, state.stepsPerUnit, Date.now());
    const rate =
      pace && pace.stepsPerSecond > 0
        ? ` · ${Math.round(pace.stepsPerSecond).toLocaleString("en-US")} steps/s`
        : "";
    return {
      before: `${this.label}: ${unitStates(state.units)} · ${state.timed ? timeBudgetLeftText(state.endsAt, Date.now()) : timeLeftText(pace, state.units)}${rate} · ${newBest ? "new best" : "best"} `,
      best: formatScore(state.best?.score ?? null),
      after: ` · ${elapsedOf(state)}`,
    };
  }

  private writePlainLine(newBest: boolean): void {
    if (!this.state) return;
    const { before, best, after } = this.parts(this.state, newBest);
    this.stream.write(`${before}${best}${after}\n`);
    this.lastPlainLine = Date.now();
  }

  private redraw(): void {
    if (!this.live || !this.state) return;
    const { before, best, after } = this.parts(this.state, false);
    const plain = `${before}${best}${after}`;
    // A line wider than the terminal would wrap, and the redraw would only clear its last row.
    const width = (this.stream.columns || LINE_WIDTH) - 1;
    const shown =
      columns(plain) > width
        ? truncate(plain, width)
        : this.colour && this.state.best
          ? `${before}\u001b[32m${best}\u001b[0m${after}`
          : plain;
    this.stream.write(`\r\u001b[K${shown}`);
  }

  private clear(): void {
    if (this.live) this.stream.write("\r\u001b[K");
  }
}

/** Reads the cluster and the job for the display's pace until `stop`; a failed read is skipped. */
async function readPace(
  client: HiveApiClient,
  id: string,
  display: ProgressDisplay,
  stop: AbortSignal,
) {
  while (!stop.aborted) {
    try {
      const [cluster, view] = await Promise.all([client.cluster(stop), client.getJob(id, stop)]);
      display.observe(cluster, view);
    } catch {
      // The pace is an extra: the events and the job carry on without it.
    }
    await sleep(PACE_READ_MS, undefined, { signal: stop }).catch(() => {});
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
          if (
            item.type === "unit.done" ||
            item.type === "unit.failed" ||
            item.type === "unit.requeued"
          ) {
            display.unitEnded(item.unitId, item.type !== "unit.requeued");
          }
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
  const pacing = new AbortController();
  void readPace(client, id, display, pacing.signal);
  let state: Watched | null;
  try {
    state = await follow(client, id, display, stop.signal);
  } finally {
    pacing.abort();
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
