import { z } from "zod";
import { nodeIdSchema as nodeId } from "./node-messages.ts";

/** Published when a node registers for the first time (or again after it was removed). */
export const nodeJoinedEventSchema = z
  .strictObject({ type: z.literal("node.joined"), nodeId })
  .describe("A new node registered with the hive.");

/** Published when an agent stops cleanly and says goodbye. */
export const nodeLeftEventSchema = z
  .strictObject({ type: z.literal("node.left"), nodeId })
  .describe("A node stopped cleanly and left the cluster (a silent one just expires).");

export const nodeEventSchema = z.discriminatedUnion("type", [
  nodeJoinedEventSchema,
  nodeLeftEventSchema,
]);

export type NodeEvent = z.infer<typeof nodeEventSchema>;
