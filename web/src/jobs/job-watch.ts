import { type JobEvent, unitCountOfEvent } from "../../../src/protocol/job-events.ts";
import type { JobView } from "../../../src/protocol/job-messages.ts";

/** The best score over time: seconds since the job was created, and the best score then. */
export interface BestScoreHistory {
  readonly seconds: readonly number[];
  readonly scores: readonly number[];
}

/** A job as its page shows it: its last view, brought up to date by its events. */
export interface JobWatch {
  readonly view: JobView;
  readonly history: BestScoreHistory;
}

/** The history with a best score at `now` (ms), when it is a new best. */
function withBest(history: BestScoreHistory, view: JobView, score: number, now: number) {
  const last = history.scores.at(-1);
  if (last !== undefined && score >= last) return history;
  const at = Math.max(0, (now - Date.parse(view.createdAt)) / 1000);
  return { seconds: [...history.seconds, at], scores: [...history.scores, score] };
}

/**
 * The watch after a view of the job arrives (the stream's snapshot, or a fresh GET): the view
 * replaces the old one; the history seen so far stays, and gains the view's best if it is new.
 */
export function watchWithView(previous: JobWatch | null, view: JobView, now: number): JobWatch {
  const kept =
    previous !== null && previous.view.id === view.id
      ? previous.history
      : { seconds: [], scores: [] };
  const at = view.finishedAt === null ? now : Math.min(now, Date.parse(view.finishedAt));
  return {
    view,
    history: view.bestScore === null ? kept : withBest(kept, view, view.bestScore, at),
  };
}

/** The watch after one of the job's events: its counts, status and best move at once. */
export function watchWithEvent(watch: JobWatch, event: JobEvent, now: number): JobWatch {
  const { view } = watch;
  if (event.jobId !== view.id) return watch;
  switch (event.type) {
    case "job.progress":
      // Events may come out of order (from several hive instances): the best never worsens.
      return {
        view: { ...view, bestScore: Math.min(event.bestScore, view.bestScore ?? Infinity) },
        history: withBest(watch.history, view, event.bestScore, now),
      };
    case "unit.done":
    case "unit.requeued":
    case "unit.failed": {
      // A lease ended; a repeated event never counts past the job's units. A time-budgeted
      // job's unit given back is withdrawn (its time goes on in units cut anew), and its
      // progress is its time, not its units.
      const timed = view.content.search.timeSeconds !== undefined;
      const count = unitCountOfEvent(event.type, timed);
      const units = {
        ...view.units,
        [count]: Math.min(view.units.total, view.units[count] + 1),
        leased: Math.max(0, view.units.leased - 1),
      };
      const finished = units.done + units.failed;
      return {
        ...watch,
        view: {
          ...view,
          units,
          progress: timed ? view.progress : units.total > 0 ? finished / units.total : 0,
        },
      };
    }
    case "job.completed":
    case "job.cancelled":
      return {
        ...watch,
        view: {
          ...view,
          status: event.type === "job.completed" ? event.status : "cancelled",
          finishedAt: new Date(now).toISOString(),
        },
      };
    case "job.retried":
      return { ...watch, view: { ...view, status: "queued", finishedAt: null } };
    case "job.created":
      return watch;
  }
}

/**
 * The history as a chart draws it: the best score holds until the next best (a step at each),
 * and holds on to `endSeconds` (now, or when the job finished) when that is later.
 */
export function stepsOfHistory(history: BestScoreHistory, endSeconds: number): BestScoreHistory {
  const seconds: number[] = [];
  const scores: number[] = [];
  history.scores.forEach((score, i) => {
    const at = history.seconds[i] ?? 0;
    const before = scores.at(-1);
    if (before !== undefined) {
      seconds.push(at);
      scores.push(before);
    }
    seconds.push(at);
    scores.push(score);
  });
  const last = scores.at(-1);
  const lastAt = seconds.at(-1);
  if (last !== undefined && lastAt !== undefined && endSeconds > lastAt) {
    seconds.push(endSeconds);
    scores.push(last);
  }
  return { seconds, scores };
}
