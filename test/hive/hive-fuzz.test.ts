import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import fc from "fast-check";
import { startHive, type TestHive } from "../helpers/hive.ts";
import { registerAgent } from "../helpers/hive-agent.ts";

/** Every route of the hive, with the methods it answers; ":x" segments get random values. */
const ROUTES: readonly [string, string][] = [
  ["POST", "/jobs"],
  ["GET", "/jobs"],
  ["GET", "/jobs/:id"],
  ["DELETE", "/jobs/:id"],
  ["POST", "/jobs/:id/retry"],
  ["POST", "/nodes/register"],
  ["POST", "/nodes/:id/token"],
  ["POST", "/nodes/:id/heartbeat"],
  ["GET", "/cluster"],
  ["POST", "/leases"],
  ["POST", "/units/:id/release"],
  ["POST", "/units/:id/fail"],
  ["POST", "/units/:id/result"],
  ["GET", "/health"],
  ["GET", "/metrics"],
  ["PUT", "/jobs"],
  ["GET", "/nowhere/:id"],
];

const printable = fc.string({
  unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)),
  maxLength: 80,
});
const segment = fc.oneof(
  fc.stringMatching(/^[0-9a-f]{64}$/),
  fc.stringMatching(/^[0-9a-f]{32}$/),
  printable.map(encodeURIComponent),
  fc.constantFrom("..", "%2e%2e", "%00", "%ZZ", "a".repeat(300)),
);
const body = fc.oneof(
  fc.jsonValue().map((value) => JSON.stringify(value)),
  fc.string(),
  fc.constantFrom("{", "[]", "null", '{"name":1}', '{"search":{"units":1e400}}'),
  fc
    .record({
      name: fc.string(),
      board: fc.oneof(fc.string(), fc.object()),
      corpora: fc.array(fc.record({ id: fc.string(), weight: fc.double() })),
      search: fc.record({ units: fc.integer(), stepsPerUnit: fc.integer(), pins: fc.string() }),
    })
    .map((value) => JSON.stringify(value)),
);
const headers = fc.record(
  {
    authorization: fc.oneof(
      printable,
      printable.map((t) => `Bearer ${t}`),
      fc.constantFrom("Bearer kfn.a.b", "Bearer kf_x"),
    ),
    "content-type": fc.constantFrom(
      "application/json",
      "text/plain",
      "application/x-www-form-urlencoded",
      "multipart/form-data",
      "",
      "application/json; charset=latin1",
    ),
    accept: fc.constantFrom("*/*", "text/event-stream", "application/xml"),
  },
  { requiredKeys: [] },
);
const query = fc.oneof(
  fc.constant(""),
  fc
    .dictionary(fc.constantFrom("limit", "cursor", "status", "mine", "x"), printable)
    .map((params) => `?${new URLSearchParams(params).toString()}`),
);

describe("hive fuzzing: random and malformed requests", () => {
  let hive: TestHive;
  before(async () => {
    hive = await startHive("embedded");
  });
  after(() => hive.close());

  it("never answers 5xx to callers with valid credentials sending random bodies", async () => {
    const agent = await registerAgent(hive.app);
    const credentials = [hive.auth.alice, hive.auth.admin, hive.auth.secret, agent.headers];
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...ROUTES.filter(([method]) => method !== "GET")),
        fc.constantFrom(agent.nodeId, "a".repeat(64), "x"),
        fc.constantFrom(...credentials),
        body,
        async ([method, template], id, auth, payload) => {
          const url = template.replace(":id", id);
          const response = await hive.app.inject({
            method: method as "POST",
            url,
            headers: { ...auth, "content-type": "application/json" },
            payload,
          });
          assert.ok(
            response.statusCode < 500,
            `${method} ${url} → ${response.statusCode} ${response.body.slice(0, 300)}`,
          );
        },
      ),
      { numRuns: 300 },
    );
  });

  it("never answers 5xx, never crashes, always with a { code, message } error body", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...ROUTES),
        fc.array(segment, { minLength: 1, maxLength: 1 }),
        query,
        body,
        headers,
        async ([method, template], [id], search, payload, requestHeaders) => {
          const url = template.replace(":id", id as string) + search;
          const response = await hive.app.inject({
            method: method as "GET",
            url,
            headers: requestHeaders,
            ...(method === "GET" ? {} : { payload }),
          });
          assert.ok(
            response.statusCode < 500,
            `${method} ${url} → ${response.statusCode} ${response.body.slice(0, 300)}`,
          );
          if (response.statusCode >= 400) {
            const error = response.json() as { code?: unknown; message?: unknown };
            assert.equal(typeof error.code, "string", response.body);
            assert.equal(typeof error.message, "string", response.body);
          }
        },
      ),
      { numRuns: 400 },
    );
  });
});
