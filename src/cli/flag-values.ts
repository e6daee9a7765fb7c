import { KeyForgeError } from "../core/errors.ts";

/** Commander parsers for flag values: each turns a bad value into FLAG_INVALID. */

/** Repeatable flag: every value, in order. */
export function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

export function finiteNumber(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n)) throw new KeyForgeError("FLAG_INVALID", `"${value}" is not a number`);
  return n;
}

export function wholeNumber(value: string): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < 0) {
    throw new KeyForgeError("FLAG_INVALID", `"${value}" is not a whole number`);
  }
  return n;
}

export function nonNegativeNumber(value: string): number {
  const n = Number(value);
  if (!(n >= 0) || !Number.isFinite(n)) {
    throw new KeyForgeError("FLAG_INVALID", `"${value}" is not a non-negative number`);
  }
  return n;
}
