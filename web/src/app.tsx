import { useEffect, useState } from "preact/hooks";
import { ErrorNote } from "./components/error-note.tsx";
import { AssetLibrary } from "./data/asset-library.ts";
import { loadWebConfig } from "./data/web-config.ts";
import { AnalysePage } from "./pages/analyse-page.tsx";

/** The page and its query from the location's hash: "#/analyse?b=ansi&l=qwerty". */
function route(): { page: string; query: string } {
  const hash = window.location.hash.replace(/^#\/?/, "");
  const [page = "", query = ""] = hash.split("?", 2);
  return { page: page || "analyse", query };
}

/** The web app: its pages share the asset library and keep their state in the URL's hash. */
export function App() {
  const [library, setLibrary] = useState<AssetLibrary | null>(null);
  const [failure, setFailure] = useState<string | null>(null);
  const [location, setLocation] = useState(route);

  useEffect(() => {
    loadWebConfig().then(
      (config) => setLibrary(new AssetLibrary(config.assets)),
      (error) =>
        setFailure(
          `cannot read the page's configuration: ${error instanceof Error ? error.message : error}`,
        ),
    );
    const onHash = () => setLocation(route());
    window.addEventListener("hashchange", onHash);
    return () => window.removeEventListener("hashchange", onHash);
  }, []);

  const onQuery = (query: string) => {
    const hash = `#/${location.page}?${query}`;
    window.history.replaceState(null, "", hash);
    setLocation(route());
  };

  return (
    <>
      <header class="top">
        <a class="brand" href="#/analyse">
          KeyForge
        </a>
        <nav aria-label="pages">
          <a href="#/analyse" aria-current={location.page === "analyse" ? "page" : undefined}>
            Analyse
          </a>
        </nav>
      </header>
      {failure !== null && <ErrorNote message={failure} />}
      {library && <AnalysePage library={library} query={location.query} onQuery={onQuery} />}
    </>
  );
}
