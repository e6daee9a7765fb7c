import { KeyForgeError } from "./errors.ts";

/**
 * Deepest nesting canonicalJson writes: far beyond any document a request may carry (the
 * protocol's limits bound them much lower), far below what overflows the call stack, so a value
 * that slipped past those limits is refused with a typed error instead of a crash.
 */
export const MAX_CANONICAL_DEPTH = 1000;

/**
 * The one text of a JSON value that hashing can rely on: object keys sorted by code unit,
 * no whitespace, numbers in JavaScript's shortest form, -0 written as 0. Equal values give equal
 * texts whatever order their keys were written in. Values JSON cannot hold (undefined inside
 * arrays, NaN, Infinity, functions) are refused instead of being silently changed.
 */
export function canonicalJson(value: unknown): string {
  return canonicalText(value, 0);
}

function canonicalText(value: unknown, depth: number): string {
  if (value === null || typeof value === "boolean" || typeof value === "string") {
    return JSON.stringify(value);
  }
  if (typeof value === "number") {
    if (!Number.isFinite(value)) {
      throw new KeyForgeError("JSON_NOT_CANONICAL", `${value} has no JSON form`);
    }
    return JSON.stringify(Object.is(value, -0) ? 0 : value);
  }
  if (typeof value === "object" && depth >= MAX_CANONICAL_DEPTH) {
    throw new KeyForgeError(
      "JSON_TOO_DEEP",
      `a value nested more than ${MAX_CANONICAL_DEPTH} levels deep has no canonical form here`,
    );
  }
  if (Array.isArray(value)) {
    return `[${value.map((item) => canonicalText(item, depth + 1)).join(",")}]`;
  }
  if (typeof value === "object") {
    const fields = Object.entries(value as Record<string, unknown>)
      .filter(([, field]) => field !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([key, field]) => `${JSON.stringify(key)}:${canonicalText(field, depth + 1)}`);
    return `{${fields.join(",")}}`;
  }
  throw new KeyForgeError("JSON_NOT_CANONICAL", `a ${typeof value} has no JSON form`);
}
