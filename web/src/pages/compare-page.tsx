import { useEffect, useMemo, useState } from "preact/hooks";
import type { Board } from "../../../src/core/board.ts";
import { formatMetric } from "../../../src/core/scoring/metric.ts";
import { METRICS } from "../../../src/core/scoring/metric-catalogue.ts";
import {
  type CompareView,
  compareFromQuery,
  compareToQuery,
  type SortKey,
  togglePick,
} from "../analysis/compare-view.ts";
import type { RankedLayout } from "../analysis/layout-ranking.ts";
import { scoringKey, scoringOf } from "../analysis/scoring-choice.ts";
import { BoardView } from "../components/board-view.tsx";
import { ErrorNote } from "../components/error-note.tsx";
import { OwnLayoutsPanel } from "../components/own-layouts.tsx";
import { ScoringChoices } from "../components/scoring-choices.tsx";
import { useOwnLayouts } from "../data/own-layouts.ts";
import { oneReply } from "../workers/one-reply.ts";
import type { RankReply, RankRequest } from "../workers/rank-worker.ts";
import type { PageProps } from "./page-props.ts";

interface Ranking {
  readonly board: Board;
  readonly ranked: RankedLayout[];
  readonly skipped: { readonly name: string; readonly reason: string }[];
}

const COLUMNS: readonly { key: SortKey; label: string }[] = [
  { key: "score", label: "score" },
  ...METRICS.map((metric) => ({
    key: metric.key,
    label: "headline" in metric ? metric.headline : metric.key,
  })),
];

function figureOf(layout: RankedLayout, key: SortKey): number {
  return key === "score" ? layout.score : layout.metrics[key];
}

function shown(layout: RankedLayout, key: SortKey): string {
  if (key === "score") return layout.score.toFixed(2);
  const metric = METRICS.find((m) => m.key === key);
  return formatMetric(layout.metrics[key], metric?.unit ?? "");
}

/** Scores every published layout in a worker, for one scoring choice. */
function rankInWorker(request: RankRequest): Promise<RankReply> {
  const worker = new Worker(new URL("../workers/rank-worker.ts", import.meta.url), {
    type: "module",
  });
  return oneReply<RankRequest, RankReply>(worker, request, (message) => ({
    kind: "failed",
    message,
  }));
}

/** The Compare page: the library ranked on one board, corpus and weights; two side by side. */
export function ComparePage(props: PageProps & { readonly assets: string }) {
  const view = useMemo(() => compareFromQuery(props.query), [props.query]);
  const [ranking, setRanking] = useState<Ranking | null>(null);
  const [error, setError] = useState<string | null>(null);
  const show = (next: CompareView) => props.onQuery(compareToQuery(next));

  const ownLayouts = useOwnLayouts();
  const own = ownLayouts.layouts;
  const ownNames = new Set(own.map((layout) => layout.name));
  const source = `${scoringKey(view)}|${JSON.stringify(own)}`;
  useEffect(() => {
    let current = true;
    setRanking(null);
    setError(null);
    Promise.all([
      props.library.board(view.board),
      rankInWorker({
        assets: props.assets,
        choice: scoringOf(view),
        own,
      }),
    ]).then(
      ([board, reply]) => {
        if (!current) return;
        if (reply.kind === "failed") setError(reply.message);
        else setRanking({ board, ranked: reply.ranked, skipped: reply.skipped });
      },
      (failure) => current && setError(String(failure)),
    );
    return () => {
      current = false;
    };
  }, [props.library, source]);

  const sorted = useMemo(() => {
    if (!ranking) return [];
    const direction = view.descending ? -1 : 1;
    return [...ranking.ranked].sort(
      (a, b) => direction * (figureOf(a, view.sort) - figureOf(b, view.sort)) || a.score - b.score,
    );
  }, [ranking, view.sort, view.descending]);
  const picked = view.picked.flatMap((name) => sorted.filter((layout) => layout.name === name));

  return (
    <main class="compare">
      <h1>Compare</h1>
      <ScoringChoices
        library={props.library}
        choice={view}
        onChoose={(choice) => show({ ...view, ...choice })}
      />
      <OwnLayoutsPanel library={props.library} own={ownLayouts} />
      {error !== null && <ErrorNote message={error} />}
      {ranking === null && error === null && <p class="hint">Scoring the library…</p>}
      {ranking && picked.length === 2 && (
        <SideBySide
          board={ranking.board}
          a={picked[0] as RankedLayout}
          b={picked[1] as RankedLayout}
        />
      )}
      {ranking && (
        <div class="table-scroll">
          <table class="figures ranking">
            <caption>
              {ranking.ranked.length} layouts on {ranking.board.name}; pick two to compare them
              {ranking.skipped.length > 0 &&
                ` (${ranking.skipped.length} do not fit this board: ${ranking.skipped.map((s) => s.name).join(", ")})`}
            </caption>
            <thead>
              <tr>
                <th scope="col">pick</th>
                <th scope="col">#</th>
                <th scope="col">layout</th>
                {COLUMNS.map(({ key, label }) => (
                  <th
                    key={key}
                    scope="col"
                    aria-sort={
                      view.sort === key ? (view.descending ? "descending" : "ascending") : undefined
                    }
                  >
                    <button
                      type="button"
                      onClick={() =>
                        show({
                          ...view,
                          sort: key,
                          descending: view.sort === key ? !view.descending : false,
                        })
                      }
                    >
                      {label}
                    </button>
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {sorted.map((layout, i) => (
                <tr key={layout.name} class={view.picked.includes(layout.name) ? "picked" : ""}>
                  <td>
                    <input
                      type="checkbox"
                      aria-label={`pick ${layout.name}`}
                      checked={view.picked.includes(layout.name)}
                      onChange={() =>
                        show({ ...view, picked: togglePick(view.picked, layout.name) })
                      }
                    />
                  </td>
                  <td>{i + 1}</td>
                  <th scope="row">
                    {layout.name}
                    {ownNames.has(layout.name) && <span class="yours"> (yours)</span>}
                  </th>
                  {COLUMNS.map(({ key }) => (
                    <td
                      key={key}
                      data-layout={layout.name}
                      data-metric={key}
                      data-value={figureOf(layout, key)}
                    >
                      {shown(layout, key)}
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </main>
  );
}

/** Two layouts drawn side by side, the keys where they differ outlined, and their numbers. */
function SideBySide({ board, a, b }: { board: Board; a: RankedLayout; b: RankedLayout }) {
  const differ = new Set(a.chars.flatMap((char, k) => (char !== b.chars[k] ? [k] : [])));
  return (
    <section class="side-by-side" aria-label={`${a.name} and ${b.name} side by side`}>
      {[a, b].map((layout) => (
        <figure key={layout.name}>
          <figcaption>
            {layout.name}: score {layout.score.toFixed(3)}
          </figcaption>
          <BoardView
            board={board}
            chars={layout.chars}
            keyShare={layout.keyShare}
            highlighted={differ}
            label={`${layout.name} on ${board.name}; ${differ.size} keys differ from the other layout`}
          />
        </figure>
      ))}
      <p>
        {differ.size} keys differ. {b.name} − {a.name}:{" "}
        {["score" as const, ...METRICS.filter((m) => "headline" in m).map((m) => m.key)]
          .map((key) => {
            const delta = figureOf(b, key) - figureOf(a, key);
            return `${key} ${delta >= 0 ? "+" : "−"}${Math.abs(delta).toFixed(key === "score" ? 2 : 3)}`;
          })
          .join(", ")}
      </p>
    </section>
  );
}
