import { useEffect, useRef } from "preact/hooks";
import "uplot/dist/uPlot.min.css";
import type uPlot from "uplot";

/** A series of best scores: seconds since the start, and the best score then. */
export interface ScoreSeries {
  readonly seconds: readonly number[];
  readonly scores: readonly number[];
}

const HEIGHT = 220;

/** The page's ink and line colours, so the chart follows the light or dark scheme. */
function themeColours(element: Element): { ink: string; line: string; accent: string } {
  const style = getComputedStyle(element);
  const colour = (name: string) => style.getPropertyValue(name).trim();
  return { ink: colour("--ink"), line: colour("--line"), accent: colour("--accent") };
}

function chartOptions(element: HTMLElement, label: string): uPlot.Options {
  const { ink, line, accent } = themeColours(element);
  const axis = { stroke: ink, grid: { stroke: line, width: 1 }, ticks: { stroke: line } };
  return {
    width: Math.max(200, element.clientWidth),
    height: HEIGHT,
    scales: { x: { time: false } },
    legend: { show: false },
    cursor: { show: false },
    series: [{ label: "seconds" }, { label, stroke: accent, width: 2 }],
    axes: [
      { ...axis, label: "seconds" },
      { ...axis, label, size: 70 },
    ],
  };
}

/**
 * The best score over time, drawn by uPlot (loaded with the first chart, not with the page).
 * The numbers are also in the page's text: the chart is a picture with a label that says what
 * it shows and its latest value.
 */
export function ScoreChart({ series, label }: { series: ScoreSeries; label: string }) {
  const holder = useRef<HTMLDivElement>(null);
  const chart = useRef<uPlot | null>(null);
  const latest = useRef(series);
  latest.current = series;

  useEffect(() => {
    let current = true;
    const element = holder.current;
    if (element === null) return;
    let resize: ResizeObserver | null = null;
    import("uplot").then(({ default: UPlot }) => {
      if (!current) return;
      const data: uPlot.AlignedData = [[...latest.current.seconds], [...latest.current.scores]];
      chart.current = new UPlot(chartOptions(element, label), data, element);
      resize = new ResizeObserver(() =>
        chart.current?.setSize({ width: Math.max(200, element.clientWidth), height: HEIGHT }),
      );
      resize.observe(element);
    });
    return () => {
      current = false;
      resize?.disconnect();
      chart.current?.destroy();
      chart.current = null;
    };
  }, [label]);

  useEffect(() => {
    chart.current?.setData([[...series.seconds], [...series.scores]]);
  }, [series]);

  const last = series.scores.at(-1);
  return (
    <figure class="score-chart">
      <div
        ref={holder}
        role="img"
        aria-label={`${label} over time${last === undefined ? "" : `; now ${last.toFixed(3)}`}`}
      />
    </figure>
  );
}
