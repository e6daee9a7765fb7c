import { KeyForgeError } from "../core/errors.ts";
import type { JoinTokenRecord } from "../infra/db/join-token-repository.ts";
import { verifyText } from "../infra/node-signatures.ts";
import {
  type JoinRefusalCode,
  type NodeRegistration,
  registrationSigningText,
} from "../protocol/node-messages.ts";

/** How far a registration proof's timestamp may be from the hive's clock. */
const PROOF_WINDOW_MS = 15 * 60 * 1000;

const ASK_ADMIN = "ask the hive's admin for a new one (keyforge admin join-token create)";

function joinRefused(code: JoinRefusalCode, message: string): KeyForgeError {
  return new KeyForgeError(code, message);
}

/**
 * Checks that the registering node holds the private key of the public key it sends: a join
 * token is spent once per key, so the key is what makes a node the same node afterwards.
 */
export async function checkKeyProof(registration: NodeRegistration): Promise<void> {
  const { proof, publicKey } = registration;
  if (proof === undefined) {
    throw joinRefused(
      "NODE_PROOF_INVALID",
      "registering with a join token needs a proof that the node holds its key (proof: timestamp and signature); update the agent",
    );
  }
  if (Math.abs(Date.parse(proof.timestamp) - Date.now()) > PROOF_WINDOW_MS) {
    throw joinRefused(
      "NODE_PROOF_INVALID",
      "the registration's timestamp is more than 15 minutes off the hive's clock: set the node's clock right",
    );
  }
  const signed = registrationSigningText(publicKey, proof.timestamp);
  if (!(await verifyText(publicKey, signed, proof.signature))) {
    throw joinRefused(
      "NODE_PROOF_INVALID",
      "the registration's signature does not match its public key",
    );
  }
}

/** The error for a join token that cannot enrol a node (null: no token has that text). */
export function joinTokenRefusal(token: JoinTokenRecord | null): KeyForgeError {
  if (token === null) {
    return joinRefused(
      "JOIN_TOKEN_INVALID",
      `the join token is not known to this hive: ${ASK_ADMIN}`,
    );
  }
  switch (token.refusal) {
    case "JOIN_TOKEN_REVOKED":
      return joinRefused(
        "JOIN_TOKEN_REVOKED",
        `the join token ${token.id} was revoked: ${ASK_ADMIN}`,
      );
    case "JOIN_TOKEN_EXPIRED":
      return joinRefused(
        "JOIN_TOKEN_EXPIRED",
        `the join token ${token.id} expired at ${token.expiresAt.toISOString()}: ${ASK_ADMIN}`,
      );
    default: {
      const nodes = token.maxUses === 1 ? "the one node" : `all ${token.maxUses} nodes`;
      return joinRefused(
        "JOIN_TOKEN_USED_UP",
        `the join token ${token.id} has enrolled ${nodes} it allows: ${ASK_ADMIN}`,
      );
    }
  }
}
