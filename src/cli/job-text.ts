import type { JobView } from "../protocol/job-messages.ts";

/** How jobs read in the terminal: the pieces every job command prints the same way. */

/** The id's first hex digits: enough to tell jobs apart, and accepted wherever an id is. */
export function shortJobId(id: string): string {
  return id.slice(0, 12);
}

export function formatScore(score: number | null): string {
  return score === null ? "-" : score.toFixed(3);
}

/** An ISO time as "2026-11-27 11:43:05" (UTC, which the column headings say). */
export function formatTime(iso: string): string {
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)}`;
}

/** "42s", "3m 05s", "2h 07m". */
export function formatElapsed(ms: number): string {
  const seconds = Math.max(0, Math.floor(ms / 1000));
  if (seconds < 60) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes}m ${String(seconds % 60).padStart(2, "0")}s`;
  return `${Math.floor(minutes / 60)}h ${String(minutes % 60).padStart(2, "0")}m`;
}

/** "1/2 units done", with the leased, failed and cancelled ones when there are any. */
export function unitProgress(units: JobView["units"]): string {
  const others = (
    [
      ["running", units.leased],
      ["failed", units.failed],
      ["cancelled", units.cancelled],
    ] as const
  )
    .filter(([, count]) => count > 0)
    .map(([what, count]) => `${count} ${what}`);
  return `${units.done}/${units.total} units done${others.length > 0 ? ` (${others.join(", ")})` : ""}`;
}

/** Layout text on one line, its rows separated by " / ", for lists. */
export function layoutOnOneLine(text: string): string {
  return text.trimEnd().split("\n").join(" / ");
}

export function isFinished(status: JobView["status"]): boolean {
  return status === "completed" || status === "cancelled" || status === "failed";
}
