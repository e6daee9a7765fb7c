import { InvalidArgumentError } from "commander";
import type { z } from "zod";

/**
 * Commander parsers for flag values. Each refuses a bad value with InvalidArgumentError, which
 * commander reports with the flag's name and the value ("option '--steps <n>' argument 'abc' is
 * invalid: not a whole number") before any command starts; so the reasons here name neither.
 */

/** Repeatable flag: every value, in order. */
export function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

export function finiteNumber(value: string): number {
  const n = Number(value);
  if (value.trim() === "" || !Number.isFinite(n)) throw new InvalidArgumentError("not a number");
  return n;
}

export function wholeNumber(value: string): number {
  const n = Number(value);
  if (value.trim() === "" || !Number.isSafeInteger(n) || n < 0) {
    throw new InvalidArgumentError("not a whole number");
  }
  return n;
}

/** A count that must be at least one (a limit, a number of units). */
export function positiveWholeNumber(value: string): number {
  const n = wholeNumber(value);
  if (n < 1) throw new InvalidArgumentError("must be at least 1");
  return n;
}

export function nonNegativeNumber(value: string): number {
  const n = Number(value);
  if (value.trim() === "" || !(n >= 0) || !Number.isFinite(n)) {
    throw new InvalidArgumentError("not a non-negative number");
  }
  return n;
}

/** A TCP port; 0 asks the system for a free one. */
export function portNumber(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n > 65_535) {
    throw new InvalidArgumentError("not a port number (0 to 65535)");
  }
  return n;
}

/** A period in seconds, above zero and at most a day (timers cannot wait much longer). */
export function periodSeconds(value: string): number {
  const n = Number(value);
  if (!(n > 0 && n <= 86_400)) {
    throw new InvalidArgumentError("not a number of seconds in (0, 86400]");
  }
  return n;
}

/**
 * Most search threads one command starts. Not the machine's core count: the thread count sets
 * the number of replicas, so a run is reproduced elsewhere with the same count; but each thread
 * holds its own copy of the scoring tables, and far more threads than this only cost memory.
 */
export const MAX_THREADS = 256;

export function threadCount(value: string): number {
  const n = wholeNumber(value);
  if (n < 1 || n > MAX_THREADS) {
    throw new InvalidArgumentError(`must be 1 to ${MAX_THREADS} threads`);
  }
  return n;
}

/** A parser that checks a value as the protocol field it becomes, with the field's own words. */
export function protocolValue<T>(schema: z.ZodType<T, string>): (value: string) => T {
  return (value) => {
    const parsed = schema.safeParse(value);
    if (!parsed.success) {
      throw new InvalidArgumentError(parsed.error.issues.map((issue) => issue.message).join("; "));
    }
    return parsed.data;
  };
}
