import assert from "node:assert/strict";
import { createHmac } from "node:crypto";
import { describe, it } from "node:test";
import { KeyForgeError } from "../../src/core/errors.ts";
import { JOIN_ENROLMENT, secretEnrolment } from "../../src/infra/node-enrolments.ts";
import {
  isNodeToken,
  issueNodeToken,
  nodeOfToken,
  type TokenHolder,
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

/** A node that joined with a join token. */
const joined = (nodeId: string): TokenHolder => ({ nodeId, enrolment: JOIN_ENROLMENT });

describe("node tokens", () => {
  const now = 1_800_000_000_000;

  it("name their node until they expire", () => {
    const { token, expiresAt } = issueNodeToken(joined("abc123"), "secret", 3600, now);
    assert.ok(isNodeToken(token));
    assert.equal(expiresAt.getTime(), now + 3_600_000);
    assert.equal(verifyNodeToken(token, ["secret"], now + 1000), "abc123");
    assert.throws(() => verifyNodeToken(token, ["secret"], now + 3_600_000), code("TOKEN_EXPIRED"));
  });

  it("stay valid through a secret rotation while the previous secret is accepted", () => {
    const { token } = issueNodeToken(joined("n1"), "old", 60, now);
    assert.equal(verifyNodeToken(token, ["new", "old"], now), "n1");
    assert.throws(() => verifyNodeToken(token, ["new"], now), code("AUTH_INVALID"));
  });

  it("stop working once the secret their node enrolled with is retired", () => {
    const enrolledWithOld = { nodeId: "n3", enrolment: secretEnrolment("old") };
    const { token } = issueNodeToken(enrolledWithOld, "new", 60, now);
    assert.equal(verifyNodeToken(token, ["new", "old"], now), "n3");
    assert.throws(() => verifyNodeToken(token, ["new"], now), code("NODE_ENROLMENT_RETIRED"));
    // A node that joined with a join token is not tied to any secret.
    const { token: joinedToken } = issueNodeToken(joined("n4"), "old", 60, now);
    assert.equal(
      verifyNodeToken(issueNodeToken(joined("n4"), "new", 60, now).token, ["new"], now),
      "n4",
    );
    assert.throws(() => verifyNodeToken(joinedToken, ["new"], now), code("AUTH_INVALID"));
  });

  it("name secret generations by a fingerprint that does not give the secret away", () => {
    const enrolment = secretEnrolment("correct horse battery staple");
    assert.match(enrolment, /^secret:[0-9a-f]{16}$/);
    assert.equal(enrolment, secretEnrolment("correct horse battery staple"));
    assert.notEqual(enrolment, secretEnrolment("correct horse battery stapler"));
    assert.ok(!enrolment.includes("horse"));
  });

  it("refuse tokens that carry no enrolment (issued before enrolments were kept)", () => {
    // Signed as the hive signed them then: only the enrolment is missing.
    const payload = Buffer.from(JSON.stringify({ n: "n5", e: now + 60_000 })).toString("base64url");
    const signingKey = createHmac("sha256", "secret").update("keyforge node token v1").digest();
    const mac = createHmac("sha256", signingKey).update(payload).digest("base64url");
    const legacy = `kfn.${payload}.${mac}`;
    assert.equal(nodeOfToken(legacy, ["secret"]), null);
    assert.throws(() => verifyNodeToken(legacy, ["secret"], now), code("AUTH_INVALID"));
    // The same text with an enrolment, signed the same way, is a good token.
    const current = Buffer.from(JSON.stringify({ n: "n5", g: "join", e: now + 60_000 })).toString(
      "base64url",
    );
    const currentMac = createHmac("sha256", signingKey).update(current).digest("base64url");
    assert.equal(verifyNodeToken(`kfn.${current}.${currentMac}`, ["secret"], now), "n5");
  });

  it("refuse forged or damaged tokens", () => {
    const { token } = issueNodeToken(joined("n1"), "secret", 60, now);
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
    const { token } = issueNodeToken(joined("n2"), "secret", 60, now);
    assert.equal(nodeOfToken(token, ["secret"]), "n2");
    assert.equal(
      nodeOfToken(issueNodeToken(joined("n2"), "secret", -60, now).token, ["secret"]),
      "n2",
    );
    assert.equal(nodeOfToken(token, ["other"]), null);
    assert.equal(nodeOfToken("kf_abc", ["secret"]), null);
  });
});
