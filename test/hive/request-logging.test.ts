import assert from "node:assert/strict";
import { generateKeyPairSync } from "node:crypto";
import { after, before, describe, it } from "node:test";
import type { FastifyInstance } from "fastify";
import { buildHive } from "../../src/hive/hive-app.ts";
import { MemoryCoordinator } from "../../src/infra/coord/memory-coordinator.ts";
import { ApiKeyRepository } from "../../src/infra/db/api-key-repository.ts";
import type { Database } from "../../src/infra/db/database.ts";
import { capturedLogger, type LogLine } from "../helpers/captured-log.ts";
import { freshPglite } from "../helpers/databases.ts";

const SECRET = "request-logging-secret-0123456789";

/** A hive whose log lines are kept; `failing` makes queries on jobs throw a plain Error. */
async function loggedHive(db: Database, failing: { on: boolean }) {
  const { logger, written } = capturedLogger("hive");
  const flaky = new Proxy(db, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver);
      if (property === "query") {
        return (text: string, params?: readonly unknown[]) =>
          failing.on && /\bjobs\b/.test(text)
            ? Promise.reject(new Error("the query planner fell over"))
            : target.query(text, params);
      }
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
  const app = await buildHive({
    db: flaky,
    coordinator: new MemoryCoordinator(),
    secrets: [SECRET],
    rateLimits: null,
    logger,
  });
  return { app, written };
}

describe("the hive's request log", () => {
  let app: FastifyInstance;
  let written: string[];
  let aliceKey: string;
  let aliceId: string;
  let drop: () => Promise<void>;
  const failing = { on: false };
  before(async () => {
    const fresh = await freshPglite();
    drop = fresh.drop;
    const created = await new ApiKeyRepository(fresh.db).createKey("alice", "user");
    aliceKey = created.token;
    aliceId = created.key.id;
    ({ app, written } = await loggedHive(fresh.db, failing));
  });
  after(async () => {
    await app.close();
    await drop();
  });

  /** The lines written while `work` ran, each one JSON object. */
  async function linesOf(work: () => Promise<unknown>): Promise<LogLine[]> {
    const from = written.length;
    await work();
    const text = written.slice(from).join("");
    assert.ok(text === "" || text.endsWith("\n"));
    return text
      .split("\n")
      .filter((line) => line !== "")
      .map((line) => JSON.parse(line) as LogLine);
  }

  it("takes a sane X-Request-Id, returns it, and makes one up otherwise", async () => {
    let reply = await app.inject({ url: "/health", headers: { "x-request-id": "gw-42.a:b" } });
    assert.equal(reply.headers["x-request-id"], "gw-42.a:b");
    for (const insane of ["has space", "x".repeat(200), "semi;colon"]) {
      reply = await app.inject({ url: "/health", headers: { "x-request-id": insane } });
      assert.match(String(reply.headers["x-request-id"]), /^[0-9a-f-]{36}$/, insane);
    }
    const lines = await linesOf(() =>
      app.inject({ url: "/health", headers: { "x-request-id": "trace-7" } }),
    );
    assert.deepEqual(
      lines.map((line) => line.requestId),
      ["trace-7"],
    );
  });

  it("writes one JSON line per request: id, method, route pattern, status, duration, caller", async () => {
    const id = "a".repeat(64);
    const lines = await linesOf(() =>
      app.inject({
        method: "DELETE",
        url: `/jobs/${id}`,
        headers: { authorization: `Bearer ${aliceKey}` },
      }),
    );
    assert.equal(lines.length, 1, JSON.stringify(lines));
    const [line] = lines as [LogLine];
    assert.equal(line.msg, "request");
    assert.equal(line.name, "hive");
    assert.equal(line.method, "DELETE");
    assert.equal(line.route, "/jobs/:id");
    assert.equal(line.status, 404);
    assert.equal(typeof line.durationMs, "number");
    assert.equal(line.caller, `user:${aliceId}`);
    assert.match(String(line.requestId), /^[0-9a-f-]{36}$/);
    assert.ok(!JSON.stringify(line).includes(id), "the route, not the URL with its id");
    assert.ok(!JSON.stringify(line).includes(aliceKey));
  });

  it("logs refused credentials by reason, never the credential, and counts them", async () => {
    const apiKey = "kf_not-a-key-but-maybe-a-typo-of-one";
    const nodeToken = "kfn.eyJuIjoibm9kZSJ9.forged-signature";
    const joinToken = `kfj_${"J".repeat(43)}`;
    const { publicKey } = generateKeyPairSync("ed25519");
    const lines = await linesOf(async () => {
      await app.inject({
        url: "/jobs?mine=true",
        headers: { authorization: `Bearer ${apiKey}` },
      });
      await app.inject({
        method: "POST",
        url: "/leases",
        headers: { authorization: `Bearer ${nodeToken}` },
        payload: { nodeId: "0".repeat(32), max: 1, waitSeconds: 0 },
      });
      await app.inject({
        method: "POST",
        url: "/nodes/register",
        headers: { authorization: `Bearer ${joinToken}` },
        payload: {
          threads: 1,
          calibratedIps: 1000,
          publicKey: publicKey.export({ format: "jwk" }).x,
          hardware: { cpuModel: "Test CPU", cores: 2, arch: "x64" },
        },
      });
    });
    const text = JSON.stringify(lines);
    for (const credential of [apiKey, nodeToken, joinToken, "forged-signature", "J".repeat(20)]) {
      assert.ok(!text.includes(credential), `${credential} is not in the log`);
    }
    const refusals = lines.filter((line) => line.msg === "authentication failed");
    assert.deepEqual(
      refusals.map((line) => [line.route, line.reason]),
      [
        ["/jobs", "AUTH_INVALID"],
        ["/leases", "AUTH_INVALID"],
        // Whichever check refuses the registration first: the credential stays out either way.
        ["/nodes/register", refusals[2]?.reason],
      ],
    );
    assert.match(String(refusals[2]?.reason), /^[A-Z_]+$/);
    assert.deepEqual(
      lines.filter((line) => line.msg === "request").map((line) => line.status),
      [401, 401, 401],
    );
    const metrics = (await app.inject({ url: "/metrics" })).body;
    assert.match(metrics, /keyforge_hive_auth_failures_total\{reason="AUTH_INVALID"\} 2/);
    assert.match(
      metrics,
      new RegExp(`keyforge_hive_auth_failures_total\\{reason="${refusals[2]?.reason}"\\} 1`),
    );
  });

  it("writes a bug's stack inside one JSON line, with method, URL and caller", async () => {
    failing.on = true;
    let reply: Awaited<ReturnType<FastifyInstance["inject"]>> | undefined;
    const lines = await linesOf(async () => {
      reply = await app.inject({
        url: "/jobs?mine=true",
        headers: { authorization: `Bearer ${aliceKey}` },
      });
    }).finally(() => {
      failing.on = false;
    });
    assert.equal(reply?.statusCode, 500);
    const bug = lines.find((line) => line.msg === "unexpected error");
    assert.ok(bug, JSON.stringify(lines));
    assert.equal(bug.level, 50);
    assert.equal(bug.method, "GET");
    assert.equal(bug.url, "/jobs?mine=true");
    assert.equal(bug.caller, `user:${aliceId}`);
    const err = bug.err as { message: string; stack: string };
    assert.equal(err.message, "the query planner fell over");
    assert.match(err.stack, /the query planner fell over\n\s+at /);
    assert.equal(bug.requestId, reply?.headers["x-request-id"]);
    assert.ok(!JSON.stringify(lines).includes(aliceKey));
  });
});
