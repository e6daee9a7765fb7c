import assert from "node:assert/strict";
import { generateKeyPairSync, randomBytes } from "node:crypto";
import { after, before, describe, it } from "node:test";
import type { InjectOptions } from "fastify";
import { SCORING_RULES } from "../../src/core/scoring/model.ts";
import { JoinTokenRepository } from "../../src/infra/db/join-token-repository.ts";
import { secretEnrolment } from "../../src/infra/node-enrolments.ts";
import { signRegistration } from "../../src/infra/node-signatures.ts";
import { issueNodeToken } from "../../src/infra/node-tokens.ts";
import { errorBodySchema } from "../../src/protocol/error-body.ts";
import { type JobView, jobViewSchema } from "../../src/protocol/job-messages.ts";
import { HIVE_SECRET, startHive, type TestHive } from "../helpers/hive.ts";
import {
  layoutsOf,
  leasedJob,
  registerAgent,
  signedResult,
  type TestAgent,
} from "../helpers/hive-agent.ts";

/**
 * Every kind of caller: no credentials, malformed ones, an unknown API key, two users, an admin,
 * the operator (HIVE_SECRET), a volunteer with a join token, the node a route is about, another
 * node, and that first node's token once expired, once with its signature tampered with, and
 * once naming an enrolment under a hive secret since retired.
 */
const CALLERS = [
  "anonymous",
  "basicScheme",
  "garbledBearer",
  "unknownKey",
  "alice",
  "bob",
  "admin",
  "secret",
  "joinToken",
  "ownNode",
  "otherNode",
  "expiredToken",
  "tamperedToken",
  "retiredEnrolment",
] as const;
type Caller = (typeof CALLERS)[number];

/**
 * What a caller gets: the status of a success ("200 text/event-stream" for an event stream), or
 * the status and stable code of an error, e.g. "401 AUTH_REQUIRED".
 */
type Outcome = number | `${number} ${string}`;

/** The hive under test, its agents, its jobs, and the Authorization header of every caller. */
interface World {
  readonly hive: TestHive;
  /** The node the node routes name (URL or body), and the holder of every leased unit. */
  readonly own: TestAgent;
  readonly other: TestAgent;
  /** A job of alice's, all its units leased to the own node; the public reads read it. */
  readonly job: JobView;
  /** A layout of `job` and its score: a result the hive accepts. */
  readonly layout: { readonly text: string; readonly score: number };
  readonly authorization: Readonly<Record<Caller, string | undefined>>;
  /** A seed never used before: every job submitted with it is a new one. */
  seed(): number;
  /** A unit of `job` no request has used yet. */
  unusedUnit(): string;
  /** The id of a job of alice's that is still queued (a caller before may have cancelled one). */
  queuedJob(): Promise<string>;
}

/** A row of the matrix: a route, how to call it, and what each caller gets. */
interface Row {
  /** Method and path, as documented; sent as it stands when the row has no `request`. */
  readonly route: string;
  /** Builds the request a caller sends, setting up what it needs (its credentials come later). */
  readonly request?: (world: World, caller: Caller) => Promise<InjectOptions> | InjectOptions;
  readonly outcomes: Readonly<Record<Caller, Outcome>>;
}

/** The same outcome for every caller: a route that never looks at credentials. */
function everyone(outcome: Outcome): Record<Caller, Outcome> {
  return Object.fromEntries(CALLERS.map((caller) => [caller, outcome])) as Record<Caller, Outcome>;
}

/**
 * A user route: API keys get what is given; no credential gets AUTH_REQUIRED, any other
 * credential (unknown key, node token, the hive secret, which only enrols agents) is refused.
 */
function usersOnly(
  users: Pick<Record<Caller, Outcome>, "alice" | "bob" | "admin">,
): Record<Caller, Outcome> {
  return { ...everyone("401 AUTH_INVALID"), anonymous: "401 AUTH_REQUIRED", ...users };
}

/**
 * A node route: only the node's own, valid token gets through; `own` is what it gets and
 * `other` what another node's token gets. Any other credential is of the wrong kind.
 */
