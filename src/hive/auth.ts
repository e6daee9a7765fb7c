import { createHash, timingSafeEqual } from "node:crypto";
import type { FastifyRequest } from "fastify";
import { KeyForgeError } from "../core/errors.ts";
import type { ApiKeyRepository } from "../infra/db/api-key-repository.ts";
import { noteCaller } from "../infra/logging/request-caller.ts";
import { type Enrolment, secretEnrolment } from "../infra/node-enrolments.ts";
import { isNodeToken, verifyNodeToken } from "../infra/node-tokens.ts";
import { joinTokenSchema } from "../protocol/node-messages.ts";

/** Who is calling, by API key: a user, or an admin. */
export type Principal =
  | { readonly kind: "user"; readonly keyId: string }
  | { readonly kind: "admin"; readonly keyId: string };

/** Digests of equal length, so comparing them takes the same time whatever the guess. */
function digest(text: string): Buffer {
  return createHash("sha256").update(text).digest();
}

/**
 * The accepted secret (HIVE_SECRET, or HIVE_SECRET_PREVIOUS during a rotation) that
 * `candidate` is; undefined for anything else. Every secret is compared, in constant time,
 * whatever matched first.
 */
export function matchingSecret(candidate: string, secrets: readonly string[]): string | undefined {
  const offered = digest(candidate);
  let matched: string | undefined;
  for (const secret of secrets) {
    if (timingSafeEqual(offered, digest(secret))) matched ??= secret;
  }
  return matched;
}

function bearerToken(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  if (header === undefined) return undefined;
  const match = /^Bearer ([\x21-\x7e]{1,512})$/.exec(header);
  if (!match)
    throw new KeyForgeError("AUTH_INVALID", "the Authorization header must be: Bearer <token>");
  return match[1];
}

/**
 * Resolves the caller's API key; `null` for an anonymous caller. The hive secret is not one:
 * it enrols the operator's agents and nothing more, so that a machine holding it (every agent
 * of the operator's) cannot act as an admin.
 */
async function principalOf(
  request: FastifyRequest,
  keys: ApiKeyRepository,
): Promise<Principal | null> {
  const token = bearerToken(request);
  if (token === undefined) return null;
  const key = await keys.findByToken(token);
  if (!key) throw new KeyForgeError("AUTH_INVALID", "the token is not a valid API key");
  noteCaller(request, `${key.role}:${key.id}`);
  return key.role === "admin" ? { kind: "admin", keyId: key.id } : { kind: "user", keyId: key.id };
}

/** The caller, who must have presented an API key (an admin's for admin rights). */
export async function requireUser(
  request: FastifyRequest,
  keys: ApiKeyRepository,
): Promise<Principal> {
  const principal = await principalOf(request, keys);
  if (!principal)
    throw new KeyForgeError(
      "AUTH_REQUIRED",
      "this call needs an API key: Authorization: Bearer <key>",
    );
  return principal;
}

/**
 * What a node registers with: the operator's HIVE_SECRET (current or previous, named by its
 * generation), or a join token an admin created.
 */
export type RegistrationCredential =
  | { readonly kind: "secret"; readonly enrolment: Enrolment }
  | { readonly kind: "joinToken"; readonly token: string };

/** The credential of a registration: HIVE_SECRET, or anything shaped like a join token. */
export function registrationCredential(
  request: FastifyRequest,
  secrets: readonly string[],
): RegistrationCredential {
  const token = bearerToken(request);
  if (token === undefined) {
    throw new KeyForgeError(
      "AUTH_REQUIRED",
      "registering needs the hive secret or a join token: Authorization: Bearer <HIVE_SECRET or kfj_...>",
    );
  }
  const secret = matchingSecret(token, secrets);
  if (secret !== undefined) {
    noteCaller(request, "registering:hive-secret");
    return { kind: "secret", enrolment: secretEnrolment(secret) };
  }
  if (joinTokenSchema.safeParse(token).success) {
    noteCaller(request, "registering:join-token");
    return { kind: "joinToken", token };
  }
  throw new KeyForgeError(
    "AUTH_INVALID",
    "the credential is neither the hive secret nor a join token (kfj_...)",
  );
}

/** The node calling, by a node token this hive (or a sibling with the same secret) issued. */
export function authenticatedNode(request: FastifyRequest, secrets: readonly string[]): string {
  const token = bearerToken(request);
  const needed = "this call needs the node's token: Authorization: Bearer kfn...";
  if (token === undefined) throw new KeyForgeError("AUTH_REQUIRED", needed);
  if (!isNodeToken(token)) throw new KeyForgeError("AUTH_INVALID", needed);
  const nodeId = verifyNodeToken(token, secrets);
  noteCaller(request, `node:${nodeId}`);
  return nodeId;
}

/** The caller must be node `nodeId`. */
export function requireNode(
  request: FastifyRequest,
  secrets: readonly string[],
  nodeId: string,
): void {
  if (authenticatedNode(request, secrets) !== nodeId) {
    throw new KeyForgeError("FORBIDDEN", "the token belongs to another node");
  }
}
