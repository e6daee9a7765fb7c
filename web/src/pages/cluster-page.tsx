import type { WebConfig } from "../data/web-config.ts";

/** The Cluster page: the hive's live nodes and their totals. */
export function ClusterPage(_props: { readonly config: WebConfig }) {
  return (
    <main class="cluster">
      <h1>Cluster</h1>
    </main>
  );
}
