import { z } from "zod";
import { analysisDocumentSchema } from "./analysis-document.ts";
import { assetEventSchema, manifestSchema } from "./asset-messages.ts";

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
    "asset-event.schema.json": {
      title: "KeyForge asset event (asset.updated, asset.removed on the event bus)",
      ...z.toJSONSchema(assetEventSchema),
    },
  };
}
