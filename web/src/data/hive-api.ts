import { errorBodySchema } from "../../../src/protocol/error-body.ts";
import {
  type JobSubmission,
  type JobView,
  jobListSchema,
  jobViewSchema,
} from "../../../src/protocol/job-messages.ts";
import { clusterSchema } from "../../../src/protocol/node-messages.ts";

export type Cluster = ReturnType<typeof clusterSchema.parse>;

/** A protocol schema, as this client uses it: it checks an answer and types it. */
interface AnswerSchema<T> {
  safeParse(value: unknown): { success: true; data: T } | { success: false };
}

/** The JSON of an answer's text; undefined, which no schema takes, for text that is not JSON. */
function jsonOf(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** A call the hive refused (its error code and message), or one that never reached it. */
export class HiveError extends Error {
  /** The hive's error code; "UNREACHABLE" or "BAD_ANSWER" when it gave none. */
  readonly code: string;
  /** The HTTP status; 0 when there was no answer. */
  readonly status: number;

  constructor(code: string, message: string, status: number) {
    super(message);
    this.name = "HiveError";
    this.code = code;
    this.status = status;
  }
}

/**
 * The hive's API from the browser: jobs, the cluster, and the URLs of its event streams. Every
 * answer is checked against its protocol schema, and every failure is a HiveError whose message
 * the page can show as it is.
 */
export class HiveApi {
  /** Base URL of the hive ("" for the page's own origin). */
  readonly base: string;

  constructor(base: string) {
    this.base = base;
  }

  /** Where the hive is, for messages: its URL, or this page's origin. */
  private where(): string {
    return this.base || window.location.origin;
  }

  /** GET /jobs, newest first; only the key's own jobs with `mine` (which needs the key). */
  jobs(options: { readonly mine?: string } = {}) {
    const path = `/jobs?limit=50${options.mine === undefined ? "" : "&mine=true"}`;
    return this.call("GET", path, jobListSchema, { apiKey: options.mine });
  }

  job(id: string): Promise<JobView> {
    return this.call("GET", `/jobs/${encodeURIComponent(id)}`, jobViewSchema);
  }

  /** POST /jobs: `created` is false when the hive had this job already (the same content). */
  async submit(submission: JobSubmission, apiKey: string) {
    let status = 0;
    const view = await this.call("POST", "/jobs", jobViewSchema, {
      apiKey,
      body: submission,
      onStatus: (code) => {
        status = code;
      },
    });
    return { view, created: status === 201 };
  }

  /** DELETE /jobs/:id: the job's view once cancelled (its owner's key, or an admin's). */
  cancel(id: string, apiKey: string): Promise<JobView> {
    return this.call("DELETE", `/jobs/${encodeURIComponent(id)}`, jobViewSchema, { apiKey });
  }

  cluster(): Promise<Cluster> {
    return this.call("GET", "/cluster", clusterSchema);
  }

  /** Checks a key by asking for its own jobs: a wrong key gets the hive's refusal. */
  async checkKey(apiKey: string): Promise<void> {
    await this.jobs({ mine: apiKey });
  }

  /** The URL of an event stream (public: the hive streams without a key). */
  streamUrl(path: string): string {
    return `${this.base}${path}`;
  }

  private async call<T>(
    method: string,
    path: string,
    schema: AnswerSchema<T>,
    options: {
      readonly apiKey?: string | undefined;
      readonly body?: unknown;
      readonly onStatus?: (status: number) => void;
    } = {},
  ): Promise<T> {
    const headers: Record<string, string> = {};
    if (options.apiKey !== undefined) headers.authorization = `Bearer ${options.apiKey}`;
    if (options.body !== undefined) headers["content-type"] = "application/json";
    let response: Response;
    try {
      response = await fetch(`${this.base}${path}`, {
        method,
        headers,
        ...(options.body !== undefined && { body: JSON.stringify(options.body) }),
      });
    } catch {
      throw new HiveError("UNREACHABLE", `cannot reach the hive at ${this.where()}`, 0);
    }
    const text = await response.text().catch(() => "");
    if (!response.ok) {
      const refusal = errorBodySchema.safeParse(jsonOf(text));
      throw refusal.success
        ? new HiveError(refusal.data.code, refusal.data.message, response.status)
        : new HiveError(
            "BAD_ANSWER",
            `the hive at ${this.where()} answered ${method} ${path.split("?")[0]} with HTTP ${response.status}`,
            response.status,
          );
    }
    const answer = schema.safeParse(jsonOf(text));
    if (!answer.success) {
      throw new HiveError(
        "BAD_ANSWER",
        `the hive at ${this.where()} answered ${method} ${path.split("?")[0]} with something that is not the protocol's`,
        response.status,
      );
    }
    options.onStatus?.(response.status);
    return answer.data;
  }
}
