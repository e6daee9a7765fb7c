import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { ERROR_CODES } from "../../src/core/error-codes.ts";

const SRC = fileURLToPath(new URL("../../src/", import.meta.url));

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sources(path);
    return entry.name.endsWith(".ts") && !path.endsWith("error-codes.ts") ? [path] : [];
  });
}

describe("the error codes", () => {
  it("are each raised somewhere: a code nothing raises is taken out of the list", () => {
    const code = sources(SRC)
      .map((path) => readFileSync(path, "utf8"))
      .join("\n");
    const unused = ERROR_CODES.filter((name) => !code.includes(`"${name}"`));
    assert.deepEqual(unused, []);
  });

  it("are listed once, in order, in the shape of a code", () => {
    assert.deepEqual([...ERROR_CODES], [...new Set(ERROR_CODES)].sort());
    for (const name of ERROR_CODES) assert.match(name, /^[A-Z][A-Z0-9]*(_[A-Z0-9]+)*$/);
  });
});
