import type { FastifyRequest } from "fastify";

/**
 * Who made a request, as the log names them: `user:<key id>`, `admin:<key id>`,
 * `node:<node id>`, `registering:hive-secret`, `registering:join-token`.
 * Ids only: never a key, token or secret. Recorded by whatever authenticated the request.
 */
const CALLERS = new WeakMap<FastifyRequest, string>();

export function noteCaller(request: FastifyRequest, caller: string): void {
  CALLERS.set(request, caller);
}

/** The caller noted for `request`, or `anonymous` when nothing authenticated it. */
export function callerOf(request: FastifyRequest): string {
  return CALLERS.get(request) ?? "anonymous";
}
