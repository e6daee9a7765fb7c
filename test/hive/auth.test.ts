import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { matchingSecret } from "../../src/hive/auth.ts";

describe("matchingSecret", () => {
  it("accepts the current and the previous secret during a rotation, nothing else", () => {
    const secrets = ["new-secret", "old-secret"];
    assert.equal(matchingSecret("new-secret", secrets), "new-secret");
    assert.equal(matchingSecret("old-secret", secrets), "old-secret");
    assert.equal(matchingSecret("new-secre", secrets), undefined);
    assert.equal(matchingSecret("new-secretx", secrets), undefined);
    assert.equal(matchingSecret("", secrets), undefined);
    assert.equal(matchingSecret("anything", []), undefined);
  });
});
