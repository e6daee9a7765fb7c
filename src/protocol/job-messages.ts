import { sha256 } from "@noble/hashes/sha2.js";
import { bytesToHex, utf8ToBytes } from "@noble/hashes/utils.js";
import { z } from "zod";
import { assetIdSchema } from "../core/asset-id.ts";
import { canonicalJson } from "../core/canonical-json.ts";
import { formatElapsed } from "../core/elapsed-text.ts";
import { jsonDepth } from "../core/json-depth.ts";
import { DEFAULT_WEIGHTS_ID } from "../core/scoring/weights.ts";
import { displayNameSchema } from "./display-name.ts";
import { INPUT_LIMITS, limitedInteger, limitedString, withinLimit } from "./input-limits.ts";
import { metricsSchema } from "./metrics-schema.ts";

export const sha256Hex = z
  .string()
  .regex(/^[0-9a-f]{64}$/)
  .describe("SHA-256, 64 lower-case hex digits.");

/**
 * An inline document (board or weights); the hive validates it with the core validators. Its
 * nesting is bounded here, before anything walks it recursively.
 */
const inlineDocument = z
  .record(z.string(), z.unknown())
  .check(withinLimit("documentDepth", jsonDepth))
  .describe("The document itself, in its file format (keyforge-board/1, keyforge-weights/1).");

/** An inline board, its keys counted before the board validator compares every pair of them. */
const inlineBoard = inlineDocument
  .check(withinLimit("boardKeys", (board) => (Array.isArray(board.keys) ? board.keys.length : 0)))
  .describe("The board itself, in its file format (keyforge-board/1).");

/** Longest key id a job may name. */
const KEY_ID_MAX = 100;

/** Longest time budget of a job, and longest convergence window. */
const MAX_JOB_SECONDS = 7 * 24 * 3600;

/**
 * A job's search: its budget and seed, and the fields of core's SearchRequest
 * (search-request.ts). A job has a step budget (units × stepsPerUnit: reproducible work) or a
 * time budget (timeSeconds: the hive cuts units from each node's speed). Optional fields are
 * left out of a job's content when not given, so that jobs from before them keep their ids.
 */
const searchSettingsFields = z.strictObject({
  units: limitedInteger("units")
    .min(1)
    .optional()
    .describe("How many units a step-budgeted job is cut into (with stepsPerUnit)."),
  stepsPerUnit: limitedInteger("stepsPerUnit")
    .min(10_000)
    .optional()
    .describe("Annealing steps (proposals over all replicas) of each unit of a step-budgeted job."),
  timeSeconds: z
    .number()
    .int()
    .min(10)
    .max(MAX_JOB_SECONDS)
    .optional()
    .describe(
      "Time budget instead of units and steps: the job searches this many seconds from its first lease, on every node that leases it, in units the hive sizes from each node's speed.",
    ),
  convergeSeconds: z
    .number()
    .int()
    .min(10)
    .max(MAX_JOB_SECONDS)
    .optional()
    .describe("The job also ends when its best has not improved for this many seconds."),
  topDistance: z
    .number()
    .int()
    .min(1)
    .max(INPUT_LIMITS.boardKeys.max)
    .optional()
    .describe(
      "Fewest keys the job's listed top layouts differ in (default 6), so that they are real alternatives.",
    ),
  seed: z
    .number()
    .int()
    .min(0)
    .max(2 ** 32 - 1)
    .default(1)
    .describe("Seed of the first unit; unit i runs with a seed derived from it and i."),
  pins: limitedString("pins")
    .default("")
    .describe("Characters that stay where the start layout has them."),
  from: assetIdSchema
    .default("qwerty")
    .describe("Published layout to start from (its characters are what the search places)."),
  startLayout: limitedString("startLayoutChars")
    .min(1)
    .optional()
    .describe("Layout text to start from instead of `from`, in the board's key order."),
  allKeys: z
    .boolean()
    .default(false)
    .describe("Search every key, not only the board's 3x10 letter block."),
  place: limitedString("pins")
    .optional()
    .describe(
      "When given, the only characters that move; every other one stays where the start layout has it.",
    ),
  exclude: z
    .array(z.string().min(1).max(KEY_ID_MAX))
    .check(withinLimit("boardKeys", (ids) => ids.length))
    .meta({ maxItems: INPUT_LIMITS.boardKeys.max })
    .optional()
    .describe("Ids of keys whose content stays."),
  stayClose: z
    .number()
    .min(0)
    .optional()
    .describe(
      "Added to the score for every character away from its key in the start layout: keeps the result close to it.",
    ),
});

