import { z } from "zod";
import { assetEventSchema } from "./asset-messages.ts";
import { jobEventSchema } from "./job-events.ts";
import { nodeEventSchema } from "./node-events.ts";

/**
 * Everything published on the event bus (Valkey pub/sub, or the embedded in-memory bus): the
 * events of jobs, of assets and of nodes. Publishers can send nothing else; GET /events
 * streams them all.
 */
export const busEventSchema = z.discriminatedUnion("type", [
  ...jobEventSchema.options,
  ...assetEventSchema.options,
  ...nodeEventSchema.options,
]);

export type BusEvent = z.infer<typeof busEventSchema>;
