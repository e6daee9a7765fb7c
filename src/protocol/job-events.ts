import { z } from "zod";
import { jobStatusSchema, sha256Hex } from "./job-messages.ts";

/**
 * The events of one job as the hive publishes them on its event bus and streams them from
 * GET /jobs/:id/events (after a `snapshot` event holding the job's view).
 */
export const jobCreatedEventSchema = z
  .strictObject({ type: z.literal("job.created"), jobId: sha256Hex, name: z.string() })
  .describe("A new job was submitted.");

export const jobProgressEventSchema = z
  .strictObject({
    type: z.literal("job.progress"),
    jobId: sha256Hex,
    bestScore: z.number().describe("The job's new best score (lower is better)."),
    layout: z.string().describe("The new best layout, as layout text."),
  })
  .describe("The job has a new best layout (at most one such event a second per job).");

export const unitDoneEventSchema = z
  .strictObject({
    type: z.literal("unit.done"),
    jobId: sha256Hex,
    unitId: z.string(),
    score: z.number().describe("The hive's score of the unit's result."),
  })
  .describe("A unit's result was accepted.");

export const unitRequeuedEventSchema = z
  .strictObject({ type: z.literal("unit.requeued"), jobId: sha256Hex, unitId: z.string() })
  .describe(
    "A unit went back to the queue: its agent gave it back, could not run it, or went silent.",
  );

export const unitFailedEventSchema = z
  .strictObject({ type: z.literal("unit.failed"), jobId: sha256Hex, unitId: z.string() })
  .describe("A unit failed for good: every attempt allowed to it ended without a result.");

export const jobCompletedEventSchema = z
  .strictObject({
    type: z.literal("job.completed"),
    jobId: sha256Hex,
    status: jobStatusSchema.describe(
      "How the job ended: completed, or failed if no unit was done.",
    ),
  })
  .describe("Every unit of the job has finished.");

export const jobCancelledEventSchema = z
  .strictObject({ type: z.literal("job.cancelled"), jobId: sha256Hex })
  .describe("The job was cancelled; its unfinished units will not run.");

export const jobRetriedEventSchema = z
  .strictObject({
    type: z.literal("job.retried"),
    jobId: sha256Hex,
    units: z.number().int().min(0).describe("Units queued again: the failed and cancelled ones."),
  })
  .describe(
    "A failed or cancelled job was started again by its owner or an admin; its done units stay.",
  );

export const jobEventSchema = z.discriminatedUnion("type", [
  jobCreatedEventSchema,
  jobProgressEventSchema,
  unitDoneEventSchema,
  unitRequeuedEventSchema,
  unitFailedEventSchema,
  jobCompletedEventSchema,
  jobCancelledEventSchema,
  jobRetriedEventSchema,
]);

export type JobEvent = z.infer<typeof jobEventSchema>;

/** Event types a job stream carries, so a client can tell a job event from one it does not know. */
export const JOB_EVENT_TYPES: ReadonlySet<string> = new Set(
  jobEventSchema.options.map((option) => option.shape.type.value),
);

/**
 * The unit count an event that ends a lease adds to. A unit of a time-budgeted job given back
 * is withdrawn, not queued: the job's time goes on in units cut anew.
 */
export function unitCountOfEvent(
  type: "unit.done" | "unit.requeued" | "unit.failed",
  timeBudgeted: boolean,
): "done" | "queued" | "failed" | "cancelled" {
  if (type === "unit.done") return "done";
  if (type === "unit.failed") return "failed";
  return timeBudgeted ? "cancelled" : "queued";
}
