import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { hiveSecrets } from "../../src/cli/hive-secrets.ts";

describe("hiveSecrets: HIVE_SECRET and, during a rotation, HIVE_SECRET_PREVIOUS", () => {
  const dir = mkdtempSync(join(tmpdir(), "keyforge-hive-secrets-"));
  const file = (name: string, content: string) => {
    const path = join(dir, name);
    writeFileSync(path, content, { mode: 0o600 });
    return path;
  };

  it("is the current secret first, then the previous one, from variables or files", () => {
    assert.deepEqual(hiveSecrets({ HIVE_SECRET: "new", HIVE_SECRET_PREVIOUS: "old" }), [
      "new",
      "old",
    ]);
    const env = {
      HIVE_SECRET_FILE: file("hive-secret", "new\n"),
      HIVE_SECRET_PREVIOUS_FILE: file("hive-secret-previous", "old\n"),
    };
    assert.deepEqual(hiveSecrets(env), ["new", "old"]);
  });

  it("has no previous secret when its file is empty (outside a rotation) or repeats the current one", () => {
    const current = file("current", "new\n");
    const empty = file("empty", "");
    assert.deepEqual(hiveSecrets({ HIVE_SECRET_FILE: current, HIVE_SECRET_PREVIOUS_FILE: empty }), [
      "new",
    ]);
    assert.deepEqual(hiveSecrets({ HIVE_SECRET: "new", HIVE_SECRET_PREVIOUS: "new" }), ["new"]);
    assert.deepEqual(hiveSecrets({}), []);
  });

  it("refuses a previous secret without a current one, quoting neither", () => {
    assert.throws(
      () => hiveSecrets({ HIVE_SECRET_PREVIOUS: "old-secret-value" }),
      (error: Error & { code?: string }) => {
        assert.equal(error.code, "CONFIG_INVALID");
        assert.match(error.message, /HIVE_SECRET_PREVIOUS is set but HIVE_SECRET is not/);
        assert.doesNotMatch(error.message, /old-secret-value/);
        return true;
      },
    );
  });
});
