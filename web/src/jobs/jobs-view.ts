import {
  namedParam,
  type ScoringChoice,
  scoringFromParams,
  setScoringParams,
} from "../analysis/scoring-choice.ts";

/**
 * The Jobs page in the URL: the job shown (its id, `job`), and the submit form's choices: the
 * scoring choice of every page (b, c, w, o) and the published layout the search starts from (l).
 */
export interface JobsView extends ScoringChoice {
  readonly job: string | null;
  readonly from: string;
}

const JOB_ID = /^[0-9a-f]{64}$/;

/** The view the query describes; anything missing or malformed takes the default. */
export function jobsFromQuery(query: string): JobsView {
  const params = new URLSearchParams(query);
  const job = params.get("job");
  return {
    ...scoringFromParams(params),
    job: job !== null && JOB_ID.test(job) ? job : null,
    from: namedParam(params, "l", "qwerty"),
  };
}

export function jobsToQuery(view: JobsView): string {
  const params = new URLSearchParams();
  if (view.job !== null) params.set("job", view.job);
  setScoringParams(params, view);
  params.set("l", view.from);
  return params.toString();
}
