import { useEffect, useState } from "preact/hooks";
import type { AssetLibrary } from "../data/asset-library.ts";
import {
  keepOwnLayout,
  type OwnLayout,
  ownLayoutProblem,
  useOwnLayouts,
} from "../data/own-layouts.ts";
import { messageOf } from "../error-message.ts";
import { ErrorNote } from "./error-note.tsx";

/** The published layouts' names, which an own layout may not take. */
function usePublishedNames(library: AssetLibrary): readonly string[] {
  const [names, setNames] = useState<readonly string[]>([]);
  useEffect(() => {
    library.ids("layouts").then(setNames, () => setNames([]));
  }, [library]);
  return names;
}

type OwnLayouts = ReturnType<typeof useOwnLayouts>;

/** Keeps a layout in the list, or says why not. */
function useKeep(library: AssetLibrary, { layouts, save }: OwnLayouts) {
  const published = usePublishedNames(library);
  const [problem, setProblem] = useState<string | null>(null);
  const keep = (layout: OwnLayout): boolean => {
    const wrong = ownLayoutProblem(layout, published);
    if (wrong === null) {
      try {
        save(keepOwnLayout(layouts, layout));
      } catch (error) {
        setProblem(`the browser did not keep it: ${messageOf(error)}`);
        return false;
      }
    }
    setProblem(wrong);
    return wrong === null;
  };
  return { layouts, save, keep, problem };
}

/**
 * On the Analyse page: keeps the layout on the page, swaps and all, among the user's own layouts
 * in this browser, where the Compare page ranks them with the library.
 */
export function KeepLayout({
  library,
  text,
  compareQuery,
}: {
  readonly library: AssetLibrary;
  /** The layout on the page as layout text, asked for when it is kept. */
  readonly text: () => string;
  /** The Compare page's query that ranks a kept layout on the page's scoring choice. */
  readonly compareQuery: (name: string) => string;
}) {
  const { keep, problem } = useKeep(library, useOwnLayouts());
  const [name, setName] = useState("");
  const [kept, setKept] = useState<string | null>(null);
  return (
    <form
      class="keep-layout"
      onSubmit={(event) => {
        event.preventDefault();
        setKept(keep({ name: name.trim(), text: text() }) ? name.trim() : null);
      }}
    >
      <label>
        keep as my layout named
        <input value={name} size={14} onInput={(e) => setName(e.currentTarget.value)} />
      </label>
      <button type="submit" disabled={name.trim() === ""}>
        keep
      </button>
      {kept !== null && (
        <span role="status">
          kept {kept}: <a href={`#/compare?${compareQuery(kept)}`}>compare it with the library</a>
        </span>
      )}
      {problem !== null && <ErrorNote message={problem} />}
    </form>
  );
}

/** On the Compare page: the user's own layouts, to add (name and text) and to drop. */
export function OwnLayoutsPanel({
  library,
  own,
}: {
  readonly library: AssetLibrary;
  /** The page's own layouts, which it ranks. */
  readonly own: OwnLayouts;
}) {
  const { layouts, save, keep, problem } = useKeep(library, own);
  const [name, setName] = useState("");
  const [text, setText] = useState("");
  return (
    <details class="own-layouts">
      <summary>your layouts ({layouts.length}), kept in this browser</summary>
      {layouts.length > 0 && (
        <ul>
          {layouts.map((layout) => (
            <li key={layout.name}>
              {layout.name}{" "}
              <button
                type="button"
                aria-label={`drop ${layout.name}`}
                onClick={() => save(layouts.filter((kept) => kept.name !== layout.name))}
              >
                drop
              </button>
            </li>
          ))}
        </ul>
      )}
      <form
        onSubmit={(event) => {
          event.preventDefault();
          if (keep({ name: name.trim(), text })) {
            setName("");
            setText("");
          }
        }}
      >
        <label>
          name
          <input value={name} size={14} onInput={(e) => setName(e.currentTarget.value)} />
        </label>
        <label>
          layout text, one line per board row
          <textarea rows={4} value={text} onInput={(e) => setText(e.currentTarget.value)} />
        </label>
        <button type="submit" disabled={name.trim() === "" || text.trim() === ""}>
          add
        </button>
      </form>
      {problem !== null && <ErrorNote message={problem} />}
    </details>
  );
}
