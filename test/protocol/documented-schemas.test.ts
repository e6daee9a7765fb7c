import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { documentedSchemas } from "../../src/protocol/documented-schemas.ts";

describe("documented JSON schemas", () => {
  it("match the schemas the code validates with (run npm run schemas after a change)", () => {
    for (const [file, schema] of Object.entries(documentedSchemas())) {
      const published = JSON.parse(
        readFileSync(new URL(`../../docs/schemas/${file}`, import.meta.url), "utf8"),
      );
      assert.deepEqual(published, JSON.parse(JSON.stringify(schema)), file);
    }
  });
});
