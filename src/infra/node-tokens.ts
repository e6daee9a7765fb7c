import { createHmac, timingSafeEqual } from "node:crypto";
import { KeyForgeError } from "../core/errors.ts";
import { BoundedCache } from "./bounded-cache.ts";
import { type Enrolment, isEnrolmentAccepted, retiredEnrolmentMessage } from "./node-enrolments.ts";

const PREFIX = "kfn";

/** Signing keys by secret: there are one or two secrets, and every request needs a key. */
const signingKeys = new Map<string, Buffer>();

/** The signing key of node tokens, derived from HIVE_SECRET so the secret itself never signs. */
function signingKey(secret: string): Buffer {
  let key = signingKeys.get(secret);
  if (!key) {
    key = createHmac("sha256", secret).update("keyforge node token v1").digest();
    signingKeys.set(secret, key);
  }
  return key;
}

function signature(payload: string, secret: string): Buffer {
  return createHmac("sha256", signingKey(secret)).update(payload).digest();
}

/** Who a token is for: the node, and what it enrolled with. */
export interface TokenHolder {
  readonly nodeId: string;
  readonly enrolment: Enrolment;
}

/**
 * A short-lived bearer token naming a node and its enrolment: `kfn.<payload>.<HMAC>`. Any hive
 * instance with the same HIVE_SECRET (or the previous one, during a rotation) can check it
 * without a database.
 */
export function issueNodeToken(
  holder: TokenHolder,
  secret: string,
  ttlSeconds: number,
  now: number = Date.now(),
): { token: string; expiresAt: Date } {
  const expiresAt = new Date(now + ttlSeconds * 1000);
  const claims = { n: holder.nodeId, g: holder.enrolment, e: expiresAt.getTime() };
  const payload = Buffer.from(JSON.stringify(claims)).toString("base64url");
  return {
    token: `${PREFIX}.${payload}.${signature(payload, secret).toString("base64url")}`,
    expiresAt,
  };
}

/** True when the text has the shape of a node token (as opposed to an API key or the secret). */
export function isNodeToken(token: string): boolean {
  return token.startsWith(`${PREFIX}.`);
}

interface TokenClaims {
  readonly nodeId: string;
  readonly enrolment: string;
  readonly expiresAt: number;
}

/**
 * Tokens already checked, by the secrets they were checked against: one HMAC per token, not
 * per request. A hive passes the same secrets array with every call.
 */
const verifiedTokens = new WeakMap<readonly string[], BoundedCache<string, TokenClaims>>();
const VERIFIED_TOKENS_KEPT = 10_000;

/** The claims of a token whose signature (by any of `secrets`) checks out, expired or not. */
function signedClaims(token: string, secrets: readonly string[]): TokenClaims {
  let verified = verifiedTokens.get(secrets);
  if (!verified) {
    verified = new BoundedCache(VERIFIED_TOKENS_KEPT);
    verifiedTokens.set(secrets, verified);
  }
  return verified.get(token) ?? verified.set(token, verifySignedToken(token, secrets));
}

/**
 * The node a token names, once its signature (by any of `secrets`), its expiry and the node's
 * enrolment (a join token, or a secret not yet retired) check out.
 */
export function verifyNodeToken(
  token: string,
  secrets: readonly string[],
  now: number = Date.now(),
): string {
  const claims = signedClaims(token, secrets);
  if (claims.expiresAt <= now) {
    throw new KeyForgeError(
      "TOKEN_EXPIRED",
      "the node token has expired: renew it, or register again",
    );
  }
  if (!isEnrolmentAccepted(claims.enrolment, secrets)) {
    throw new KeyForgeError("NODE_ENROLMENT_RETIRED", retiredEnrolmentMessage(claims.nodeId));
  }
  return claims.nodeId;
}

/**
 * The node a token with a good signature names, expired or not; null for any other text. Its
 * requests are counted against the node whatever token it sends.
 */
export function nodeOfToken(token: string, secrets: readonly string[]): string | null {
  try {
    return signedClaims(token, secrets).nodeId;
  } catch {
    return null;
  }
}

/**
 * True when `part` is base64url exactly as the hive writes it. Decoding alone skips characters
 * outside the alphabet and ignores a last character's spare bits, so many texts would pass
 * for one token (each with a rate-limit count of its own).
 */
function isCanonicalBase64url(part: string): boolean {
  return part !== "" && Buffer.from(part, "base64url").toString("base64url") === part;
}

/** The claims of a token whose signature (by any of `secrets`) checks out. */
function verifySignedToken(token: string, secrets: readonly string[]): TokenClaims {
  const [prefix, payload, mac, ...rest] = token.split(".");
  const invalid = () => new KeyForgeError("AUTH_INVALID", "the node token is not valid");
  if (prefix !== PREFIX || rest.length > 0) throw invalid();
  if (payload === undefined || mac === undefined) throw invalid();
  if (!isCanonicalBase64url(payload) || !isCanonicalBase64url(mac)) throw invalid();
  const offered = Buffer.from(mac, "base64url");
  let signed = false;
  for (const secret of secrets) {
    const expected = signature(payload, secret);
    signed = (offered.length === expected.length && timingSafeEqual(offered, expected)) || signed;
  }
  if (!signed) throw invalid();
  let claims: { n?: unknown; g?: unknown; e?: unknown };
  try {
    claims = JSON.parse(Buffer.from(payload, "base64url").toString("utf8"));
  } catch {
    throw invalid();
  }
  // A token without an enrolment predates enrolments: its node registers again.
  if (typeof claims.n !== "string" || typeof claims.e !== "number") throw invalid();
  if (typeof claims.g !== "string") throw invalid();
  return { nodeId: claims.n, enrolment: claims.g, expiresAt: claims.e };
}
