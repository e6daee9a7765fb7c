import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, readFileSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { writeDurably } from "../../src/infra/durable-file.ts";

describe("durable file writes", () => {
  it("replaces a file whole, owner-only, leaving nothing aside", async () => {
    const folder = mkdtempSync(join(tmpdir(), "keyforge-durable-"));
    const file = join(folder, "f.json");
    assert.equal(await writeDurably(file, "one"), true);
    assert.equal(await writeDurably(file, "two"), true);
    assert.equal(readFileSync(file, "utf8"), "two");
    assert.equal(statSync(file).mode & 0o777, 0o600);
    assert.deepEqual(readdirSync(folder), ["f.json"]);
  });

  it("keeps the first of racing writers when asked not to replace", async () => {
    const folder = mkdtempSync(join(tmpdir(), "keyforge-durable-"));
    const file = join(folder, "f.json");
    const wrote = await Promise.all(
      ["a", "b", "c", "d"].map((text) => writeDurably(file, text, { replace: false })),
    );
    assert.equal(wrote.filter(Boolean).length, 1);
    assert.equal(readFileSync(file, "utf8"), ["a", "b", "c", "d"][wrote.indexOf(true)]);
    assert.deepEqual(readdirSync(folder), ["f.json"]);
  });
});
