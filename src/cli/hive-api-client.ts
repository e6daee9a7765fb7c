import type { z } from "zod";
import { type ErrorCode, type RemoteErrorCode, remoteErrorCode } from "../core/error-codes.ts";
import { KeyForgeError } from "../core/errors.ts";
import { errorBodySchema } from "../protocol/error-body.ts";
import { JOB_EVENT_TYPES, type JobEvent, jobEventSchema } from "../protocol/job-events.ts";
import {
  type JobSubmission,
  type JobView,
  jobListSchema,
  jobViewSchema,
} from "../protocol/job-messages.ts";
import { parseJsonText } from "../protocol/json-text.ts";
import { clusterSchema } from "../protocol/node-messages.ts";
import { API_KEY_HINT } from "./api-keys.ts";
import { ServerSentEventParser } from "./server-sent-events.ts";

/**
 * A request to the hive that failed. `retryable`: the hive could not be reached or cannot
 * answer now (network, 5xx, 429), and the same request may succeed later; otherwise it refused
 * the request (a 4xx: its code and message) or answered outside the protocol.
 */
export class HiveRequestError extends KeyForgeError {
  readonly retryable: boolean;

  constructor(code: ErrorCode | RemoteErrorCode, message: string, retryable: boolean) {
    super(code, message);
    this.name = "HiveRequestError";
    this.retryable = retryable;
  }
}

/** Requests take at most this long; an event stream must open within it too. */
const REQUEST_TIMEOUT_MS = 30_000;
/** The hive sends a comment every 15 s on an idle stream: silence this long means it is gone. */
const STREAM_SILENCE_MS = 45_000;

export interface JobListQuery {
  readonly status?: string;
  readonly mine?: boolean;
  readonly limit?: number;
  readonly cursor?: string;
}

/** What GET /jobs/:id/events delivers: the job's view first, then its events and keep-alives. */
export type JobStreamItem =
  | { readonly type: "snapshot"; readonly view: JobView }
  | JobEvent
  | { readonly type: "keep-alive" };

interface RequestOptions {
  /** The API key, sent only on the calls that need one. */
  readonly apiKey?: string;
  readonly body?: unknown;
  readonly accept?: string;
  readonly signal?: AbortSignal;
}

/** Why a fetch failed, as briefly as the error says it: "ECONNREFUSED", "bad port"... */
export function fetchFailureReason(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? (error as Error).message;
}

/** A caller's signal, which the request timeout ends too; none when the caller gave none. */
function withTimeout(signal: AbortSignal | undefined): AbortSignal | undefined {
  return signal && AbortSignal.any([signal, AbortSignal.timeout(REQUEST_TIMEOUT_MS)]);
}

function waitHint(response: Response): string {
  const seconds = Number(response.headers.get("retry-after"));
  return Number.isFinite(seconds) && seconds > 0
    ? `; try again in ${seconds} s`
    : "; try again later";
}

/**
 * The user's side of the hive API (docs/hive-api.md): jobs, their events, the cluster. Every
 * answer is checked against its protocol schema; every failure is a HiveRequestError whose
 * message a user can act on.
 */
export class HiveApiClient {
  readonly url: string;

  constructor(hiveUrl: string) {
    this.url = hiveUrl.replace(/\/+$/, "");
  }

  /** POST /jobs: `created` is false when the hive already had this job (same content). */
  async submit(
    submission: JobSubmission,
    apiKey: string,
  ): Promise<{ view: JobView; created: boolean }> {
    const response = await this.request("POST", "/jobs", { apiKey, body: submission });
    return {
      view: await this.answer("POST", "/jobs", response, jobViewSchema),
      created: response.status === 201,
    };
  }

  /** GET /jobs, newest first; the API key is needed (and sent) only for `mine`. */
  async listJobs(query: JobListQuery, apiKey?: string) {
    const params = new URLSearchParams();
    if (query.status !== undefined) params.set("status", query.status);
    if (query.mine) params.set("mine", "true");
    if (query.limit !== undefined) params.set("limit", String(query.limit));
    if (query.cursor !== undefined) params.set("cursor", query.cursor);
    const path = `/jobs${params.size > 0 ? `?${params}` : ""}`;
    const response = await this.request("GET", path, query.mine ? { apiKey } : {});
    return this.answer("GET", path, response, jobListSchema);
  }

  /** GET /jobs/:id; aborting `signal` ends the request early (with the signal's reason). */
  async getJob(id: string, signal?: AbortSignal): Promise<JobView> {
    const path = `/jobs/${encodeURIComponent(id)}`;
    const response = await this.request("GET", path, { signal: withTimeout(signal) });
    return this.answer("GET", path, response, jobViewSchema);
  }

  /** DELETE /jobs/:id: the job's view once cancelled. */
  async cancelJob(id: string, apiKey: string): Promise<JobView> {
    const path = `/jobs/${encodeURIComponent(id)}`;
    return this.answer(
      "DELETE",
      path,
      await this.request("DELETE", path, { apiKey }),
      jobViewSchema,
    );
  }

  /** POST /jobs/:id/retry: the job's view once its failed and cancelled units are queued again. */
  async retryJob(id: string, apiKey: string): Promise<JobView> {
    const path = `/jobs/${encodeURIComponent(id)}/retry`;
    return this.answer("POST", path, await this.request("POST", path, { apiKey }), jobViewSchema);
  }

  /** GET /cluster; aborting `signal` ends the request early (with the signal's reason). */
  async cluster(signal?: AbortSignal) {
    const response = await this.request("GET", "/cluster", { signal: withTimeout(signal) });
    return this.answer("GET", "/cluster", response, clusterSchema);
  }

