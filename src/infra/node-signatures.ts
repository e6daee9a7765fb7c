import {
  createPrivateKey,
  createPublicKey,
  type KeyObject,
  randomBytes,
  sign,
  verify,
} from "node:crypto";
import {
  type NodeRegistration,
  type ResultSubmission,
  registrationSigningText,
  resultSigningText,
} from "../protocol/node-messages.ts";

/** A node's public key (base64url raw bytes) as a key object node:crypto verifies with. */
export function publicKeyObject(publicKey: string): KeyObject {
  return createPublicKey({ key: { kty: "OKP", crv: "Ed25519", x: publicKey }, format: "jwk" });
}

/** Signs `text` (UTF-8) with an Ed25519 private key; the signature in base64url. */
export function signText(privateKey: KeyObject | string, text: string): string {
  const key = typeof privateKey === "string" ? createPrivateKey(privateKey) : privateKey;
  return sign(null, Buffer.from(text, "utf8"), key).toString("base64url");
}

/**
 * True when `signature` is the node's Ed25519 signature of `text`. The check runs on the
 * thread pool, so a busy hive verifies on every core while its event loop goes on.
 */
export function verifyText(
  publicKey: string | KeyObject,
  text: string,
  signature: string,
): Promise<boolean> {
  let key: KeyObject;
  try {
    key = typeof publicKey === "string" ? publicKeyObject(publicKey) : publicKey;
  } catch {
    return Promise.resolve(false);
  }
  return new Promise((resolve) => {
    try {
      verify(
        null,
        Buffer.from(text, "utf8"),
        key,
        Buffer.from(signature, "base64url"),
        (error, valid) => resolve(!error && valid),
      );
    } catch {
      resolve(false);
    }
  });
}

/** A result before it is signed; the nonce and timestamp are made fresh when not given. */
export type UnsignedResult = Omit<ResultSubmission, "nonce" | "timestamp" | "signature"> &
  Partial<Pick<ResultSubmission, "nonce" | "timestamp">>;

/** The result of `unitId` as the node submits it: with a nonce, a timestamp and its signature. */
export function signResult(
  privateKey: KeyObject,
  unitId: string,
  result: UnsignedResult,
): ResultSubmission {
  const body = {
    ...result,
    nonce: result.nonce ?? randomBytes(16).toString("base64url"),
    timestamp: result.timestamp ?? new Date().toISOString(),
  };
  return { ...body, signature: signText(privateKey, resultSigningText(unitId, body)) };
}

/** The proof a registration carries that the node holds the private key of `publicKey`. */
export function signRegistration(
  privateKey: KeyObject,
  publicKey: string,
  timestamp: string = new Date().toISOString(),
): NonNullable<NodeRegistration["proof"]> {
  return {
    timestamp,
    signature: signText(privateKey, registrationSigningText(publicKey, timestamp)),
  };
}
