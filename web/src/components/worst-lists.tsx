import { svgLegend } from "../../../src/core/export/svg.ts";
import type { LayoutAnalysis } from "../../../src/core/scoring/analysis.ts";
import { WORST_LISTS } from "../../../src/core/scoring/metric-catalogue.ts";

interface WorstListsProps {
  readonly analysis: LayoutAnalysis;
  /** The n-gram whose keys are highlighted. */
  readonly picked: string | null;
  readonly onPick: (ngram: string | null) => void;
}

const SHOWN = 8;

/** The most frequent offending n-grams of each kind; picking one highlights its keys. */
export function WorstLists({ analysis, picked, onPick }: WorstListsProps) {
  return (
    <section class="worst" aria-label="worst n-grams">
      {WORST_LISTS.map((list) => {
        const entries = analysis.top[list.id].slice(0, SHOWN);
        return (
          <div key={list.id} class="worst-list">
            <h3>worst {list.title}</h3>
            {entries.length === 0 ? (
              <p class="none">none</p>
            ) : (
              <ul>
                {entries.map(([ngram, percent]) => (
                  <li key={ngram}>
                    <button
                      type="button"
                      aria-pressed={picked === ngram}
                      onClick={() => onPick(picked === ngram ? null : ngram)}
                    >
                      <span class="ngram">{[...ngram].map(svgLegend).join("")}</span>{" "}
                      {percent.toFixed(2)}%
                    </button>
                  </li>
                ))}
              </ul>
            )}
          </div>
        );
      })}
    </section>
  );
}
