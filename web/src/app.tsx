import { useEffect, useState } from "preact/hooks";
import { ErrorNote } from "./components/error-note.tsx";
import { AssetLibrary } from "./data/asset-library.ts";
import { loadWebConfig, type WebConfig } from "./data/web-config.ts";
import { messageOf } from "./error-message.ts";
import { AnalysePage } from "./pages/analyse-page.tsx";
import { ClusterPage } from "./pages/cluster-page.tsx";
import { ComparePage } from "./pages/compare-page.tsx";
import { JobsPage } from "./pages/jobs-page.tsx";
import { OptimisePage } from "./pages/optimise-page.tsx";

/** The pages, by the first part of the hash, in the navigation's order. */
const PAGES = [
  { id: "analyse", title: "Analyse" },
  { id: "compare", title: "Compare" },
  { id: "optimise", title: "Optimise" },
  { id: "jobs", title: "Jobs" },
  { id: "cluster", title: "Cluster" },
] as const;

/** The page and its query from the location's hash: "#/analyse?b=ansi&l=qwerty". */
function route(): { page: string; query: string } {
  const hash = window.location.hash.replace(/^#\/?/, "");
  const [page = "", query = ""] = hash.split("?", 2);
  return { page: page || "analyse", query };
}

interface Site {
  readonly library: AssetLibrary;
  readonly config: WebConfig;
}

/** The page the hash names; Analyse for anything else. */
function CurrentPage(props: {
  readonly site: Site;
  readonly page: string;
  readonly query: string;
  readonly onQuery: (query: string) => void;
}) {
  const { site, query, onQuery } = props;
  switch (props.page) {
    case "compare":
      return (
        <ComparePage
          library={site.library}
          assets={site.config.assets}
          query={query}
          onQuery={onQuery}
        />
      );
    case "optimise":
      return <OptimisePage library={site.library} query={query} onQuery={onQuery} />;
    case "jobs":
      return (
        <JobsPage library={site.library} config={site.config} query={query} onQuery={onQuery} />
      );
    case "cluster":
      return <ClusterPage config={site.config} />;
    default:
      return <AnalysePage library={site.library} query={query} onQuery={onQuery} />;
  }
}

/** The web app: its pages share the asset library and keep their state in the URL's hash. */
export function App() {
  const [site, setSite] = useState<Site | null>(null);
  const [failure, setFailure] = useState<string | null>(null);
  const [location, setLocation] = useState(route);

  useEffect(() => {
    loadWebConfig().then(
      (config) => setSite({ library: new AssetLibrary(config.assets), config }),
      (error) => setFailure(`cannot read the page's configuration: ${messageOf(error)}`),
    );
    const onHash = () => setLocation(route());
    window.addEventListener("hashchange", onHash);
    return () => window.removeEventListener("hashchange", onHash);
  }, []);

  const onQuery = (query: string) => {
    const { page } = location;
    setLocation({ page, query });
    // The address bar follows once the page is drawn (writing it takes milliseconds a key swap
    // cannot spare), unless the user has gone to another page meanwhile.
    requestAnimationFrame(() =>
      setTimeout(() => {
        if (route().page === page) window.history.replaceState(null, "", `#/${page}?${query}`);
      }),
    );
  };

  return (
    <>
      <header class="top">
        <a class="brand" href="#/analyse">
          KeyForge
        </a>
        <nav aria-label="pages">
          {PAGES.map(({ id, title }) => (
            <a key={id} href={`#/${id}`} aria-current={location.page === id ? "page" : undefined}>
              {title}
            </a>
          ))}
        </nav>
      </header>
      {failure !== null && <ErrorNote message={failure} />}
      {site && (
        <CurrentPage site={site} page={location.page} query={location.query} onQuery={onQuery} />
      )}
    </>
  );
}
