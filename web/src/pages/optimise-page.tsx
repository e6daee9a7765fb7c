import { useEffect, useMemo, useRef, useState } from "preact/hooks";
import { formatLayout } from "../../../src/core/layout.ts";
import type { LayoutAnalysis } from "../../../src/core/scoring/analysis.ts";
import { layoutOfItems } from "../../../src/core/scoring/layout-scorer.ts";
import type { SearchProgress, SearchResult } from "../../../src/core/search/layout-search.ts";
import { viewToQuery } from "../analysis/analysis-view.ts";
import { BoardView } from "../components/board-view.tsx";
import { ChoiceSelect } from "../components/choice-select.tsx";
import { ErrorNote } from "../components/error-note.tsx";
import { MetricsTable } from "../components/metrics-table.tsx";
import { ScoreChart, type ScoreSeries } from "../components/score-chart.tsx";
import { ScoringChoices } from "../components/scoring-choices.tsx";
import { SearchSettings } from "../components/search-settings.tsx";
import { WeightSliders } from "../components/weight-sliders.tsx";
import { type LayoutSetup, useLayoutSetup } from "../data/layout-setup.ts";
import { messageOf } from "../error-message.ts";
import { type RunningSearch, startSearch } from "../search/browser-search.ts";
import { optimiseCommand } from "../search/optimise-command.ts";
import {
  MAX_THREADS,
  type OptimiseView,
  optimiseFromQuery,
  optimiseToQuery,
  togglePin,
} from "../search/optimise-view.ts";
import type { PageProps } from "./page-props.ts";

/** The page redraws the search's progress at most this often. */
const REDRAW_MS = 100;

/** The search as the page shows it while it runs: the best so far, and the pace. */
interface Progress {
  readonly steps: number;
  readonly elapsedMs: number;
  readonly stepsPerSecond: number;
  readonly score: number;
  readonly chars: readonly (string | null)[];
}

/** A finished search: its best layout analysed as `keyforge analyze` would, beside the start. */
interface Outcome {
  readonly chars: readonly (string | null)[];
  readonly analysis: LayoutAnalysis;
  readonly start: LayoutAnalysis;
  readonly result: SearchResult;
}

type Run =
  | { readonly kind: "idle" }
  | { readonly kind: "running"; readonly seed: number; readonly search: RunningSearch }
  | { readonly kind: "finished"; readonly seed: number; readonly outcome: Outcome }
  | { readonly kind: "failed"; readonly message: string };

/** One less than the machine's cores, so the page stays responsive; at least one. */
function defaultThreads(): number {
  return Math.min(MAX_THREADS, Math.max(1, (navigator.hardwareConcurrency || 2) - 1));
}

function progressOf(progress: SearchProgress): Progress {
  return {
    steps: progress.steps,
    elapsedMs: progress.elapsedMs,
    stepsPerSecond: progress.stepsPerSecond,
    score: progress.best.score,
    chars: layoutOfItems(progress.model, progress.best.items, "best").chars,
  };
}

function outcomeOf(setup: LayoutSetup, result: SearchResult): Outcome {
  const chars = layoutOfItems(result.model, result.best.items, "optimised").chars;
  const startChars = layoutOfItems(result.model, result.start.items, "start").chars;
  return {
    chars,
    analysis: setup.scoring.analyse(chars, "optimised"),
    start: setup.scoring.analyse(startChars, setup.start.name),
    result,
  };
}

function paceText(steps: number, elapsedMs: number, stepsPerSecond: number): string {
  return `${steps.toLocaleString("en-US")} steps in ${(elapsedMs / 1000).toFixed(1)} s (${Math.round(stepsPerSecond).toLocaleString("en-US")} steps/s)`;
}

