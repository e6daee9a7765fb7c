/**
 * Writes the JSON Schemas of KeyForge's JSON outputs into docs/schemas/, generated from the zod
 * schemas in src/protocol so the documentation never drifts (a test compares them).
 */
import { writeFile } from "node:fs/promises";
import { documentedSchemas } from "../src/protocol/documented-schemas.ts";

for (const [file, schema] of Object.entries(documentedSchemas())) {
  const path = new URL(`../docs/schemas/${file}`, import.meta.url);
  await writeFile(path, `${JSON.stringify(schema, null, 2)}\n`);
  console.log(`wrote docs/schemas/${file}`);
}
