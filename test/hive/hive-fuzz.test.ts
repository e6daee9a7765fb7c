import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import fc from "fast-check";
import { startHive, type TestHive } from "../helpers/hive.ts";
import { registerAgent } from "../helpers/hive-agent.ts";
import {
  HIVE_ROUTES,
  pathSegment,
  requestBody,
  requestHeaders,
  requestQuery,
} from "../helpers/hive-requests.ts";

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
        fc.constantFrom(...HIVE_ROUTES.filter(([method]) => method !== "GET")),
        fc.constantFrom(agent.nodeId, "a".repeat(64), "x"),
        fc.constantFrom(...credentials),
        requestBody,
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
        fc.constantFrom(...HIVE_ROUTES),
        fc.array(pathSegment, { minLength: 1, maxLength: 1 }),
        requestQuery,
        requestBody,
        requestHeaders,
        async ([method, template], [id], search, payload, sentHeaders) => {
          const url = template.replace(":id", id as string) + search;
          const response = await hive.app.inject({
            method: method as "GET",
            url,
            headers: sentHeaders,
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
