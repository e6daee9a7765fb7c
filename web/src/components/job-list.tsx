import { useState } from "preact/hooks";
import type { JobSummary } from "../../../src/protocol/job-messages.ts";
import type { HiveApi } from "../data/hive-api.ts";
import { useLiveReading } from "../data/live-reading.ts";
import { durationText } from "../jobs/job-draft.ts";
import { ErrorNote } from "./error-note.tsx";

/** "2026-11-27 11:43" in the reader's own time zone. */
function shownTime(iso: string): string {
  const time = new Date(iso);
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${time.getFullYear()}-${pad(time.getMonth() + 1)}-${pad(time.getDate())} ${pad(time.getHours())}:${pad(time.getMinutes())}`;
}

/**
 * A job's budget as a summary tells it: a step job's units ("8 units"); a time-budgeted job's
 * time from its first lease to its end ("10 min"), or, before its first lease (no unit is cut
 * yet), only that it has a time budget.
 */
export function budgetText(job: Pick<JobSummary, "units" | "startedAt" | "endsAt">): string {
  if (job.endsAt !== null && job.startedAt !== null)
    return durationText((Date.parse(job.endsAt) - Date.parse(job.startedAt)) / 1000);
  if (job.units === 0) return "a time budget";
  return `${job.units} ${job.units === 1 ? "unit" : "units"}`;
}

/** The hive's jobs, newest first, read again as events come; each links to its page. */
export function JobList(props: {
  readonly api: HiveApi;
  readonly apiKey: string | null;
  readonly hrefOf: (id: string) => string;
}) {
  const { api, apiKey } = props;
  const [mineOnly, setMineOnly] = useState(false);
  const mine = mineOnly && apiKey !== null ? apiKey : undefined;
  const list = useLiveReading(
    () => api.jobs({ mine }),
    api.streamUrl("/events"),
    `${api.base}|${mine ?? ""}`,
  );
  return (
    <section class="job-list" aria-labelledby="jobs-heading">
      <h2 id="jobs-heading">Jobs</h2>
      {apiKey !== null && (
        <label class="check">
          <input
            type="checkbox"
            checked={mineOnly}
            onChange={(event) => setMineOnly(event.currentTarget.checked)}
          />
          only the jobs of my key
        </label>
      )}
      {list.failure !== null && <ErrorNote message={`cannot read the jobs: ${list.failure}`} />}
      {list.value === null && list.failure === null && <p class="hint">Reading the jobs…</p>}
      {list.value && list.value.jobs.length === 0 && <p class="hint">No job yet.</p>}
      {list.value && list.value.jobs.length > 0 && (
        <div class="table-scroll">
          <table class="figures jobs-table">
            <caption>
              The {list.value.jobs.length} newest jobs
              {list.stream === "open" ? ", updated live" : ""}
            </caption>
            <thead>
              <tr>
                <th scope="col">name</th>
                <th scope="col">status</th>
                <th scope="col">budget</th>
                <th scope="col">best score</th>
                <th scope="col">submitted</th>
              </tr>
            </thead>
            <tbody>
              {list.value.jobs.map((job) => (
                <tr key={job.id} data-job={job.id}>
                  <th scope="row">
                    <a href={props.hrefOf(job.id)}>{job.name}</a>
                  </th>
                  <td class={`status ${job.status}`}>{job.status}</td>
                  <td>{budgetText(job)}</td>
                  <td>{job.bestScore?.toFixed(3) ?? "–"}</td>
                  <td>
                    <time dateTime={job.createdAt}>{shownTime(job.createdAt)}</time>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