/** A search has one budget: units with their steps, or a time. */
function checkBudget(
  search: { units?: number; stepsPerUnit?: number; timeSeconds?: number },
  context: z.core.$RefinementCtx,
): void {
  const steps = search.units !== undefined || search.stepsPerUnit !== undefined;
  if (search.timeSeconds !== undefined && steps) {
    context.addIssue({
      code: "custom",
      path: ["timeSeconds"],
      message: "give a time budget (timeSeconds) or a step budget (units, stepsPerUnit), not both",
    });
  } else if (search.timeSeconds === undefined) {
    for (const field of ["units", "stepsPerUnit"] as const) {
      if (search[field] === undefined) {
        context.addIssue({
          code: "custom",
          path: [field],
          message: `a step-budgeted job needs units and stepsPerUnit (or give timeSeconds instead); ${field} is missing`,
        });
      }
    }
  }
}

export const searchSettingsSchema = searchSettingsFields.superRefine(checkBudget);

/** How a job's search is budgeted, read from its settings. */
export type JobBudget =
  | { readonly kind: "steps"; readonly units: number; readonly stepsPerUnit: number }
  | { readonly kind: "time"; readonly seconds: number };

export function jobBudgetOf(search: {
  units?: number;
  stepsPerUnit?: number;
  timeSeconds?: number;
}): JobBudget {
  return search.timeSeconds !== undefined
    ? { kind: "time", seconds: search.timeSeconds }
    : { kind: "steps", units: search.units ?? 1, stepsPerUnit: search.stepsPerUnit ?? 0 };
}

/** POST /jobs: what a user asks for, with assets named by id. */
export const jobSubmissionSchema = z.strictObject({
  name: displayNameSchema(200).describe("A name for people; not part of the job id."),
  board: z
    .union([assetIdSchema, inlineBoard])
    .describe('Built-in or published board id (e.g. "corne"), or an inline board.'),
  corpora: z
    .array(
      z.strictObject({
        id: assetIdSchema.describe('Published corpus id, e.g. "en".'),
        weight: z.number().positive().max(1_000_000).default(1),
      }),
    )
    .min(1)
    .check(withinLimit("corpora", (corpora) => corpora.length))
    .meta({ maxItems: INPUT_LIMITS.corpora.max })
    .describe("Corpora to blend; each is normalised before its weight applies."),
  weights: z
    .union([assetIdSchema, inlineDocument])
    .default(DEFAULT_WEIGHTS_ID)
    .describe("Weights id or an inline weights document."),
  weightOverrides: z
    .record(z.string().min(1).max(64), z.number().finite())
    .default({})
    .check(withinLimit("weightOverrides", (overrides) => Object.keys(overrides).length))
    .describe('Single weights or parameters to change, e.g. { "sfb": 20 }.'),
  search: searchSettingsSchema,
  priority: z
    .number()
    .int()
    .min(-1000)
    .max(1000)
    .default(0)
    .describe("Higher runs first; only admins may set a priority above 0."),
});

export type JobSubmission = z.infer<typeof jobSubmissionSchema>;

/** An asset pinned to the version the job was submitted against. */
const pinnedAsset = z.strictObject({ path: z.string(), sha256: sha256Hex });

/**
 * What a job computes, with every asset resolved to its SHA-256: hashed (canonically) into the
 * job id, stored with the job, and sent to agents with each unit.
 */
export const jobContentSchema = z.strictObject({
  format: z.literal("keyforge-job/1"),
  board: z.union([pinnedAsset, z.strictObject({ inline: inlineBoard })]),
  start: z.union([pinnedAsset, z.strictObject({ text: z.string() })]),
  corpora: z.array(pinnedAsset.extend({ weight: z.number().positive() })).min(1),
  weights: z.union([pinnedAsset, z.strictObject({ inline: inlineDocument })]),
  weightOverrides: z.record(z.string(), z.number()),
  search: searchSettingsFields.omit({ from: true, startLayout: true }).superRefine(checkBudget),
});

