import { z } from "zod";
import { KeyForgeError } from "../core/errors.ts";

interface InputLimit {
  /** The most a request may ask for. */
  readonly max: number;
  /** What is counted, as the table in docs/hive-api.md names it. */
  readonly counts: string;
}

/**
 * Every input that drives what a job costs the hive to check, declared once: the schemas, the
 * compile budget, the error details and the table in docs/hive-api.md all read it. Generous for
 * real use (the largest real boards have about 110 keys), far below what stalls a hive (a
 * 5,000-key board took 20 s and 3.8 GB to compile).
 */
export const INPUT_LIMITS = {
  bodyBytes: { max: 1024 * 1024, counts: "bytes of a request body" },
  documentDepth: { max: 32, counts: "levels of nesting of an inline board or weights document" },
  boardKeys: { max: 256, counts: "keys of a job's board, inline or published" },
  startLayoutChars: { max: 20_000, counts: "characters of a start layout's text" },
  pins: { max: 200, counts: "characters of a job's pins" },
  corpora: { max: 16, counts: "corpora blended into a job" },
  corpusNgrams: {
    max: 1_000_000,
    counts: "n-gram table entries of a job's corpora together (all orders)",
  },
  weightOverrides: { max: 64, counts: "weight overrides of a job" },
  units: { max: 10_000, counts: "units of a job" },
  stepsPerUnit: { max: 100_000_000_000, counts: "annealing steps of a unit" },
  compileSeconds: { max: 10, counts: "seconds the hive spends checking a job" },
  compileMemoryMb: { max: 512, counts: "MiB of heap the hive spends checking a job" },
} as const satisfies Record<string, InputLimit>;

export type LimitName = keyof typeof INPUT_LIMITS;

/** What LIMIT_EXCEEDED carries in `details`; `got` is absent when the work was stopped. */
export interface LimitDetails {
  readonly limit: LimitName;
  readonly max: number;
  readonly got?: number;
}

function limitMessage({ limit, max, got }: LimitDetails): string {
  const { counts } = INPUT_LIMITS[limit];
  const most = max.toLocaleString("en-US");
  return got === undefined
    ? `${counts}: over the limit (${limit}) of ${most}`
    : `${got.toLocaleString("en-US")} ${counts}; the limit (${limit}) is ${most}`;
}

/**
 * A request over one of the INPUT_LIMITS: 400 LIMIT_EXCEEDED with the limit in `details`. `max`
 * is the declared one unless the hive was given another (a compile budget).
 */
export class LimitExceededError extends KeyForgeError {
  readonly details: LimitDetails;

  constructor(limit: LimitName, got?: number, max: number = INPUT_LIMITS[limit].max) {
    const details = { limit, max, ...(got === undefined ? {} : { got }) };
    super("LIMIT_EXCEEDED", limitMessage(details));
    this.details = details;
  }
}

/** Throws LIMIT_EXCEEDED when `got` is over the limit. */
export function checkLimit(limit: LimitName, got: number): void {
  if (got > INPUT_LIMITS[limit].max) throw new LimitExceededError(limit, got);
}

/**
 * A schema check refusing a value whose `measure` is over the limit, with the limit's details as
 * the issue's params, so the hive can answer LIMIT_EXCEEDED instead of a generic invalid request.
 */
export function withinLimit<T>(limit: LimitName, measure: (value: T) => number) {
  const { max } = INPUT_LIMITS[limit];
  return (payload: z.core.ParsePayload<T>) => {
    const got = measure(payload.value);
    if (got <= max) return;
    const details: LimitDetails = { limit, max, got };
    payload.issues.push({
      code: "custom",
      message: limitMessage(details),
      input: payload.value,
      params: details,
    });
  };
}

function isLimitDetails(value: unknown): value is LimitDetails {
  const limit = (value as { limit?: unknown } | null)?.limit;
  return typeof limit === "string" && Object.hasOwn(INPUT_LIMITS, limit);
}

/**
 * The first limit among schema issues (zod's, or fastify's wrapping of them), looking inside the
 * alternatives of unions: an inline board over its limit fails as one alternative of the board.
 */
export function exceededLimit(issues: readonly unknown[]): LimitDetails | null {
  const pending = [...issues];
  for (let issue = pending.shift(); issue !== undefined; issue = pending.shift()) {
    const { params, errors } = (issue ?? {}) as { params?: unknown; errors?: unknown };
    if (isLimitDetails(params)) return params;
    if (typeof params === "object" && params !== null) pending.push(params);
    if (Array.isArray(errors)) pending.push(...errors.flat());
  }
  return null;
}

/** An integer of at most the limit, published as the schema's maximum. */
export const limitedInteger = (limit: LimitName) =>
  z
    .number()
    .int()
    .check(withinLimit(limit, (n: number) => n))
    .meta({ maximum: INPUT_LIMITS[limit].max });

/** A string of at most the limit's characters (UTF-16 code units, as JSON Schema counts). */
export const limitedString = (limit: LimitName) =>
  z
    .string()
    .check(withinLimit(limit, (s: string) => s.length))
    .meta({ maxLength: INPUT_LIMITS[limit].max });
