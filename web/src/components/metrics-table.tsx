import type { LayoutAnalysis } from "../../../src/core/scoring/analysis.ts";
import { formatMetric } from "../../../src/core/scoring/metric.ts";
import { METRICS, type WeightedTerm } from "../../../src/core/scoring/metric-catalogue.ts";
import type { Weights } from "../../../src/core/scoring/weights.ts";

interface MetricsTableProps {
  readonly analysis: LayoutAnalysis;
  /** The analysis the changes are measured from (the view's starting layout). */
  readonly start: LayoutAnalysis;
  readonly weights: Weights;
}

function change(now: number, before: number, digits: number): string {
  const delta = now - before;
  if (Math.abs(delta) < 0.5 * 10 ** -digits) return "";
  return `${delta > 0 ? "+" : "−"}${Math.abs(delta).toFixed(digits)}`;
}

/** Every metric with its change since the start, its weight and what it adds to the score. */
export function MetricsTable({ analysis, start, weights }: MetricsTableProps) {
  return (
    <table class="figures metrics">
      <caption>
        Score{" "}
        <strong data-metric="score" data-value={analysis.score}>
          {analysis.score.toFixed(3)}
        </strong>{" "}
        <span class="change">{change(analysis.score, start.score, 3)}</span> (lower is better)
      </caption>
      <thead>
        <tr>
          <th scope="col">metric</th>
          <th scope="col">value</th>
          <th scope="col">change</th>
          <th scope="col">weight</th>
          <th scope="col">adds</th>
        </tr>
      </thead>
      <tbody>
        {METRICS.map((metric) => {
          const value = analysis.metrics[metric.key];
          const term = metric.weighted ? (metric.key as WeightedTerm) : null;
          return (
            <tr key={metric.key} title={metric.doc}>
              <th scope="row">{metric.label.trim()}</th>
              <td data-metric={metric.key} data-value={value}>
                {formatMetric(value, metric.unit)}
              </td>
              <td class="change">
                {change(value, start.metrics[metric.key], metric.unit === "%" ? 2 : 3)}
              </td>
              <td>{term === null ? "" : weights.weights[term]}</td>
              <td>{term === null ? "" : analysis.contributions[term].toFixed(2)}</td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