  /**
   * GET /jobs/:id/events until the hive ends the stream (returns) or it breaks or falls silent
   * (throws a retryable HiveRequestError); aborting `signal` stops it with the signal's reason.
   * Events of types this client does not know are skipped.
   */
  async *jobEvents(id: string, signal: AbortSignal): AsyncGenerator<JobStreamItem> {
    const path = `/jobs/${encodeURIComponent(id)}/events`;
    const connection = new AbortController();
    const onAbort = () => connection.abort(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
    let silence: NodeJS.Timeout | undefined;
    const expectWithin = (ms: number, what: string) => {
      clearTimeout(silence);
      silence = setTimeout(
        () =>
          connection.abort(
            new HiveRequestError(
              "HIVE_UNAVAILABLE",
              `the hive at ${this.url} ${what} within ${ms / 1000} s`,
              true,
            ),
          ),
        ms,
      );
    };
    expectWithin(REQUEST_TIMEOUT_MS, `did not answer GET ${path}`);
    try {
      const response = await this.request("GET", path, {
        accept: "text/event-stream",
        signal: connection.signal,
      });
      if (!/^text\/event-stream/.test(response.headers.get("content-type") ?? "")) {
        throw this.offProtocol("GET", path);
      }
      const reader = (response.body as ReadableStream<Uint8Array>).getReader();
      const parser = new ServerSentEventParser();
      const decoder = new TextDecoder();
      for (;;) {
        expectWithin(STREAM_SILENCE_MS, `sent nothing on GET ${path}`);
        const read = await reader.read().catch((error: unknown) => {
          throw connection.signal.aborted
            ? connection.signal.reason
            : new HiveRequestError(
                "HIVE_UNAVAILABLE",
                `the event stream from ${this.url} broke (${(error as Error).message})`,
                true,
              );
        });
        if (read.done) return;
        for (const message of parser.push(decoder.decode(read.value, { stream: true }))) {
          if (message.kind === "comment") yield { type: "keep-alive" };
          else if (message.event === "snapshot") {
            yield { type: "snapshot", view: this.parsed("GET", path, message.data, jobViewSchema) };
          } else if (JOB_EVENT_TYPES.has(message.event)) {
            yield this.parsed("GET", path, message.data, jobEventSchema);
          }
        }
      }
    } finally {
      clearTimeout(silence);
      signal.removeEventListener("abort", onAbort);
      connection.abort();
    }
  }

  /** Sends a request; a response that is not a success becomes a HiveRequestError. */
  private async request(method: string, path: string, options: RequestOptions): Promise<Response> {
    const headers: Record<string, string> = { accept: options.accept ?? "application/json" };
    if (options.apiKey !== undefined) headers.authorization = `Bearer ${options.apiKey}`;
    if (options.body !== undefined) headers["content-type"] = "application/json";
    const timeout = AbortSignal.timeout(REQUEST_TIMEOUT_MS);
    let response: Response;
    try {
      response = await fetch(`${this.url}${path}`, {
        method,
        headers,
        body: options.body === undefined ? undefined : JSON.stringify(options.body),
        signal: options.signal ?? timeout,
      });
    } catch (error) {
      throw this.unreachable(error, options.signal);
    }
    if (response.ok) return response;
    const text = await response.text().catch(() => "");
    const body = parseJsonText(errorBodySchema, text);
    const refusal = body.success
      ? `${body.data.code}: ${body.data.message}`
      : `${method} ${path} answered ${response.status}`;
    if (response.status === 429) {
      throw new HiveRequestError(
        "RATE_LIMITED",
        `the hive at ${this.url} is limiting this client's requests${waitHint(response)}`,
        true,
      );
    }
    if (response.status >= 500) {
      throw new HiveRequestError(
        body.success ? remoteErrorCode(body.data.code) : "HIVE_UNAVAILABLE",
        `the hive at ${this.url} cannot answer now (${response.status} ${refusal})${waitHint(response)}`,
        true,
      );
    }
    const hint = response.status === 401 || response.status === 403 ? `; ${API_KEY_HINT}` : "";
    throw new HiveRequestError(
      body.success ? remoteErrorCode(body.data.code) : "HIVE_REFUSED",
      `${refusal}${hint}`,
      false,
    );
  }

  private unreachable(error: unknown, signal: AbortSignal | undefined): unknown {
    // Before the caller's signal: a timeout may be what aborted it (withTimeout).
    if ((error as Error).name === "TimeoutError") {
      return new HiveRequestError(
        "HIVE_UNAVAILABLE",
        `the hive at ${this.url} did not answer within ${REQUEST_TIMEOUT_MS / 1000} s`,
        true,
      );
    }
    if (signal?.aborted) return signal.reason;
    return new HiveRequestError(
      "HIVE_UNREACHABLE",
      `cannot reach the hive at ${this.url} (${fetchFailureReason(error)}): is \`keyforge up\` running?`,
      true,
    );
  }

  private async answer<Schema extends z.ZodType>(
    method: string,
    path: string,
    response: Response,
    schema: Schema,
  ): Promise<z.infer<Schema>> {
    return this.parsed(method, path, await response.text(), schema);
  }

  private parsed<Schema extends z.ZodType>(
    method: string,
    path: string,
    text: string,
    schema: Schema,
  ): z.infer<Schema> {
    const parsed = parseJsonText(schema, text);
    if (!parsed.success) throw this.offProtocol(method, path);
    return parsed.data;
  }

  private offProtocol(method: string, path: string): HiveRequestError {
    return new HiveRequestError(
      "HIVE_ANSWER_INVALID",
      `the hive at ${this.url} answered ${method} ${path} with what the protocol does not allow (is it another KeyForge version?)`,
      false,
    );
  }
}
