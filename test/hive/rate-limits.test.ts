import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import type { FastifyInstance } from "fastify";
import { buildHive } from "../../src/hive/hive-app.ts";
import type { RateLimits } from "../../src/hive/rate-limits.ts";
import { FLUSH_MS, TRUSTED_MS } from "../../src/hive/shared-request-counts.ts";
import { ValkeyCoordinator } from "../../src/infra/coord/valkey-coordinator.ts";
import { freshPglite } from "../helpers/databases.ts";
import { startHive, type TestHive } from "../helpers/hive.ts";
import { registerAgent, type TestAgent } from "../helpers/hive-agent.ts";

const LIMITS: RateLimits = { perClient: 80, perKey: 5, windowMs: 60_000 };

/** Waits until the requests an instance counted have been added to the shared counts. */
const flushed = () => sleep(2 * FLUSH_MS);
/** Waits until an instance no longer trusts its last reading of the shared counts. */
const readingsExpired = () => sleep(TRUSTED_MS + 2 * FLUSH_MS);

function get(app: FastifyInstance, url: string, headers: Record<string, string> = {}) {
  return app.inject({ method: "GET", url, headers });
}

describe("rate limits, shared by two instances through Redis", () => {
  let hive: TestHive;
  let second: FastifyInstance;
  before(async () => {
    hive = await startHive("server", { rateLimits: LIMITS });
    second = await buildHive({
      db: hive.db,
      coordinator: hive.anotherCoordinator(),
      secrets: [],
      rateLimits: LIMITS,
      reaperPeriodMs: 0,
      log: () => {},
    });
  });
  after(async () => {
    await second.close();
    await hive.close();
  });

  it("counts a key's requests on every instance, and answers 429 with Retry-After past the limit", async () => {
    const alice = hive.auth.alice;
    const statuses = [];
    for (const app of [hive.app, second, hive.app, second, hive.app]) {
      statuses.push((await get(app, "/jobs", alice)).statusCode);
      await flushed();
    }
    assert.deepEqual(statuses, [200, 200, 200, 200, 200]);
    const refused = await get(second, "/jobs", alice);
    assert.equal(refused.statusCode, 429);
    assert.equal(refused.json().code, "RATE_LIMITED");
    const retryAfter = Number(refused.headers["retry-after"]);
    assert.ok(retryAfter >= 1 && retryAfter <= 60, `Retry-After ${retryAfter}`);
    assert.equal((await get(hive.app, "/jobs", hive.auth.bob)).statusCode, 200, "bob has his own");
  });

  it("limits a client whatever key it uses, exactly, and never limits /health", async () => {
    // The client address has counted the 7 requests above; one instance decides most of the
    // rest without waiting for Valkey, and the last ones exactly.
    const statuses = [];
    for (let i = 0; i < 80; i++) statuses.push((await get(hive.app, "/jobs")).statusCode);
    assert.equal(statuses.filter((s) => s === 200).length, 80 - 7);
    assert.deepEqual(statuses.slice(73), Array(7).fill(429));
    await readingsExpired();
    const refused = await get(second, "/jobs", hive.auth.admin);
    assert.equal(refused.statusCode, 429);
    assert.match(refused.json().message, /this client/);
    assert.equal((await get(second, "/health")).statusCode, 200);
  });
});

describe("rate limits of nodes", () => {
  let hive: TestHive;
  before(async () => {
    hive = await startHive("embedded", {
      rateLimits: { perClient: 1000, perKey: 3, windowMs: 60_000 },
    });
  });
  after(() => hive.close());

  const heartbeat = (nodeId: string, token: string) =>
    hive.app.inject({
      method: "POST",
      url: `/nodes/${nodeId}/heartbeat`,
      headers: { authorization: `Bearer ${token}` },
      payload: { telemetry: { ips: 0, units: [] } },
    });

  const tokenOf = (agent: TestAgent) =>
    (agent.headers.authorization as string).slice("Bearer ".length);

  it("counts a node's requests once, whichever of its tokens it sends, and never a forgery's", async () => {
    const node = await registerAgent(hive.app);
    const first = tokenOf(node);
    const renewed = await hive.app.inject({
      method: "POST",
      url: `/nodes/${node.nodeId}/token`,
      headers: node.headers,
    });
    const second = renewed.json().token as string;
    assert.notEqual(second, first);
    // A junk character in the signature makes no other token, and no other count.
    const respelt = `${first.slice(0, -5)}!${first.slice(-5)}`;
    assert.equal((await heartbeat(node.nodeId, respelt)).json().code, "AUTH_INVALID");
    assert.equal((await heartbeat(node.nodeId, second)).statusCode, 200);
    assert.equal((await heartbeat(node.nodeId, first)).statusCode, 200);
    const refused = await heartbeat(node.nodeId, second);
    assert.equal(refused.statusCode, 429, "the renewal and two heartbeats used the node's 3");
    assert.match(refused.json().message, /this node/);

    // Tokens naming another node without its signature count against nobody but themselves.
    const victim = await registerAgent(hive.app);
    const [prefix, payload, mac] = tokenOf(victim).split(".");
    const forged = `${prefix}.${payload}.${mac?.replace(/^./, (c) => (c === "A" ? "B" : "A"))}`;
    for (let i = 0; i < 3; i++) {
      assert.equal((await heartbeat(victim.nodeId, forged)).statusCode, 401);
    }
    assert.equal((await heartbeat(victim.nodeId, tokenOf(victim))).statusCode, 200);
  });
});

describe("rate limits while Valkey is down", () => {
  it("serves every request: limits degrade, the API does not", async () => {
    const { db, drop } = await freshPglite();
    const coordinator = new ValkeyCoordinator("redis://127.0.0.1:1");
    const app = await buildHive({
      db,
      coordinator,
      secrets: [],
      rateLimits: { perClient: 1, perKey: 1, windowMs: 60_000 },
      reaperPeriodMs: 0,
      log: () => {},
    });
    try {
      for (let i = 0; i < 3; i++) assert.equal((await get(app, "/jobs")).statusCode, 200);
    } finally {
      await app.close();
      await coordinator.close();
      await drop();
    }
  });
});
