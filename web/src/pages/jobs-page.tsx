import type { AssetLibrary } from "../data/asset-library.ts";
import type { WebConfig } from "../data/web-config.ts";

/** The Jobs page: sign in with an API key, submit a job, the job list, a job followed live. */
export function JobsPage(_props: {
  readonly library: AssetLibrary;
  readonly config: WebConfig;
  readonly query: string;
  readonly onQuery: (query: string) => void;
}) {
  return (
    <main class="jobs">
      <h1>Jobs</h1>
    </main>
  );
}
