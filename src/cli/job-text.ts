import type { JobView } from "../protocol/job-messages.ts";

/** How jobs read in the terminal: the pieces every job command prints the same way. */

/** The id's first hex digits: enough to tell jobs apart, and accepted wherever an id is. */
export function shortJobId(id: string): string {
  return id.slice(0, 12);
}

/** A unit's id ("<job id>.<position>") with the job id shortened: "8229bd927f45.2". */
export function shortUnitId(unitId: string): string {
  const dot = unitId.lastIndexOf(".");
  return dot < 0 ? unitId : `${shortJobId(unitId.slice(0, dot))}${unitId.slice(dot)}`;
}

export function formatScore(score: number | null): string {
  return score === null ? "-" : score.toFixed(3);
}

/** An ISO time as "2026-11-27 11:43:05" (UTC, which the column headings say). */
export function formatTime(iso: string): string {
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)}`;
}

/** "2 failed, 1 cancelled": the counts that are not zero. */
function nonZero(counts: readonly (readonly [string, number])[]): string[] {
  return counts.filter(([, count]) => count > 0).map(([what, count]) => `${count} ${what}`);
}

/** "3/8 done, 2 running, 3 queued", with the failed and cancelled ones when there are any. */
export function unitStates(units: JobView["units"]): string {
  return [
    `${units.done}/${units.total} done`,
    `${units.leased} running`,
    `${units.queued} queued`,
    ...nonZero([
      ["failed", units.failed],
      ["cancelled", units.cancelled],
    ]),
  ].join(", ");
}

/** "1/2 units done", with the leased, failed and cancelled ones when there are any. */
export function unitProgress(units: JobView["units"]): string {
  const others = nonZero([
    ["running", units.leased],
    ["failed", units.failed],
    ["cancelled", units.cancelled],
  ]);
  return `${units.done}/${units.total} units done${others.length > 0 ? ` (${others.join(", ")})` : ""}`;
}

/** Between a layout's rows on one line: not a character a layout could hold, as "/" is. */
const ROW_SEPARATOR = " │ ";

/**
 * Layouts of one board, each on one line with only the keys that are not the same in all of
 * them (keys the search left alone take up no room; the shown ones stay in columns), rows
 * separated by "│". Layouts that do not differ are shown whole.
 */
export function differingKeys(layouts: readonly string[]): string[] {
  const parsed = layouts.map((text) =>
    text
      .trimEnd()
      .split("\n")
      .map((row) => row.trim().split(/\s+/)),
  );
  const [first] = parsed;
  const varies = (row: number, key: number) =>
    parsed.some((layout) => layout[row]?.[key] !== first?.[row]?.[key]);
  const shown = parsed.map((layout) =>
    layout
      .map((row, r) => row.filter((_, k) => varies(r, k)).join(" "))
      .filter((row) => row !== "")
      .join(ROW_SEPARATOR),
  );
  if (shown.some((text) => text !== "")) return shown;
  return parsed.map((layout) => layout.map((row) => row.join(" ")).join(ROW_SEPARATOR));
}
