import { createHash } from "node:crypto";
import type { FastifyInstance, FastifyRequest } from "fastify";
import { KeyForgeError } from "../core/errors.ts";
import { BoundedCache } from "../infra/bounded-cache.ts";
import { type Coordinator, CoordinatorUnavailableError } from "../infra/coord/coordinator.ts";
import { isNodeToken, nodeOfToken } from "../infra/node-tokens.ts";
import { SharedRequestCounts } from "./shared-request-counts.ts";

/** Requests allowed per window, counted in the coordinator so every instance shares them. */
export interface RateLimits {
  /** Per client address (behind the gateway: the address it forwards). */
  readonly perClient: number;
  /**
   * Per credential (API key or secret), whichever address it comes from; per node for node
   * tokens, whichever of its tokens it sends.
   */
  readonly perKey: number;
  readonly windowMs: number;
}

/**
 * An agent sends a heartbeat every 5 s and a lease and a result per unit; a browser polls and
 * streams. Generous for those, tight enough to stop a runaway script.
 */
export const DEFAULT_RATE_LIMITS: RateLimits = { perClient: 6000, perKey: 1200, windowMs: 60_000 };

/** Monitoring keeps working when an instance is flooded. */
const UNLIMITED_ROUTES = new Set(["/health", "/metrics"]);

/** Digests of recent credentials: an agent sends the same one with every request. */
const credentialDigests = new BoundedCache<string, string>(10_000);

/** Only a digest of a credential reaches Valkey: credentials are never stored. */
function digestOf(credential: string): string {
  return (
    credentialDigests.get(credential) ??
    credentialDigests.set(credential, createHash("sha256").update(credential).digest("base64url"))
  );
}

/**
 * The counter of a credential: a node by its id, so that the node's several tokens (renewed,
 * or the same one re-spelt) share one count; anything else by a digest of its text. A node
 * token that does not check out counts by its text, never against the node it names.
 */
function credentialCounter(credential: string, secrets: readonly string[]): string {
  const token = credential.startsWith("Bearer ") ? credential.slice("Bearer ".length) : "";
  const nodeId = isNodeToken(token) ? nodeOfToken(token, secrets) : null;
  return nodeId === null ? `key:${digestOf(credential)}` : `node:${nodeId}`;
}

/** The counters a request counts against: its address, and its credential when it has one. */
function countersOf(
  request: FastifyRequest,
  limits: RateLimits,
  secrets: readonly string[],
): [string, number][] {
  const counters: [string, number][] = [[`client:${request.ip}`, limits.perClient]];
  const credential = request.headers.authorization;
  if (credential !== undefined) {
    counters.push([credentialCounter(credential, secrets), limits.perKey]);
  }
  return counters;
}

/**
 * Answers 429 RATE_LIMITED (with Retry-After) once a client or a credential has used up its
 * window, before the request's body is read. While the coordinator is down nothing is counted
 * and every request is served: limits degrade, the API does not.
 */
export function addRateLimits(
  app: FastifyInstance,
  coordinator: Coordinator,
  limits: RateLimits,
  /** The hive's secrets, which check the node tokens counted per node. */
  secrets: readonly string[],
): void {
  const counts = new SharedRequestCounts(coordinator, limits.windowMs);
  app.addHook("onRequest", async (request, reply) => {
    if (UNLIMITED_ROUTES.has(request.routeOptions.url ?? "")) return;
    const counters = countersOf(request, limits, secrets);
    let counted: { count: number; resetInMs: number }[];
    try {
      counted = await Promise.all(counters.map(([key, limit]) => counts.count(key, limit)));
    } catch (error) {
      if (error instanceof CoordinatorUnavailableError) return;
      throw error;
    }
    counters.forEach(([key, limit], i) => {
      const { count, resetInMs } = counted[i] as (typeof counted)[number];
      if (count <= limit) return;
      reply.header("retry-after", String(Math.max(1, Math.ceil(resetInMs / 1000))));
      const who = key.startsWith("client:")
        ? "this client"
        : key.startsWith("node:")
          ? "this node"
          : "this key";
      throw new KeyForgeError(
        "RATE_LIMITED",
        `${who} sent more than ${limit} requests in ${limits.windowMs / 1000} s; retry after the Retry-After seconds`,
      );
    });
  });
}
