import { randomUUID } from "node:crypto";
import type { IncomingMessage } from "node:http";
import {
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
  type FastifyServerOptions,
  LogController,
} from "fastify";
import type { Logger } from "pino";
import { callerOf } from "./request-caller.ts";

/** A request id a client (or the gateway) may choose: short, and safe in a log and a header. */
const SANE_REQUEST_ID = /^[\w.:@-]{1,128}$/;

/** The X-Request-Id the client sent when it is a sane value, else a new one. */
export function requestIdOf(request: IncomingMessage): string {
  const given = request.headers["x-request-id"];
  return typeof given === "string" && SANE_REQUEST_ID.test(given) ? given : randomUUID();
}

/** The route pattern (`/jobs/:id`), never the URL with its ids; `unmatched` for a 404. */
export function routeOf(request: FastifyRequest): string {
  return request.routeOptions.url ?? "unmatched";
}

/**
 * One line per request, written when the response is finished: request id (bound to the
 * request's logger), method, route, status, duration and caller. Fastify's own pair of lines
 * (incoming, completed) and its not-found line are replaced by it.
 */
class OneLinePerRequest extends LogController {
  override incomingRequest(): void {}

  override routeNotFound(): void {}

  override requestCompleted(
    error: Error | null | undefined,
    request: FastifyRequest,
    reply: FastifyReply,
  ): void {
    const line = {
      method: request.method,
      route: routeOf(request),
      status: reply.statusCode,
      durationMs: Math.round(reply.elapsedTime * 10) / 10,
      caller: callerOf(request),
    };
    if (error) request.log.error({ ...line, err: error }, "request failed");
    else request.log.info(line, "request");
  }
}

/**
 * The Fastify options that log through `logger` with one line per request and a request id
 * taken from X-Request-Id (see requestIdOf). Pair with echoRequestId.
 */
export function requestLogging(
  logger: Logger,
): Pick<FastifyServerOptions, "loggerInstance" | "genReqId" | "requestIdHeader" | "logController"> {
  return {
    loggerInstance: logger,
    genReqId: requestIdOf,
    requestIdHeader: false,
    logController: new OneLinePerRequest({ requestIdLogLabel: "requestId" }),
  };
}

/** Answers every request with its id in X-Request-Id, so a client can quote it to an operator. */
export function echoRequestId(app: FastifyInstance): void {
  app.addHook("onRequest", async (request, reply) => {
    reply.header("x-request-id", request.id);
  });
}

/** The line of a bug (a 500): the stack inside the JSON, with method, URL and caller. */
export function logUnexpectedError(request: FastifyRequest, error: unknown): void {
  request.log.error(
    { err: error, method: request.method, url: request.url, caller: callerOf(request) },
    "unexpected error",
  );
}