export type JobContent = z.infer<typeof jobContentSchema>;

/** The job id: SHA-256 of the content's canonical JSON, so equal jobs have equal ids. */
export function jobIdOf(content: JobContent): string {
  return bytesToHex(sha256(utf8ToBytes(canonicalJson(content))));
}

export const jobStatusSchema = z.enum(["queued", "running", "completed", "cancelled", "failed"]);

/** A job in one of these states runs no more (until it is retried). */
export function isFinished(status: z.infer<typeof jobStatusSchema>): boolean {
  return status === "completed" || status === "cancelled" || status === "failed";
}

const unitCountsSchema = z.strictObject({
  total: z.number().int(),
  queued: z.number().int(),
  leased: z.number().int(),
  done: z.number().int(),
  failed: z.number().int(),
  cancelled: z.number().int(),
});

/** What ended a finished job's search. */
export const jobEndSchema = z
  .enum(["units", "time", "convergence"])
  .describe(
    "units: every unit of its step budget is in; time: its time budget is spent; convergence: its best stopped improving for convergeSeconds.",
  );

/** What ended a job's search, in words: "its time budget was spent". */
export function endedByText(
  endedBy: z.infer<typeof jobEndSchema>,
  convergeSeconds: number | undefined,
): string {
  switch (endedBy) {
    case "time":
      return "its time budget was spent";
    case "convergence":
      return convergeSeconds === undefined
        ? "its best stopped improving"
        : `its best stopped improving for ${formatElapsed(convergeSeconds * 1000)}`;
    case "units":
      return "every unit is in";
  }
}

const rankedLayoutSchema = z.strictObject({
  score: z.number().describe("The hive's own score of the layout (lower is better)."),
  layout: z.string().describe("Layout text, in the board's key order."),
  unitId: z.string(),
});

/** A job as GET /jobs lists it. */
export const jobSummarySchema = z.strictObject({
  id: sha256Hex.describe("SHA-256 of the job's canonical content."),
  name: z.string(),
  status: jobStatusSchema,
  priority: z.number().int(),
  units: z.number().int(),
  bestScore: z.number().nullable(),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
  finishedAt: z.iso.datetime().nullable(),
  startedAt: z.iso
    .datetime()
    .nullable()
    .describe("When the first unit was leased: a time budget counts from here."),
  endsAt: z.iso
    .datetime()
    .nullable()
    .describe("When a time-budgeted job stops leasing; null for step-budgeted jobs."),
  endedBy: jobEndSchema.nullable().describe("What ended the search; null until it has ended."),
});

/** GET /jobs/:id, and the answer to POST /jobs and DELETE /jobs/:id. */
export const jobViewSchema = jobSummarySchema.omit({ units: true }).extend({
  content: jobContentSchema,
  units: unitCountsSchema,
  progress: z
    .number()
    .min(0)
    .max(1)
    .describe(
      "Share of units finished (done or failed); for a time-budgeted job, share of its time spent.",
    ),
  best: rankedLayoutSchema
    .extend({ metrics: metricsSchema })
    .nullable()
    .describe("The best result, with every metric of its layout."),
  top: z
    .array(rankedLayoutSchema)
    .describe(
      "The best results, lowest score first, each at least the job's topDistance keys apart from the others.",
    ),
});

export const jobListSchema = z.strictObject({
  jobs: z.array(jobSummarySchema),
  nextCursor: z
    .string()
    .nullable()
    .describe("Pass as `cursor` for the next page; null on the last page."),
});

export const jobListQuerySchema = z.strictObject({
  status: jobStatusSchema.optional(),
  mine: z
    .enum(["true", "false"])
    .optional()
    .describe("true: only the jobs submitted with the caller's API key."),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(200).optional(),
});

export type JobView = z.infer<typeof jobViewSchema>;
export type JobSummary = z.infer<typeof jobSummarySchema>;
