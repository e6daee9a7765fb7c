import { createHmac } from "node:crypto";

/**
 * What a node enrolled with, recorded with the node and carried in its tokens: a join token
 * (which stays the node's admission for as long as the node is not removed), or one
 * generation of HIVE_SECRET, named by a one-way fingerprint of it. Once that secret is retired
 * (no longer HIVE_SECRET nor HIVE_SECRET_PREVIOUS) the node's tokens stop working and it must
 * enrol again with a secret the hive accepts, so a leaked secret's nodes leave with it.
 */
export type Enrolment = typeof JOIN_ENROLMENT | `secret:${string}`;

export const JOIN_ENROLMENT = "join";

/** Fingerprints by secret: there are one or two secrets, and every node request checks one. */
const fingerprints = new Map<string, Enrolment>();

/** The enrolment of a node that registered with `secret`: its generation, never the secret. */
export function secretEnrolment(secret: string): Enrolment {
  let enrolment = fingerprints.get(secret);
  if (!enrolment) {
    const fingerprint = createHmac("sha256", secret)
      .update("keyforge secret generation v1")
      .digest("hex")
      .slice(0, 16);
    enrolment = `secret:${fingerprint}`;
    fingerprints.set(secret, enrolment);
  }
  return enrolment;
}

/** True when a node enrolled so may still work: by join token, or with a secret still accepted. */
export function isEnrolmentAccepted(enrolment: string | null, secrets: readonly string[]): boolean {
  if (enrolment === JOIN_ENROLMENT) return true;
  return enrolment !== null && secrets.some((secret) => secretEnrolment(secret) === enrolment);
}

/** The refusal of a node whose secret was retired: it registers again, with the secret it has now. */
export function retiredEnrolmentMessage(nodeId: string): string {
  return `node ${nodeId} enrolled with a hive secret that has been retired: register again with the current HIVE_SECRET or a join token`;
}
