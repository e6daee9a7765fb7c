import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { KeyForgeError } from "../../src/core/errors.ts";
import {
  isNodeToken,
  issueNodeToken,
  nodeOfToken,
  verifyNodeToken,
} from "../../src/infra/node-tokens.ts";

const code = (expected: string) => (error: unknown) =>
  error instanceof KeyForgeError && error.code === expected;

/** Another last character of a base64url text that decodes to the same bytes. */
function spareBitsVariant(text: string): string {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  const last = alphabet.indexOf(text.at(-1) as string);
  // 32 bytes of HMAC take 43 characters: the last one carries 4 bits and 2 spare ones.
  return alphabet[last ^ 1] as string;
}

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
      // Characters base64url decoding would skip, in the signature and in the payload.
      `${token.slice(0, -10)}!${token.slice(-10)}`,
      `${token.slice(0, -10)}%%${token.slice(-10)}`,
      `${token.slice(0, -10)}=${token.slice(-10)}`,
      `${token}=`,
      `${prefix}.${token.split(".")[1]?.replace(/^(.{4})/, "$1*")}.${mac}`,
      // The same bytes with other spare bits in the signature's last character.
      `${prefix}.${token.split(".")[1]}.${mac?.slice(0, -1)}${spareBitsVariant(mac ?? "")}`,
      "kfn..",
      "kf_abc",
      "",
    ]) {
      assert.throws(() => verifyNodeToken(bad, ["secret"], now), code("AUTH_INVALID"), bad);
      assert.equal(nodeOfToken(bad, ["secret"]), null, bad);
    }
  });

  it("name their node for counting requests, expired or not, but never when forged", () => {
    const { token } = issueNodeToken("n2", "secret", 60, now);
    assert.equal(nodeOfToken(token, ["secret"]), "n2");
    assert.equal(nodeOfToken(issueNodeToken("n2", "secret", -60, now).token, ["secret"]), "n2");
    assert.equal(nodeOfToken(token, ["other"]), null);
    assert.equal(nodeOfToken("kf_abc", ["secret"]), null);
  });
});
