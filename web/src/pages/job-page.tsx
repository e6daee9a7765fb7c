import type { ComponentChildren } from "preact";
import { useEffect, useRef, useState } from "preact/hooks";
import { formatElapsed } from "../../../src/core/elapsed-text.ts";
import { DEFAULT_TOP_DISTANCE } from "../../../src/core/search/layout-search.ts";
import {
  endedByText,
  isFinished,
  type JobView,
  jobBudgetOf,
} from "../../../src/protocol/job-messages.ts";
import { PaceTracker, timeBudgetLeftText, timeLeftText } from "../../../src/protocol/job-pace.ts";
import { ErrorNote } from "../components/error-note.tsx";
import { JobLayouts } from "../components/job-layouts.tsx";
import { ScoreChart } from "../components/score-chart.tsx";
import type { AssetLibrary } from "../data/asset-library.ts";
import { coalesced } from "../data/coalesced.ts";
import {
  followEvents,
  JOB_STREAM_TYPES,
  jobStreamMessage,
  type StreamState,
} from "../data/event-stream.ts";
import type { HiveApi } from "../data/hive-api.ts";
import { messageOf } from "../error-message.ts";
import { durationText } from "../jobs/job-draft.ts";
import { type JobWatch, stepsOfHistory, watchWithEvent, watchWithView } from "../jobs/job-watch.ts";

/** The cluster and the job are read this often for the pace: agents report every 5 s. */
const PACE_READ_MS = 5000;
/** The times on the page move this often. */
const TICK_MS = 1000;

const STREAM_TEXT: Record<StreamState, string> = {
  connecting: "connecting…",
  open: "live",
  reconnecting: "reconnecting…",
  refused: "not live",
};

/** Share of a time-budgeted job's time spent at `now` (ms); a finished job's is the hive's. */
export function timeSpent(view: JobView, now: number): number {
  if (isFinished(view.status) || view.startedAt === null || view.endsAt === null)
    return view.progress;
  const startedAt = Date.parse(view.startedAt);
  const span = Date.parse(view.endsAt) - startedAt;
  return span > 0 ? Math.min(1, Math.max(0, (now - startedAt) / span)) : 1;
}

/**
 * A job, live: its view from the hive, brought up to date by its events as they come, read again
 * after them (for its best layouts and the units being run), and the cluster read every few
 * seconds for its speed and time left. Cancelling takes the API key.
 */
