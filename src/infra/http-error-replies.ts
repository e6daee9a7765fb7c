import type { FastifyError, FastifyReply } from "fastify";
import { hasZodFastifySchemaValidationErrors } from "fastify-type-provider-zod";
import { KeyForgeError } from "../core/errors.ts";
import type { ErrorBody } from "../protocol/error-body.ts";
import { exceededLimit, LimitExceededError } from "../protocol/input-limits.ts";

/** Seconds a client waits before retrying a 503 or a 429: about Valkey's reconnect delay. */
export const RETRY_AFTER_SECONDS = 5;

/**
 * Sends `{ code, message, details? }` with `status`, never cached, with Retry-After on a 503
 * or a 429 (unless the route set its own).
 */
export function sendError(reply: FastifyReply, status: number, body: ErrorBody): FastifyReply {
  if ((status === 503 || status === 429) && !reply.hasHeader("retry-after")) {
    reply.header("retry-after", String(RETRY_AFTER_SECONDS));
  }
  return reply.code(status).header("cache-control", "no-store").send(body);
}

/** What one server's error replies need to know of it. */
export interface ErrorReplies {
  /**
   * The status of a KeyForgeError's code; undefined for a code the server does not raise on
   * purpose, which is answered like any other bug (500).
   */
  statusOf(code: string): number | undefined;
  /** How a 500 names the server whose log holds the details: "hive", "gateway". */
  readonly server: string;
  /** Where a bug goes, stack and all; its details stay out of the answer. */
  logBug(error: Error): void;
}

/**
 * The error handler of a server's routes: bad input gets its 4xx with a stable code, an outage
 * its 503 (without the reason, which may name private hosts), and only a bug a 500.
 */
export function replyToError(
  error: FastifyError | KeyForgeError,
  reply: FastifyReply,
  replies: ErrorReplies,
): FastifyReply {
  if (hasZodFastifySchemaValidationErrors(error)) {
    const limit = exceededLimit(error.validation);
    if (limit) return replyToError(new LimitExceededError(limit.limit, limit.got), reply, replies);
    const details = error.validation.map((issue) => ({
      path: issue.instancePath,
      message: issue.message,
    }));
    const where = (error as FastifyError).validationContext ?? "request";
    return sendError(reply, 400, {
      code: "REQUEST_INVALID",
      message: `the ${where} is invalid: ${details.map((d) => `${d.path || "/"} ${d.message}`).join("; ")}`,
      details,
    });
  }
  const status = error instanceof KeyForgeError ? replies.statusOf(error.code) : undefined;
  if (error instanceof KeyForgeError && status !== undefined) {
    const message = status === 503 ? `${error.message.split(":")[0]}; retry later` : error.message;
    const details =
      error instanceof LimitExceededError
        ? error.details
        : error.problems.length > 0
          ? error.problems
          : undefined;
    return sendError(reply, status, { code: error.code, message, details });
  }
  const frameworkStatus = (error as FastifyError).statusCode;
  if (frameworkStatus === 413) {
    return sendError(reply, 413, {
      code: "BODY_TOO_LARGE",
      message: "the request body is too large",
    });
  }
  if (frameworkStatus !== undefined && frameworkStatus >= 400 && frameworkStatus < 500) {
    return sendError(reply, frameworkStatus, {
      code: frameworkStatus === 415 ? "MEDIA_TYPE_UNSUPPORTED" : "REQUEST_INVALID",
      message: error.message,
    });
  }
  replies.logBug(error);
  return sendError(reply, 500, {
    code: "INTERNAL",
    message: `unexpected error; see the ${replies.server}'s log`,
  });
}

/** The answer for a path no route serves. */
export function sendNoSuchRoute(reply: FastifyReply, method: string, url: string): FastifyReply {
  return sendError(reply, 404, {
    code: "NOT_FOUND",
    message: `no such route: ${method} ${url.split("?")[0]}`,
  });
}
