import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { KeyForgeError } from "../../src/core/errors.ts";
import { isNodeToken, issueNodeToken, verifyNodeToken } from "../../src/infra/node-tokens.ts";

const code = (expected: string) => (error: unknown) =>
  error instanceof KeyForgeError && error.code === expected;

describe("node tokens", () => {
  const now = 1_800_000_000_000;

  it("name their node until they expire", () => {
    const { token, expiresAt } = issueNodeToken("abc123", "secret", 3600, now);
    assert.ok(isNodeToken(token));
    assert.equal(expiresAt.getTime(), now + 3_600_000);
    assert.equal(verifyNodeToken(token, ["secret"], now + 1000), "abc123");
    assert.throws(() => verifyNodeToken(token, ["secret"], now + 3_600_000), code("TOKEN_EXPIRED"));
  });

  it("stay valid through a secret rotation while the previous secret is accepted", () => {
    const { token } = issueNodeToken("n1", "old", 60, now);
    assert.equal(verifyNodeToken(token, ["new", "old"], now), "n1");
    assert.throws(() => verifyNodeToken(token, ["new"], now), code("AUTH_INVALID"));
  });

  it("refuse forged or damaged tokens", () => {
    const { token } = issueNodeToken("n1", "secret", 60, now);
    const [prefix, , mac] = token.split(".");
    const forged = Buffer.from(JSON.stringify({ n: "other", e: now + 60_000 })).toString(
      "base64url",
    );
    for (const bad of [
      `${prefix}.${forged}.${mac}`,
      `${token}x`,
      `${token}.extra`,
      "kfn..",
      "kf_abc",
      "",
    ]) {
      assert.throws(() => verifyNodeToken(bad, ["secret"], now), code("AUTH_INVALID"), bad);
    }
  });
});
