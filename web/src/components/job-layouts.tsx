import { useEffect, useState } from "preact/hooks";
import { idFromPath } from "../../../src/core/asset-id.ts";
import type { Board } from "../../../src/core/board.ts";
import { layoutFromText } from "../../../src/core/layout.ts";
import type { LayoutAnalysis } from "../../../src/core/scoring/analysis.ts";
import { formatMetric } from "../../../src/core/scoring/metric.ts";
import { METRICS } from "../../../src/core/scoring/metric-catalogue.ts";
import { isFinished, type JobContent, type JobView } from "../../../src/protocol/job-messages.ts";
import { jobProblem } from "../../../src/protocol/job-problem.ts";
import { LayoutScoring } from "../analysis/scored-layout.ts";
import type { AssetLibrary } from "../data/asset-library.ts";
import { messageOf } from "../error-message.ts";
import { BoardView } from "./board-view.tsx";
import { ErrorNote } from "./error-note.tsx";

/** How many of the job's best layouts are drawn and set side by side. */
const SHOWN = 3;

interface Analysed {
  readonly board: Board;
  readonly layouts: readonly {
    readonly score: number;
    readonly chars: readonly (string | null)[];
    readonly analysis: LayoutAnalysis;
  }[];
}

/** The job's corpora and weights in words: "en, balanced weights", "en × 0.7 + de × 0.3, …". */
function scoringText(content: JobContent): string {
  const corpora = content.corpora.map((entry) =>
    content.corpora.length === 1
      ? idFromPath(entry.path)
      : `${idFromPath(entry.path)} × ${entry.weight}`,
  );
  const weights = "inline" in content.weights ? "its own" : idFromPath(content.weights.path);
  const changed = Object.keys(content.weightOverrides).length;
  return `${corpora.join(" + ")}, ${weights} weights${changed > 0 ? ` with ${changed} changed` : ""}`;
}

/**
 * Analyses the layouts on the job's own board, corpora and weights: the versions it pinned, read
 * by their hashes and put together as the hive and its agents do (jobProblem), so the page's
 * numbers are the hive's even after newer versions are published.
 */
async function analyse(
  library: AssetLibrary,
  view: JobView,
  top: JobView["top"],
): Promise<Analysed | null> {
  const [best] = top;
  if (best === undefined) return null;
  const { board, corpus, weights } = await jobProblem(view.content, (sha256) =>
    library.blob(sha256),
  );
  // The search moves characters, never adds any: the best layout's characters are every one's.
  const scoring = new LayoutScoring(
    board,
    corpus,
    weights,
    layoutFromText(best.layout, board, "#1"),
  );
  const layouts = top.map((entry, i) => ({
    score: entry.score,
    layout: layoutFromText(entry.layout, board, `#${i + 1}`),
  }));
  return {
    board,
    layouts: layouts.map(({ score, layout }) => ({
      score,
      chars: layout.chars,
      analysis: scoring.analyse(layout.chars, layout.name),
    })),
  };
}

/**
 * A job's best layouts: each drawn on the job's board with its heatmap, and every metric of each
 * side by side, analysed in the page with the job's corpus and weights.
 */
export function JobLayouts({ library, view }: { library: AssetLibrary; view: JobView }) {
  // Units that found the same layout are one layout here.
  const top = view.top
    .filter((entry, i) => view.top.findIndex((other) => other.layout === entry.layout) === i)
    .slice(0, SHOWN);
  const [analysed, setAnalysed] = useState<Analysed | null>(null);
  const [failure, setFailure] = useState<string | null>(null);
  const source = `${view.id}|${top.map((entry) => entry.layout).join("|")}`;
  useEffect(() => {
    let current = true;
    analyse(library, view, top).then(
      (result) => {
        if (!current) return;
        setAnalysed(result);
        setFailure(null);
      },
      (error) => current && setFailure(`cannot analyse the job's layouts: ${messageOf(error)}`),
    );
    return () => {
      current = false;
    };
  }, [library, source]);

  if (top.length === 0) {
    return (
      <p class="hint">
        {isFinished(view.status)
          ? "No layout: no unit of this job finished."
          : "No layout yet: the first arrives with a result."}
      </p>
    );
  }
  return (
    <section class="job-layouts" aria-labelledby="best-layouts">
      <h2 id="best-layouts">Best layouts</h2>
      {failure !== null && <ErrorNote message={failure} />}
      {analysed && (
        <>
          <div class="layout-drawings">
            {analysed.layouts.map((layout, i) => (
              <figure key={`${i}-${layout.score}`}>
                <figcaption>
                  #{i + 1}: score <span data-layout-score={i}>{layout.score.toFixed(3)}</span>
                </figcaption>
                <BoardView
                  board={analysed.board}
                  chars={layout.chars}
                  keyShare={layout.analysis.keyShare}
                  highlighted={new Set()}
                  label={`layout #${i + 1} of the job on ${analysed.board.name}, score ${layout.score.toFixed(3)}`}
                />
              </figure>
            ))}
          </div>
          <div class="table-scroll">
            <table class="figures job-metrics">
              <caption>Every metric of the best layouts ({scoringText(view.content)})</caption>
              <thead>
                <tr>
                  <th scope="col">metric</th>
                  {analysed.layouts.map((_, i) => (
                    <th key={i} scope="col">
                      #{i + 1}
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody>
                <tr>
                  <th scope="row">score</th>
                  {analysed.layouts.map((layout, i) => (
                    <td key={i} data-metric="score" data-value={layout.analysis.score}>
                      {layout.analysis.score.toFixed(3)}
                    </td>
                  ))}
                </tr>
                {METRICS.map((metric) => (
                  <tr key={metric.key} title={metric.doc}>
                    <th scope="row">{metric.label.trim()}</th>
                    {analysed.layouts.map((layout, i) => (
                      <td key={i} data-metric={metric.key}>
                        {formatMetric(layout.analysis.metrics[metric.key], metric.unit)}
                      </td>
                    ))}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      )}
    </section>
  );
}
