import { KeyForgeError } from "./errors.ts";

/**
 * The one text of a JSON value that hashing can rely on: object keys sorted by code unit,
 * no whitespace, numbers in JavaScript's shortest form, -0 written as 0. Equal values give equal
 * texts whatever order their keys were written in. Values JSON cannot hold (undefined inside
 * arrays, NaN, Infinity, functions) are refused instead of being silently changed.
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value === "boolean" || typeof value === "string") {
    return JSON.stringify(value);
  }
  if (typeof value === "number") {
    if (!Number.isFinite(value)) {
      throw new KeyForgeError("JSON_NOT_CANONICAL", `${value} has no JSON form`);
    }
    return JSON.stringify(Object.is(value, -0) ? 0 : value);
  }
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (typeof value === "object") {
    const fields = Object.entries(value as Record<string, unknown>)
      .filter(([, field]) => field !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([key, field]) => `${JSON.stringify(key)}:${canonicalJson(field)}`);
    return `{${fields.join(",")}}`;
  }
  throw new KeyForgeError("JSON_NOT_CANONICAL", `a ${typeof value} has no JSON form`);
}