function ownNodeOnly(own: Outcome, other: Outcome): Record<Caller, Outcome> {
  return {
    ...everyone("401 AUTH_INVALID"),
    anonymous: "401 AUTH_REQUIRED",
    ownNode: own,
    otherNode: other,
    expiredToken: "401 TOKEN_EXPIRED",
    retiredEnrolment: "401 NODE_ENROLMENT_RETIRED",
  };
}

/** A valid submission of one unit, new thanks to its seed. */
function jobSubmission(seed: number, priority = 0) {
  return {
    name: `auth matrix ${seed}`,
    board: "corne",
    corpora: [{ id: "en" }],
    priority,
    search: { units: 1, stepsPerUnit: 60_000, seed },
  };
}

/** The path of a unit route. */
function unitPath(unitId: string, action: "release" | "fail" | "result"): string {
  return `/units/${encodeURIComponent(unitId)}/${action}`;
}

/**
 * The matrix: every route of the hive (docs/hive-api.md) and what each kind of caller gets.
 * Public reads answer anyone; users submit, cancel and retry (their own) jobs; admins may
 * cancel and retry any job and give priorities; HIVE_SECRET and join tokens register nodes, and
 * do nothing else; a node acts for itself, while what it enrolled with is still accepted.
 */
const MATRIX: readonly Row[] = [
  { route: "GET /health", outcomes: everyone(200) },
  { route: "GET /metrics", outcomes: everyone(200) },
  { route: "GET /openapi.json", outcomes: everyone(200) },
  { route: "GET /docs", outcomes: everyone(200) },
  { route: "GET /cluster", outcomes: everyone(200) },
  { route: "GET /events", outcomes: everyone("200 text/event-stream") },
  {
    route: "GET /jobs/:id/events",
    request: (world) => ({ method: "GET", url: `/jobs/${world.job.id}/events` }),
    outcomes: everyone("200 text/event-stream"),
  },
  {
    route: "GET /jobs/:id",
    request: (world) => ({ method: "GET", url: `/jobs/${world.job.id}` }),
    outcomes: everyone(200),
  },
  { route: "GET /jobs", outcomes: everyone(200) },
  {
    route: "GET /jobs?mine=true",
    outcomes: usersOnly({ alice: 200, bob: 200, admin: 200 }),
  },
  {
    route: "POST /jobs",
    request: (world) => ({ method: "POST", url: "/jobs", payload: jobSubmission(world.seed()) }),
    outcomes: usersOnly({ alice: 201, bob: 201, admin: 201 }),
  },
  {
    route: "POST /jobs (priority 1)",
    request: (world) => ({ method: "POST", url: "/jobs", payload: jobSubmission(world.seed(), 1) }),
    outcomes: usersOnly({ alice: "403 FORBIDDEN", bob: "403 FORBIDDEN", admin: 201 }),
  },
  {
    route: "DELETE /jobs/:id (alice's job)",
    request: async (world) => ({ method: "DELETE", url: `/jobs/${await world.queuedJob()}` }),
    outcomes: usersOnly({ alice: 200, bob: "403 FORBIDDEN", admin: 200 }),
  },
  {
    route: "POST /jobs/:id/retry (alice's cancelled job)",
    request: async (world) => {
      const { id } = await submitAsAlice(world.hive, world.seed());
      await world.hive.app.inject({
        method: "DELETE",
        url: `/jobs/${id}`,
        headers: world.hive.auth.alice,
      });
      return { method: "POST", url: `/jobs/${id}/retry` };
    },
    outcomes: usersOnly({ alice: 200, bob: "403 FORBIDDEN", admin: 200 }),
  },
  {
    route: "POST /nodes/register",
    request: () => {
      const { publicKey, privateKey } = generateKeyPairSync("ed25519");
      const key = publicKey.export({ format: "jwk" }).x as string;
      return {
        method: "POST",
        url: "/nodes/register",
        payload: {
          publicKey: key,
          hardware: { cpuModel: "Auth matrix CPU", cores: 2, arch: "x64" },
          calibratedIps: 100_000,
          proof: signRegistration(privateKey, key),
        },
      };
    },
    outcomes: {
      ...usersOnly({
        alice: "401 AUTH_INVALID",
        bob: "401 AUTH_INVALID",
        admin: "401 AUTH_INVALID",
      }),
      secret: 200,
      joinToken: 200,
    },
  },
  {
    route: "POST /nodes/:id/token",
    request: (world) => ({ method: "POST", url: `/nodes/${world.own.nodeId}/token` }),
    outcomes: ownNodeOnly(200, "403 FORBIDDEN"),
  },
  {
    route: "POST /nodes/:id/heartbeat",
    request: (world) => ({
      method: "POST",
      url: `/nodes/${world.own.nodeId}/heartbeat`,
      payload: { telemetry: { ips: 1000, units: [] } },
    }),
    outcomes: ownNodeOnly(200, "403 FORBIDDEN"),
  },
  {
    route: "POST /leases",
    request: (world) => ({
      method: "POST",
      url: "/leases",
      payload: { nodeId: world.own.nodeId, max: 1, waitSeconds: 0, scoring: SCORING_RULES },
    }),
    outcomes: ownNodeOnly(200, "403 FORBIDDEN"),
  },
  {
    route: "POST /units/:id/release (leased to own node)",
    request: (world) => ({ method: "POST", url: unitPath(world.unusedUnit(), "release") }),
    outcomes: ownNodeOnly(204, "409 LEASE_NOT_HELD"),
  },
  {
    route: "POST /units/:id/fail (leased to own node)",
    request: (world) => ({
      method: "POST",
      url: unitPath(world.unusedUnit(), "fail"),
      payload: { reason: "the worker thread crashed" },
    }),
    outcomes: ownNodeOnly(204, "409 LEASE_NOT_HELD"),
  },
  {
    // Another node signs with its own key: the result checks out but the lease is not its own.
    route: "POST /units/:id/result (leased to own node)",
    request: (world, caller) => {
      const unitId = world.unusedUnit();
      const signer = caller === "otherNode" ? world.other : world.own;
      return {
        method: "POST",
        url: unitPath(unitId, "result"),
        payload: signedResult(signer, unitId, world.layout.text, world.layout.score),
      };
    },
    outcomes: ownNodeOnly(200, "409 LEASE_NOT_HELD"),
  },
  {
    // Last: the node leaves the live set (it stays registered, and its token stays valid).
    route: "POST /nodes/:id/goodbye",
    request: (world) => ({ method: "POST", url: `/nodes/${world.own.nodeId}/goodbye` }),
    outcomes: ownNodeOnly(204, "403 FORBIDDEN"),
  },
];

