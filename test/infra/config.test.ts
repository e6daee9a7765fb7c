import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { KeyForgeError } from "../../src/core/errors.ts";
import { readSetting } from "../../src/infra/config.ts";

describe("readSetting", () => {
  const dir = mkdtempSync(join(tmpdir(), "keyforge-config-"));

  it("reads the variable itself first", () => {
    assert.equal(readSetting("X", { X: "direct", X_FILE: "/nonexistent" }), "direct");
  });

  it("reads NAME_FILE without its final newline", () => {
    const file = join(dir, "secret");
    writeFileSync(file, "s3cret value\n");
    assert.equal(readSetting("X", { X_FILE: file }), "s3cret value");
  });

  it("is undefined when neither is set", () => {
    assert.equal(readSetting("X", {}), undefined);
  });

  it("names the variable, not the content, when the file cannot be read", () => {
    assert.throws(
      () => readSetting("HIVE_SECRET", { HIVE_SECRET_FILE: join(dir, "missing") }),
      (error: unknown) =>
        error instanceof KeyForgeError &&
        error.code === "CONFIG_UNREADABLE" &&
        /HIVE_SECRET_FILE/.test(error.message),
    );
  });
});
