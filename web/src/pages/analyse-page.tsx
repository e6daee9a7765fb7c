import { useEffect, useMemo, useRef, useState } from "preact/hooks";
import { formatLayout, rearrangedLayout } from "../../../src/core/layout.ts";
import { type AnalysisView, viewFromQuery, viewToQuery } from "../analysis/analysis-view.ts";
import { compareToQuery, DEFAULT_COMPARE } from "../analysis/compare-view.ts";
import { charsAfter, redo, undo, withSwap } from "../analysis/edit-history.ts";
import { scoringKey, scoringOf } from "../analysis/scoring-choice.ts";
import { BoardView } from "../components/board-view.tsx";
import { ChoiceSelect } from "../components/choice-select.tsx";
import { ErrorNote } from "../components/error-note.tsx";
import { ExportButtons } from "../components/export-buttons.tsx";
import { LocalImports } from "../components/local-imports.tsx";
import { MetricsTable } from "../components/metrics-table.tsx";
import { KeepLayout } from "../components/own-layouts.tsx";
import { ScoringChoices } from "../components/scoring-choices.tsx";
import { WeightSliders } from "../components/weight-sliders.tsx";
import { WorstLists } from "../components/worst-lists.tsx";
import { useLayoutSetup } from "../data/layout-setup.ts";
import { messageOf } from "../error-message.ts";
import type { PageProps } from "./page-props.ts";

