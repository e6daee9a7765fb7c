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

/** A TCP port; 0 asks the system for a free one. */
export function portNumber(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n > 65_535) {
    throw new KeyForgeError("FLAG_INVALID", `"${value}" is not a port number (0 to 65535)`);
  }
  return n;
}

/** A period in seconds, above zero and at most a day (timers cannot wait much longer). */
export function periodSeconds(value: string): number {
  const n = Number(value);
  if (!(n > 0 && n <= 86_400)) {
    throw new KeyForgeError("FLAG_INVALID", `"${value}" is not a number of seconds in (0, 86400]`);
  }
  return n;
}
