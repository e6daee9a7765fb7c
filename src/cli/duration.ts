import { InvalidArgumentError } from "commander";

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/**
 * "90s", "2m", "1.5h", "500ms", or a plain number of seconds, in milliseconds. A flag parser:
 * commander names the flag when it refuses a value (see flag-values.ts).
 */
export function parseDuration(text: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(text.trim());
  const ms = match ? Number(match[1]) * (UNITS[match[2] ?? "s"] as number) : Number.NaN;
  if (!(ms > 0) || !Number.isFinite(ms)) {
    throw new InvalidArgumentError("not a duration: write e.g. 60s, 2m or 500ms");
  }
  return ms;
}