/** The Optimise page: a search in this browser, on Web Workers, with the CLI's engine and seeds. */
export function OptimisePage({ library, query, onQuery }: PageProps) {
  const view = useMemo(() => optimiseFromQuery(query, defaultThreads()), [query]);
  const { setup, error: loadError } = useLayoutSetup(library, view);
  const [layouts, setLayouts] = useState<string[]>([]);
  const [run, setRun] = useState<Run>({ kind: "idle" });
  const [progress, setProgress] = useState<Progress | null>(null);
  const [series, setSeries] = useState<ScoreSeries>({ seconds: [], scores: [] });
  const latest = useRef<{ progress: Progress; redrawn: number } | null>(null);

  useEffect(() => {
    library.ids("layouts").then(setLayouts, () => setLayouts([]));
  }, [library]);
  // Leaving the page, or starting another search, stops the one running.
  const running = run.kind === "running" ? run.search : null;
  useEffect(() => () => running?.stop(), [running]);

  const show = (next: OptimiseView) => onQuery(optimiseToQuery(next));

  const start = () => {
    if (setup === null) return;
    const seed = view.seed ?? Math.floor(Math.random() * 2 ** 31);
    const points: { seconds: number[]; scores: number[] } = { seconds: [], scores: [] };
    latest.current = null;
    setProgress(null);
    setSeries({ seconds: [], scores: [] });
    const onProgress = (report: SearchProgress) => {
      const now = performance.now();
      const last = latest.current;
      latest.current = { progress: progressOf(report), redrawn: last?.redrawn ?? 0 };
      points.seconds.push(report.elapsedMs / 1000);
      points.scores.push(report.best.score);
      if (now - (last?.redrawn ?? 0) < REDRAW_MS) return;
      latest.current = { ...latest.current, redrawn: now };
      setProgress(latest.current.progress);
      setSeries({ seconds: [...points.seconds], scores: [...points.scores] });
    };
    const search = startSearch(setup, view, seed, onProgress);
    setRun({ kind: "running", seed, search });
    search.result.then(
      (result) => {
        setSeries({ seconds: [...points.seconds], scores: [...points.scores] });
        setProgress(latest.current?.progress ?? null);
        setRun({ kind: "finished", seed, outcome: outcomeOf(setup, result) });
      },
      (error) => setRun({ kind: "failed", message: messageOf(error) }),
    );
  };

  const pinnedKeys = useMemo(
    () =>
      new Set(
        (setup?.start.chars ?? []).flatMap((c, k) =>
          c !== null && view.pins.includes(c) ? [k] : [],
        ),
      ),
    [setup, view.pins],
  );
  const startAnalysis = useMemo(
    () => (setup ? setup.scoring.analyse(setup.start.chars, setup.start.name) : null),
    [setup],
  );
  const onKey = (k: number) => {
    const char = setup?.start.chars[k];
    if (char != null && run.kind !== "running") show({ ...view, pins: togglePin(view.pins, char) });
  };

  const outcome = run.kind === "finished" ? run.outcome : null;
  const shownChars = outcome?.chars ?? progress?.chars ?? null;
  const shownAnalysis = useMemo(
    () => (setup && shownChars ? setup.scoring.analyse(shownChars, "best") : startAnalysis),
    [setup, shownChars, startAnalysis],
  );
  const failure = loadError ?? (run.kind === "failed" ? run.message : null);
  const seed = run.kind === "running" || run.kind === "finished" ? run.seed : null;
  const command = seed === null ? null : optimiseCommand(view, seed);

  return (
    <main class="optimise">
      <h1>Optimise</h1>
      <ScoringChoices
        library={library}
        choice={view}
        onChoose={(choice) =>
          show({ ...view, ...choice, pins: choice.board === view.board ? view.pins : "" })
        }
      >
        <ChoiceSelect
          label="layout"
          value={view.layout.kind === "builtin" ? view.layout.name : ""}
          options={layouts}
          other={view.layout.kind === "text" ? "typed layout" : undefined}
          onChoose={(name) => show({ ...view, layout: { kind: "builtin", name }, pins: "" })}
        />
      </ScoringChoices>
      {setup && (
        <WeightSliders
          preset={setup.preset}
          overrides={view.overrides}
          onChange={(overrides) => show({ ...view, overrides })}
        />
      )}
      <SearchSettings
        view={view}
        running={running !== null}
        ready={setup !== null}
        onChange={show}
        onStart={start}
        onStop={() => running?.stop()}
      />
      {failure !== null && <ErrorNote message={failure} />}
      {setup && shownAnalysis && (
        <div class="search">
          <section class="board-pane" aria-label="the board">
            <p class="hint">
              {shownChars === null
                ? "Pick keys to pin their characters: a pinned character stays where it is."
                : `The best layout ${run.kind === "running" ? "so far" : "found"}; pinned keys outlined.`}
            </p>
            <BoardView
              board={setup.board}
              chars={shownChars ?? setup.start.chars}
              keyShare={shownAnalysis.keyShare}
              highlighted={shownChars === null ? new Set() : pinnedKeys}
              {...(shownChars === null
                ? {
                    picked: { keys: pinnedKeys, name: "pinned" },
                    onKey,
                    label: `${setup.board.name}: pick keys to pin their characters`,
                  }
                : { label: `the best layout on ${setup.board.name}` })}
            />
          </section>
          <section class="progress" aria-label="the search">
            <p aria-live="polite">
              {progress === null
                ? run.kind === "running"
                  ? `searching on ${view.threads} thread(s), seed ${run.seed}…`
                  : "Not started."
                : `${paceText(progress.steps, progress.elapsedMs, progress.stepsPerSecond)}; best score ${progress.score.toFixed(3)}${outcome ? `; stopped by ${outcome.result.stoppedBy}` : ""}`}
            </p>
            <ScoreChart series={series} label="best score" />
            {outcome && (
              <OutcomeLinks setup={setup} view={view} outcome={outcome} command={command} />
            )}
          </section>
          {outcome && startAnalysis && (
            <MetricsTable
              analysis={outcome.analysis}
              start={outcome.start}
              weights={setup.weights}
            />
          )}
        </div>
      )}
    </main>
  );
}

/** What to do with the best layout: open it in Analyse; run the same search from the command line. */
function OutcomeLinks({
  setup,
  view,
  outcome,
  command,
}: {
  readonly setup: LayoutSetup;
  readonly view: OptimiseView;
  readonly outcome: Outcome;
  readonly command: string | null;
}) {
  const layout = { name: "optimised", boardId: setup.board.id, chars: [...outcome.chars] };
  const analyse = viewToQuery({
    ...view,
    layout: { kind: "text", text: formatLayout(layout, setup.board) },
    swaps: [],
  });
  return (
    <div class="outcome">
      <p>
        Score {outcome.start.score.toFixed(3)} at the start, {outcome.analysis.score.toFixed(3)} at
        the best. <a href={`#/analyse?${analyse}`}>Open the best layout in Analyse</a>
      </p>
      {command !== null && (
        <p>
          {outcome.result.reproducible
            ? "The same search from the command line, which finds the same layout:"
            : "The same search from the command line (a time budget does not repeat step for step):"}{" "}
          <code class="command">{command}</code>
        </p>
      )}
    </div>
  );
}
