import { z } from "zod";
import { analysisDocumentSchema } from "./analysis-document.ts";
import { assetEventSchema, manifestSchema } from "./asset-messages.ts";
import { jobEventSchema } from "./job-events.ts";
import { nodeEventSchema } from "./node-events.ts";

/** JSON Schemas of the documents KeyForge prints, by the file name they are published under. */
export function documentedSchemas(): Record<string, unknown> {
  return {
    "analysis.schema.json": {
      title: "KeyForge layout analysis (keyforge analyze --json)",
      ...z.toJSONSchema(analysisDocumentSchema),
    },
    "asset-manifest.schema.json": {
      title: "KeyForge asset manifest (GET /manifest of the assets gateway)",
      ...z.toJSONSchema(manifestSchema),
    },
    "job-event.schema.json": {
      title: "KeyForge job event (GET /jobs/:id/events and GET /events of the hive)",
      ...z.toJSONSchema(jobEventSchema),
    },
    "asset-event.schema.json": {
      title: "KeyForge asset event (asset.updated, asset.removed on the event bus)",
      ...z.toJSONSchema(assetEventSchema),
    },
    "node-event.schema.json": {
      title: "KeyForge node event (node.joined, node.left on the event bus and GET /events)",
      ...z.toJSONSchema(nodeEventSchema),
    },
  };
}
