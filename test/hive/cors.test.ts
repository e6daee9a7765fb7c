import assert from "node:assert/strict";
import type { AddressInfo } from "node:net";
import { after, before, describe, it } from "node:test";
import type { FastifyInstance } from "fastify";
import { KeyForgeError } from "../../src/core/errors.ts";
import { corsOrigins } from "../../src/hive/cors.ts";
import { buildHive } from "../../src/hive/hive-app.ts";
import { MemoryCoordinator } from "../../src/infra/coord/memory-coordinator.ts";
import { freshPglite } from "../helpers/databases.ts";

const WEB = "https://keyforge.example.org";
const ELSEWHERE = "https://evil.example.net";

describe("CORS for the web origin (--cors-origin)", () => {
  let app: FastifyInstance;
  let drop: () => Promise<void>;
  before(async () => {
    const store = await freshPglite();
    drop = store.drop;
    app = await buildHive({
      db: store.db,
      coordinator: new MemoryCoordinator(),
      secrets: [],
      corsOrigins: corsOrigins(WEB),
      log: () => {},
    });
  });
  after(async () => {
    await app.close();
    await drop();
  });

  const preflight = (origin: string, method = "POST") =>
    app.inject({
      method: "OPTIONS",
      url: "/jobs",
      headers: {
        origin,
        "access-control-request-method": method,
        "access-control-request-headers": "authorization, content-type",
      },
    });

  it("answers the web origin's preflight with what its pages may send", async () => {
    const answer = await preflight(WEB);
    assert.equal(answer.statusCode, 204);
    assert.equal(answer.headers["access-control-allow-origin"], WEB);
    assert.match(String(answer.headers["access-control-allow-methods"]), /\bPOST\b/);
    assert.match(String(answer.headers["access-control-allow-methods"]), /\bDELETE\b/);
    assert.match(String(answer.headers["access-control-allow-headers"]), /\bauthorization\b/);
    assert.match(String(answer.headers["access-control-allow-headers"]), /\bcontent-type\b/);
    assert.equal(answer.headers["access-control-allow-credentials"], undefined);
    assert.ok(Number(answer.headers["access-control-max-age"]) > 0);
  });

  it("lets the web origin's pages read answers, errors included, and no other origin's", async () => {
    const read = await app.inject({ method: "GET", url: "/jobs", headers: { origin: WEB } });
    assert.equal(read.statusCode, 200);
    assert.equal(read.headers["access-control-allow-origin"], WEB);
    assert.match(String(read.headers["access-control-expose-headers"]), /x-request-id/);
    assert.match(String(read.headers.vary), /Origin/);
    const refused = await app.inject({
      method: "GET",
      url: "/jobs?mine=true",
      headers: { origin: WEB },
    });
    assert.equal(refused.statusCode, 401);
    assert.equal(refused.headers["access-control-allow-origin"], WEB, "the page can show why");

    const other = await app.inject({ method: "GET", url: "/jobs", headers: { origin: ELSEWHERE } });
    assert.equal(other.statusCode, 200);
    assert.equal(other.headers["access-control-allow-origin"], undefined);
    assert.match(String(other.headers.vary), /Origin/);
    const otherPreflight = await preflight(ELSEWHERE);
    assert.notEqual(otherPreflight.statusCode, 204);
    assert.equal(otherPreflight.headers["access-control-allow-origin"], undefined);
    const noOrigin = await app.inject({ method: "GET", url: "/jobs" });
    assert.equal(noOrigin.headers["access-control-allow-origin"], undefined);
  });

  it("lets the web origin's pages follow the event streams, and no other origin's", async () => {
    await app.listen({ host: "127.0.0.1", port: 0 });
    const url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
    // The stream of every event, and a job's stream answering that there is no such job.
    for (const path of ["/events", `/jobs/${"0".repeat(64)}/events`]) {
      for (const [origin, allowed] of [
        [WEB, WEB],
        [ELSEWHERE, null],
      ] as const) {
        const stream = await fetch(`${url}${path}`, { headers: { origin } });
        assert.equal(
          stream.headers.get("access-control-allow-origin"),
          allowed,
          `${path} ${origin}`,
        );
        assert.match(stream.headers.get("vary") ?? "", /Origin/);
        await stream.body?.cancel();
      }
    }
  });

  it("takes origins only, refusing a path, a trailing slash or another scheme", () => {
    assert.deepEqual(corsOrigins(`${WEB}, http://localhost:5173`), [WEB, "http://localhost:5173"]);
    for (const bad of [`${WEB}/`, `${WEB}/app`, "keyforge.example.org", "ftp://x.org", "*", ""]) {
      assert.throws(
        () => corsOrigins(bad),
        (error: unknown) => error instanceof KeyForgeError && error.code === "FLAG_INVALID",
        bad,
      );
    }
  });
});

describe("without --cors-origin", () => {
  it("sends no CORS header and answers no preflight", async () => {
    const { db, drop } = await freshPglite();
    const app = await buildHive({
      db,
      coordinator: new MemoryCoordinator(),
      secrets: [],
      log: () => {},
    });
    try {
      const answer = await app.inject({
        method: "OPTIONS",
        url: "/jobs",
        headers: { origin: WEB, "access-control-request-method": "POST" },
      });
      assert.notEqual(answer.statusCode, 204);
      assert.equal(answer.headers["access-control-allow-origin"], undefined);
    } finally {
      await app.close();
      await drop();
    }
  });
});