/** The token with one character of its signature (`kfn.<payload>.<mac>`) changed. */
function tampered(token: string): string {
  const [prefix, payload, mac = ""] = token.split(".");
  // The first character: the last one of a base64url MAC may carry only ignored padding bits.
  return `${prefix}.${payload}.${mac.startsWith("A") ? "B" : "A"}${mac.slice(1)}`;
}

/** Submits a new job as alice. */
async function submitAsAlice(hive: TestHive, seed: number): Promise<JobView> {
  const response = await hive.app.inject({
    method: "POST",
    url: "/jobs",
    headers: hive.auth.alice,
    payload: jobSubmission(seed),
  });
  assert.equal(response.statusCode, 201, response.body);
  return jobViewSchema.parse(response.json());
}

/** Units the rows that use a unit take: the release, fail and result rows, one per caller. */
const UNITS = 3 * CALLERS.length;

async function startWorld(): Promise<World> {
  const hive = await startHive("embedded");
  const own = await registerAgent(hive.app);
  const other = await registerAgent(hive.app);
  let seed = 0;
  const nextSeed = () => ++seed;
  const { job, units } = await leasedJob(hive.app, hive.auth.alice, own, UNITS, nextSeed());
  const unused = units.map((unit) => unit.unitId);
  let queued: JobView | undefined;
  const statusOf = async (jobId: string) =>
    jobViewSchema.parse((await hive.app.inject({ method: "GET", url: `/jobs/${jobId}` })).json())
      .status;
  const ownToken = own.headers.authorization?.slice("Bearer ".length) ?? "";
  const joinToken = await new JoinTokenRepository(hive.db).createToken({
    name: "auth matrix",
    maxUses: 10,
    expiresAt: new Date(Date.now() + 86_400_000),
  });
  const anHourAgo = Date.now() - 3_600_000;
  const ownEnrolment = { nodeId: own.nodeId, enrolment: secretEnrolment(HIVE_SECRET) };
  const retiredEnrolment = { ...ownEnrolment, enrolment: secretEnrolment("a retired secret") };
  return {
    hive,
    own,
    other,
    job,
    layout: (await layoutsOf(job.content, hive.coordinator)).start,
    authorization: {
      anonymous: undefined,
      basicScheme: "Basic YWxpY2U6cGFzc3dvcmQ=",
      garbledBearer: "Bearer not one token",
      unknownKey: `Bearer kf_${randomBytes(32).toString("base64url")}`,
      alice: hive.auth.alice.authorization,
      bob: hive.auth.bob.authorization,
      admin: hive.auth.admin.authorization,
      secret: hive.auth.secret.authorization,
      joinToken: `Bearer ${joinToken.token}`,
      ownNode: own.headers.authorization,
      otherNode: other.headers.authorization,
      expiredToken: `Bearer ${issueNodeToken(ownEnrolment, HIVE_SECRET, 60, anHourAgo).token}`,
      retiredEnrolment: `Bearer ${issueNodeToken(retiredEnrolment, HIVE_SECRET, 60).token}`,
      tamperedToken: `Bearer ${tampered(ownToken)}`,
    },
    seed: nextSeed,
    unusedUnit() {
      const unitId = unused.pop();
      assert.ok(unitId !== undefined, `more than ${UNITS} units used`);
      return unitId;
    },
    async queuedJob() {
      if (queued === undefined || (await statusOf(queued.id)) !== "queued") {
        queued = await submitAsAlice(hive, nextSeed());
      }
      return queued.id;
    },
  };
}

