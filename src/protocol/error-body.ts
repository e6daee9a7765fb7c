import { z } from "zod";

/** Body of every error answer of the hive and the assets gateway. */
export const errorBodySchema = z.strictObject({
  code: z.string().describe("Stable machine-readable code, e.g. JOB_NOT_FOUND."),
  message: z.string().describe("What went wrong, for a human."),
  details: z.unknown().optional().describe("Per-field problems, when there are several."),
});

export type ErrorBody = z.infer<typeof errorBodySchema>;
