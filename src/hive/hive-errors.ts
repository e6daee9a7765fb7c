import type { FastifyError, FastifyReply } from "fastify";
import { hasZodFastifySchemaValidationErrors } from "fastify-type-provider-zod";
import type { ErrorCode } from "../core/error-codes.ts";
import { KeyForgeError } from "../core/errors.ts";
import type { ErrorBody } from "../protocol/error-body.ts";
import { exceededLimit, LimitExceededError } from "../protocol/input-limits.ts";

/** Seconds a client waits before retrying a 503. */
export const RETRY_AFTER_SECONDS = 5;

/** HTTP status of the error codes that are not plain bad input (400). */
const STATUS_OF_CODE: Readonly<Partial<Record<ErrorCode, number>>> = {
  AUTH_REQUIRED: 401,
  AUTH_INVALID: 401,
  TOKEN_EXPIRED: 401,
  RESULT_SIGNATURE_INVALID: 401,
  JOIN_TOKEN_INVALID: 401,
  NODE_PROOF_INVALID: 401,
  NODE_ENROLMENT_RETIRED: 401,
  FORBIDDEN: 403,
  JOIN_TOKEN_REVOKED: 403,
  JOIN_TOKEN_EXPIRED: 403,
  JOIN_TOKEN_USED_UP: 403,
  NODE_SUSPENDED: 403,
  NODE_REMOVED: 403,
  JOB_NOT_FOUND: 404,
  UNIT_NOT_FOUND: 404,
  NODE_NOT_FOUND: 404,
  ASSET_NOT_FOUND: 404,
  JOB_NOT_CANCELLABLE: 409,
  JOB_NOT_RETRYABLE: 409,
  LEASE_NOT_HELD: 409,
  RESULT_ALREADY_ACCEPTED: 409,
  NONCE_REPLAYED: 409,
  RESULT_SCORE_MISMATCH: 422,
  RESULT_LAYOUT_INVALID: 422,
  RATE_LIMITED: 429,
  TOO_MANY_STREAMS: 429,
  QUOTA_EXCEEDED: 403,
  QUEUE_FULL: 503,
  COMPILE_BUSY: 503,
  RESULT_PENDING: 503,
  DATABASE_UNAVAILABLE: 503,
  COORDINATOR_UNAVAILABLE: 503,
};

export function statusOf(code: string): number {
  return STATUS_OF_CODE[code as ErrorCode] ?? 400;
}

/** Sends `{ code, message, details? }` with the status of its code (and Retry-After on 503). */
export function sendError(reply: FastifyReply, status: number, body: ErrorBody) {
  if ((status === 503 || status === 429) && !reply.hasHeader("retry-after")) {
    reply.header("retry-after", String(RETRY_AFTER_SECONDS));
  }
  return reply.code(status).header("cache-control", "no-store").send(body);
}

/**
 * The error handler of every route: bad input gets its 4xx with a stable code, an outage its
 * 503, and only a bug a 500 (handed to `logBug`, its details kept out of the answer).
 */
export function replyToError(
  error: FastifyError | KeyForgeError,
  reply: FastifyReply,
  logBug: (error: Error) => void,
) {
  if (hasZodFastifySchemaValidationErrors(error)) {
    const limit = exceededLimit(error.validation);
    if (limit) return replyToError(new LimitExceededError(limit.limit, limit.got), reply, logBug);
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
  if (error instanceof KeyForgeError) {
    const status = statusOf(error.code);
    const message = status === 503 ? `${error.message.split(":")[0]}; retry later` : error.message;
    const details =
      error instanceof LimitExceededError
        ? error.details
        : error.problems.length > 0
          ? error.problems
          : undefined;
    return sendError(reply, status, { code: error.code, message, details });
  }
  const status = (error as FastifyError).statusCode;
  if (status === 413) {
    return sendError(reply, 413, {
      code: "BODY_TOO_LARGE",
      message: "the request body is too large",
    });
  }
  if (status !== undefined && status >= 400 && status < 500) {
    return sendError(reply, status, {
      code: status === 415 ? "MEDIA_TYPE_UNSUPPORTED" : "REQUEST_INVALID",
      message: error.message,
    });
  }
  logBug(error);
  return sendError(reply, 500, {
    code: "INTERNAL",
    message: "unexpected error; see the hive's log",
  });
}