/** The Analyse page: a layout on a board, every metric, live as keys are swapped. */
export function AnalysePage({ library, query, onQuery }: PageProps) {
  const view = useMemo(() => viewFromQuery(query), [query]);
  const [layouts, setLayouts] = useState<string[]>([]);
  const { setup: loaded, error: loadError } = useLayoutSetup(library, view);
  const [listError, setListError] = useState<string | null>(null);
  const [undone, setUndone] = useState<AnalysisView["swaps"]>([]);
  const [selected, setSelected] = useState<number | null>(null);
  const [picked, setPicked] = useState<string | null>(null);
  const [typed, setTyped] = useState("");

  useEffect(() => {
    library.ids("layouts").then(setLayouts, (e) => setListError(messageOf(e)));
  }, [library]);

  // The view and history as of the last render, for the controls below: they are drawn again
  // only when what they show changes, not on every swap, so their handlers read these.
  const latest = useRef({ view, undone });
  latest.current = { view, undone };
  const show = (next: AnalysisView, keepUndone = false) => {
    if (!keepUndone) setUndone([]);
    onQuery(viewToQuery(next));
  };
  const applyHistory = (step: typeof undo) => {
    const { view: now, undone: later } = latest.current;
    const next = step({ done: now.swaps, undone: later });
    setUndone(next.undone);
    show({ ...now, swaps: next.done }, true);
  };

  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (
        !(event.ctrlKey || event.metaKey) ||
        event.target instanceof HTMLInputElement ||
        event.target instanceof HTMLTextAreaElement
      )
        return;
      const key = event.key.toLowerCase();
      if (key === "z" && !event.shiftKey) applyHistory(undo);
      else if (key === "y" || (key === "z" && event.shiftKey)) applyHistory(redo);
      else return;
      event.preventDefault();
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, []);

  const failure = loadError ?? listError;
  const keyCount = loaded?.board.keys.length ?? 0;
  const swaps = view.swaps.filter(({ a, b }) => a < keyCount && b < keyCount);
  const chars = loaded ? charsAfter(loaded.start.chars, swaps) : [];
  const charsKey = chars.join("\u0000");
  const analysis = useMemo(
    () => (loaded ? loaded.scoring.analyse(chars, "edited") : null),
    [loaded, charsKey],
  );
  const start = useMemo(
    () => (loaded ? loaded.scoring.analyse(loaded.start.chars, loaded.start.name) : null),
    [loaded],
  );
  const highlighted = useMemo(
    () =>
      new Set(picked ? chars.flatMap((c, k) => (c !== null && picked.includes(c) ? [k] : [])) : []),
    [picked, charsKey],
  );

  const swap = (a: number, b: number) =>
    show({ ...view, swaps: withSwap({ done: swaps, undone: [] }, a, b).done });
  const onKey = (k: number) => {
    if (selected === null) return setSelected(k);
    setSelected(null);
    if (selected !== k) swap(selected, k);
  };
  const onDrag = (from: number, to: number) => {
    setSelected(null);
    swap(from, to);
  };

  const canUndo = swaps.length > 0;
  const canRedo = undone.length > 0;
  const controls = useMemo(
    () => (
      <>
        <ScoringChoices
          library={library}
          choice={view}
          onChoose={(choice) => {
            const now = latest.current.view;
            show({ ...now, ...choice, swaps: choice.board === now.board ? now.swaps : [] });
          }}
        >
          <ChoiceSelect
            label="layout"
            value={view.layout.kind === "builtin" ? view.layout.name : ""}
            options={layouts}
            other={view.layout.kind === "text" ? "typed layout" : undefined}
            onChoose={(name) =>
              show({ ...latest.current.view, layout: { kind: "builtin", name }, swaps: [] })
            }
          />
          <span class="edits">
            {(
              [
                ["undo", !canUndo, () => applyHistory(undo)],
                ["redo", !canRedo, () => applyHistory(redo)],
                ["reset", !canUndo, () => show({ ...latest.current.view, swaps: [] })],
              ] as const
            ).map(([label, disabled, act]) => (
              <button key={label} type="button" disabled={disabled} onClick={act}>
                {label}
              </button>
            ))}
          </span>
        </ScoringChoices>
        {loaded && (
          <WeightSliders
            preset={loaded.preset}
            overrides={view.overrides}
            onChange={(overrides) => show({ ...latest.current.view, overrides })}
          />
        )}
        <LocalImports
          library={library}
          onBoard={(board) => show({ ...latest.current.view, board, swaps: [] })}
          onCorpus={(corpus) => show({ ...latest.current.view, corpus })}
        />
        <details class="type-layout">
          <summary>type or paste a layout</summary>
          <label>
            layout text, one line per board row
            <textarea rows={4} value={typed} onInput={(e) => setTyped(e.currentTarget.value)} />
          </label>
          <button
            type="button"
            disabled={typed.trim() === ""}
            onClick={() =>
              show({ ...latest.current.view, layout: { kind: "text", text: typed }, swaps: [] })
            }
          >
            analyse this layout
          </button>
        </details>
      </>
    ),
    [
      library,
      loaded,
      layouts,
      scoringKey(view),
      JSON.stringify(view.layout),
      canUndo,
      canRedo,
      typed,
    ],
  );

  return (
    <main class="analyse">
      <h1>Analyse</h1>
      {controls}
      {failure !== null && <ErrorNote message={failure} />}
      {loaded && analysis && start && (
        <div class="analysis">
          <section class="board-pane" aria-label="the board">
            <p class="hint">
              {selected === null
                ? "Pick a key, then another (or drag one onto another), to swap their characters."
                : `Now pick the key to swap with ${loaded.board.keys[selected]?.id}.`}
            </p>
            <BoardView
              board={loaded.board}
              chars={chars}
              keyShare={analysis.keyShare}
              picked={{
                keys: new Set(selected === null ? [] : [selected]),
                name: "picked for a swap",
              }}
              highlighted={highlighted}
              onKey={onKey}
              onDrag={onDrag}
              label={`${loaded.board.name}: pick two keys, or drag one onto another, to swap their characters`}
            />
          </section>
          <MetricsTable analysis={analysis} start={start} weights={loaded.weights} />
          <WorstLists analysis={analysis} picked={picked} onPick={setPicked} />
          <ExportButtons
            board={loaded.board}
            layout={rearrangedLayout(
              loaded.start,
              chars,
              loaded.board,
              view.swaps.length > 0 ? `${loaded.start.name}-edited` : loaded.start.name,
            )}
            corpus={loaded.corpus}
            analysis={analysis}
          />
          <KeepLayout
            library={library}
            text={() =>
              formatLayout(rearrangedLayout(loaded.start, chars, loaded.board), loaded.board)
            }
            compareQuery={(name) =>
              compareToQuery({ ...DEFAULT_COMPARE, ...scoringOf(view), picked: [name] })
            }
          />
        </div>
      )}
    </main>
  );
}
