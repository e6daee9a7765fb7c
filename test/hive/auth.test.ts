import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { matchesSecret } from "../../src/hive/auth.ts";

describe("matchesSecret", () => {
  it("accepts the current and the previous secret during a rotation, nothing else", () => {
    const secrets = ["new-secret", "old-secret"];
    assert.equal(matchesSecret("new-secret", secrets), true);
    assert.equal(matchesSecret("old-secret", secrets), true);
    assert.equal(matchesSecret("new-secre", secrets), false);
    assert.equal(matchesSecret("new-secretx", secrets), false);
    assert.equal(matchesSecret("", secrets), false);
    assert.equal(matchesSecret("anything", []), false);
  });
});
