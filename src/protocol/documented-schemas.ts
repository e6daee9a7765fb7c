import { z } from "zod";
import { analysisDocumentSchema } from "./analysis-document.ts";

/** JSON Schemas of the documents KeyForge prints, by the file name they are published under. */
export function documentedSchemas(): Record<string, unknown> {
  return {
    "analysis.schema.json": {
      title: "KeyForge layout analysis (keyforge analyze --json)",
      ...z.toJSONSchema(analysisDocumentSchema),
    },
  };
}