export function JobPage(props: {
  readonly library: AssetLibrary;
  readonly api: HiveApi;
  readonly id: string;
  readonly apiKey: string | null;
  readonly listHref: string;
  /** Shown under the heading: the sign-in. */
  readonly children?: ComponentChildren;
}) {
  const { api, id, apiKey } = props;
  const [watch, setWatch] = useState<JobWatch | null>(null);
  const [stream, setStream] = useState<StreamState>("connecting");
  const [failure, setFailure] = useState<string | null>(null);
  const [cancelling, setCancelling] = useState(false);
  const [, setTick] = useState(0);
  const pace = useRef(new PaceTracker(id));
  const latest = useRef<JobWatch | null>(null);
  latest.current = watch;

  useEffect(() => {
    let stopped = false;
    pace.current = new PaceTracker(id);
    const show = (update: (previous: JobWatch | null) => JobWatch | null) =>
      !stopped && setWatch(update);
    const readJob = coalesced(async () => {
      try {
        const view = await api.job(id);
        show((previous) => watchWithView(previous, view, Date.now()));
        if (!stopped) setFailure(null);
      } catch (error) {
        if (!stopped) setFailure(messageOf(error));
      }
    });
    const stopFollowing = followEvents(
      api.streamUrl(`/jobs/${id}/events`),
      JOB_STREAM_TYPES,
      (type, data) => {
        const message = jobStreamMessage(type, data);
        if (message === null) return;
        const now = Date.now();
        if (message.type === "snapshot") {
          show((previous) => watchWithView(previous, message.view, now));
          return;
        }
        if (message.type === "unit.done" || message.type === "unit.failed")
          pace.current.unitEnded(message.unitId, true);
        if (message.type === "unit.requeued") pace.current.unitEnded(message.unitId, false);
        show((previous) => previous && watchWithEvent(previous, message, now));
        readJob();
      },
      (state) => {
        if (stopped) return;
        setStream(state);
        // A refused stream says nothing of why; reading the job does (no such job...).
        if (state === "refused") readJob();
      },
    );
    const readPace = () => {
      const shown = latest.current?.view;
      if (shown && isFinished(shown.status)) return;
      // Without the cluster there is no pace to show; the job's own numbers still come.
      api.cluster().then(
        (cluster) => {
          const current = latest.current?.view;
          if (stopped || current === undefined) return;
          pace.current.observe(cluster, current.content.search.stepsPerUnit ?? 0, Date.now());
          readJob();
        },
        () => {},
      );
    };
    readPace();
    const paceTimer = setInterval(readPace, PACE_READ_MS);
    const tick = setInterval(() => setTick((n) => n + 1), TICK_MS);
    return () => {
      stopped = true;
      stopFollowing();
      clearInterval(paceTimer);
      clearInterval(tick);
    };
  }, [api, id]);

  const cancel = async () => {
    if (apiKey === null) return;
    setCancelling(true);
    try {
      const view = await api.cancel(id, apiKey);
      setWatch((previous) => watchWithView(previous, view, Date.now()));
      setFailure(null);
    } catch (error) {
      setFailure(`cannot cancel: ${messageOf(error)}`);
    }
    setCancelling(false);
  };

  const view = watch?.view;
  const finished = view ? isFinished(view.status) : false;
  const now = Date.now();
  const paceNow =
    view && !finished
      ? pace.current.paceAt(view.units, view.content.search.stepsPerUnit ?? 0, now)
      : null;
  /** How long the job has run, or ran. */
  const runMs = view
    ? (view.finishedAt ? Date.parse(view.finishedAt) : now) - Date.parse(view.createdAt)
    : 0;
  const chart = watch && stepsOfHistory(watch.history, runMs / 1000);
  const budget = view && jobBudgetOf(view.content.search);
  const convergeSeconds = view?.content.search.convergeSeconds;
  const topDistance = view?.content.search.topDistance ?? DEFAULT_TOP_DISTANCE;
  return (
    <div class="job">
      <p class="back">
        <a href={props.listHref}>← all jobs</a>
      </p>
      <h1>{view ? `Job “${view.name}”` : "Job"}</h1>
      {props.children}
      {failure !== null && <ErrorNote message={failure} />}
      {view === undefined && failure === null && <p class="hint">Reading the job…</p>}
      {view && (
        <>
          <p class="job-id">
            id <code>{view.id}</code>
          </p>
          <dl class="facts">
            <div>
              <dt>status</dt>
              <dd data-status={view.status}>{view.status}</dd>
            </div>
            <div>
              <dt>best score</dt>
              <dd data-best-score={view.bestScore ?? ""}>{view.bestScore?.toFixed(3) ?? "–"}</dd>
            </div>
            {budget?.kind === "time" && (
              <div>
                <dt>budget</dt>
                <dd data-budget>{durationText(budget.seconds)} of search</dd>
              </div>
            )}
            {convergeSeconds !== undefined && (
              <div>
                <dt>ends early when no better layout for</dt>
                <dd data-converge>{durationText(convergeSeconds)}</dd>
              </div>
            )}
            {(["done", "leased", "queued", "failed", "cancelled"] as const).map((count) => (
              <div key={count}>
                <dt>units {count === "leased" ? "running" : count}</dt>
                <dd data-units={count}>
                  {view.units[count]}
                  {count === "done" && ` of ${view.units.total}`}
                </dd>
              </div>
            ))}
            {!finished && (
              <>
                <div>
                  <dt>steps per second</dt>
                  <dd>
                    {paceNow ? Math.round(paceNow.stepsPerSecond).toLocaleString("en-US") : "–"}
                  </dd>
                </div>
                <div>
                  <dt>time left</dt>
                  <dd data-time-left>
                    {budget?.kind === "time"
                      ? timeBudgetLeftText(view.endsAt, now)
                      : timeLeftText(paceNow, view.units)}
                  </dd>
                </div>
              </>
            )}
            <div>
              <dt>{finished ? "took" : "running for"}</dt>
              <dd>{formatElapsed(runMs)}</dd>
            </div>
          </dl>
          {budget?.kind === "time" ? (
            <progress
              class="job-progress"
              max={1}
              value={timeSpent(view, now)}
              aria-label={`time spent: ${Math.round(100 * timeSpent(view, now))}% of ${durationText(budget.seconds)}`}
            />
          ) : (
            <progress
              class="job-progress"
              max={1}
              value={view.progress}
              aria-label={`units finished: ${view.units.done + view.units.failed} of ${view.units.total}`}
            />
          )}
          <p class="stream" aria-live="polite">
            {budget?.kind === "time"
              ? `${durationText(budget.seconds)} of search from its first lease, on every agent that takes it, in ${view.units.total} ${view.units.total === 1 ? "unit" : "units"}${finished ? "" : " so far"}`
              : `${view.units.total} units of ${(view.content.search.stepsPerUnit ?? 0).toLocaleString("en-US")} steps`}
            ; events: <span data-stream={stream}>{STREAM_TEXT[stream]}</span>
          </p>
          <p class="top-distance">
            Its best layouts differ from each other in at least {topDistance} keys.
          </p>
          {finished && view.endedBy !== null && view.status !== "cancelled" && (
            <p class="job-end" data-ended-by={view.endedBy}>
              The search ended: {endedByText(view.endedBy, convergeSeconds)}.
            </p>
          )}
          <div class="job-actions">
            {!finished && (
              <button
                type="button"
                onClick={cancel}
                disabled={apiKey === null || cancelling}
                aria-describedby={apiKey === null ? "cancel-needs-key" : undefined}
              >
                {cancelling ? "cancelling…" : "cancel this job"}
              </button>
            )}
            {!finished && apiKey === null && (
              <span id="cancel-needs-key" class="hint">
                Sign in with the job's API key to cancel it.
              </span>
            )}
          </div>
          <section aria-labelledby="best-over-time">
            <h2 id="best-over-time">Best score over time</h2>
            {chart && chart.scores.length > 1 ? (
              <ScoreChart series={chart} label="best score" />
            ) : (
              <p class="hint">
                {finished
                  ? "The chart draws the best score as it improves while this page is open."
                  : "The chart starts with the job's first result."}
              </p>
            )}
          </section>
          <JobLayouts library={props.library} view={view} />
        </>
      )}
    </div>
  );
}