/** The request of a row for one caller: its own, or its route's method and path. */
function requestOf(row: Row, world: World, caller: Caller): Promise<InjectOptions> | InjectOptions {
  if (row.request) return row.request(world, caller);
  const [method, url] = row.route.split(" ");
  return { method: method as InjectOptions["method"], url };
}

/**
 * Sends the request as `caller` and tells what it got; an event stream never ends, so it is read
 * up to its first event (the snapshot) only. No answer may carry HIVE_SECRET, and no error may
 * echo the caller's credentials.
 */
async function outcomeOf(world: World, request: InjectOptions, caller: Caller): Promise<Outcome> {
  const authorization = world.authorization[caller];
  const response = await world.hive.app.inject({
    ...request,
    headers: authorization === undefined ? {} : { authorization },
    payloadAsStream: true,
  });
  const contentType = String(response.headers["content-type"] ?? "");
  const isStream = contentType.startsWith("text/event-stream");
  const chunks: Buffer[] = [];
  for await (const chunk of response.stream()) {
    chunks.push(chunk as Buffer);
    if (isStream) break;
  }
  const body = Buffer.concat(chunks).toString("utf8");
  const where = `${request.method} ${request.url} as ${caller}`;
  for (const text of [body, JSON.stringify(response.headers)]) {
    assert.ok(!text.includes(HIVE_SECRET), `${where}: the answer holds HIVE_SECRET`);
  }
  if (response.statusCode < 400) {
    return isStream ? `${response.statusCode} text/event-stream` : response.statusCode;
  }
  if (authorization !== undefined) {
    assert.ok(!body.includes(authorization), `${where}: the error echoes the credentials`);
  }
  return `${response.statusCode} ${errorBodySchema.parse(JSON.parse(body)).code}`;
}

describe("hive auth matrix: every route, every kind of caller (PGlite + in-memory)", () => {
  let world: World;
  before(async () => {
    world = await startWorld();
  });
  after(() => world.hive.close());

  for (const row of MATRIX) {
    it(row.route, async () => {
      const outcomes: Partial<Record<Caller, Outcome>> = {};
      for (const caller of CALLERS) {
        outcomes[caller] = await outcomeOf(world, await requestOf(row, world, caller), caller);
      }
      assert.deepEqual(outcomes, row.outcomes);
    });
  }
});
