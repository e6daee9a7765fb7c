import type { z } from "zod";
import { remoteErrorCode } from "../core/error-codes.ts";
import { KeyForgeError } from "../core/errors.ts";
import { SCORING_RULES } from "../core/scoring/model.ts";
import { errorBodySchema } from "../protocol/error-body.ts";
import { parseJsonText } from "../protocol/json-text.ts";
import {
  heartbeatReplySchema,
  type LeasedUnit,
  leaseReplySchema,
  type NodeRegistration,
  nodeRegisteredSchema,
  nodeTokenSchema,
  type ResultSubmission,
  resultAcceptedSchema,
  type Telemetry,
} from "../protocol/node-messages.ts";

/** The hive cannot be reached or cannot answer now (network, 5xx, 429): try again later. */
export class HiveUnavailableError extends KeyForgeError {
  /** Seconds the hive asked the caller to wait, when it said. */
  readonly retryAfterSeconds: number | null;

  constructor(reason: string, retryAfterSeconds: number | null = null) {
    super("HIVE_UNAVAILABLE", `the hive is unavailable: ${reason}`);
    this.name = "HiveUnavailableError";
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

/** The hive refused the request for good (a 4xx other than 429): its code and message. */
export class HiveRefusedError extends KeyForgeError {
  readonly status: number;

  constructor(status: number, code: string, message: string) {
    super(remoteErrorCode(code), `${status} ${code}: ${message}`);
    this.name = "HiveRefusedError";
    this.status = status;
  }
}

/** Requests take at most this long, long polls their wait plus this. */
const REQUEST_TIMEOUT_MS = 30_000;
const GOODBYE_TIMEOUT_MS = 5_000;

/**
 * The agent's side of the hive API (docs/hive-api.md). Every answer is checked against its
 * schema; failures come as HiveUnavailableError (retry) or HiveRefusedError (do not).
 */
export class HiveClient {
  private readonly base: string;
  private token: string | null = null;

  constructor(hiveUrl: string) {
    this.base = hiveUrl.replace(/\/+$/, "");
  }

  /** Registers with HIVE_SECRET or a join token; later calls use the node token it returns. */
  async register(credential: string, registration: NodeRegistration) {
    const registered = await this.call("POST", "/nodes/register", nodeRegisteredSchema, {
      body: registration,
      bearer: credential,
    });
    this.token = registered.token;
    return registered;
  }

  async renewToken(nodeId: string) {
    const renewed = await this.call("POST", `/nodes/${nodeId}/token`, nodeTokenSchema, {});
    this.token = renewed.token;
    return renewed;
  }

  heartbeat(nodeId: string, telemetry: Telemetry) {
    return this.call("POST", `/nodes/${nodeId}/heartbeat`, heartbeatReplySchema, {
      body: { telemetry },
    });
  }

  /** Tells the hive the node is stopping, so it leaves the live nodes at once. */
  async goodbye(nodeId: string): Promise<void> {
    // Said on the way out: a hive that does not answer soon is not waited for.
    await this.call("POST", `/nodes/${nodeId}/goodbye`, null, { timeoutMs: GOODBYE_TIMEOUT_MS });
  }

  async lease(
    nodeId: string,
    max: number,
    waitSeconds: number,
    signal?: AbortSignal,
  ): Promise<LeasedUnit[]> {
    const reply = await this.call("POST", "/leases", leaseReplySchema, {
      // This agent runs units as islands (it may be given units of time-budgeted jobs), and
      // scores layouts by this release's rules.
      body: { nodeId, max, waitSeconds, islands: true, scoring: SCORING_RULES },
      timeoutMs: waitSeconds * 1000 + REQUEST_TIMEOUT_MS,
      signal,
    });
    return reply.units;
  }

  async release(unitId: string): Promise<void> {
    await this.call("POST", `/units/${encodeURIComponent(unitId)}/release`, null, {});
  }

  /** The unit could not be run here (its worker crashed): the hive counts the attempt. */
  async failUnit(unitId: string, reason: string): Promise<void> {
    await this.call("POST", `/units/${encodeURIComponent(unitId)}/fail`, null, {
      body: { reason: reason.slice(0, 500) },
    });
  }

  submitResult(unitId: string, submission: ResultSubmission) {
    return this.call("POST", `/units/${encodeURIComponent(unitId)}/result`, resultAcceptedSchema, {
      body: submission,
    });
  }

  private async call<Schema extends z.ZodType | null>(
    method: "GET" | "POST",
    path: string,
    schema: Schema,
    options: { body?: unknown; bearer?: string; timeoutMs?: number; signal?: AbortSignal },
  ): Promise<Schema extends z.ZodType ? z.infer<Schema> : undefined> {
    const bearer = options.bearer ?? this.token;
    const headers: Record<string, string> = {};
    if (bearer) headers.authorization = `Bearer ${bearer}`;
    if (options.body !== undefined) headers["content-type"] = "application/json";
    const timeout = AbortSignal.timeout(options.timeoutMs ?? REQUEST_TIMEOUT_MS);
    let response: Response;
    try {
      response = await fetch(`${this.base}${path}`, {
        method,
        headers,
        body: options.body === undefined ? undefined : JSON.stringify(options.body),
        signal: options.signal ? AbortSignal.any([options.signal, timeout]) : timeout,
      });
    } catch (error) {
      throw new HiveUnavailableError(`${method} ${path}: ${(error as Error).message}`);
    }
    const text = await response.text().catch(() => "");
    if (response.status >= 500 || response.status === 429) {
      const retryAfter = Number(response.headers.get("retry-after"));
      throw new HiveUnavailableError(
        `${method} ${path} answered ${response.status}`,
        Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter : null,
      );
    }
    if (response.status >= 400) {
      const error = parseJsonText(errorBodySchema, text);
      throw new HiveRefusedError(
        response.status,
        error.success ? error.data.code : "HIVE_REFUSED",
        error.success ? error.data.message : `${method} ${path} was refused`,
      );
    }
    if (schema === null) return undefined as never;
    const parsed = parseJsonText(schema as z.ZodType, text);
    if (!parsed.success) {
      throw new HiveUnavailableError(`${method} ${path}: the answer is not what the protocol says`);
    }
    return parsed.data as never;
  }
}
