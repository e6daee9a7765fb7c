import { useMemo, useState } from "preact/hooks";
import { ApiKeySignIn } from "../components/api-key-sign-in.tsx";
import { JobForm } from "../components/job-form.tsx";
import { JobList } from "../components/job-list.tsx";
import { storedApiKey } from "../data/api-key-store.ts";
import { HiveApi } from "../data/hive-api.ts";
import type { WebConfig } from "../data/web-config.ts";
import { type JobsView, jobsFromQuery, jobsToQuery } from "../jobs/jobs-view.ts";
import { JobPage } from "./job-page.tsx";
import "./jobs.css";
import type { PageProps } from "./page-props.ts";

/**
 * The Jobs page: sign in with an API key, submit a job, the hive's jobs live; with `job` in the
 * URL, that job's page. Reading needs no key; submitting and cancelling do.
 */
export function JobsPage(props: PageProps & { readonly config: WebConfig }) {
  const view = useMemo(() => jobsFromQuery(props.query), [props.query]);
  const api = useMemo(() => new HiveApi(props.config.api), [props.config.api]);
  const [apiKey, setApiKey] = useState(storedApiKey);
  const show = (next: JobsView) => props.onQuery(jobsToQuery(next));
  const hrefOf = (job: string | null) => `#/jobs?${jobsToQuery({ ...view, job })}`;

  const signIn = <ApiKeySignIn api={api} apiKey={apiKey} onKey={setApiKey} />;
  return (
    <main class="jobs">
      {view.job !== null ? (
        <JobPage
          library={props.library}
          api={api}
          id={view.job}
          apiKey={apiKey}
          listHref={hrefOf(null)}
        >
          {signIn}
        </JobPage>
      ) : (
        <>
          <h1>Jobs</h1>
          {signIn}
          <JobForm
            library={props.library}
            api={api}
            apiKey={apiKey}
            view={view}
            onView={show}
            onSubmitted={(job) => {
              window.location.hash = hrefOf(job);
            }}
          />
          <JobList api={api} apiKey={apiKey} hrefOf={hrefOf} />
        </>
      )}
    </main>
  );
}
