import assert from "node:assert/strict";
import { after, describe, it } from "node:test";
import { buildHive } from "../../src/hive/hive-app.ts";
import { healthSchema } from "../../src/hive/routes/health-routes.ts";
import { MemoryCoordinator } from "../../src/infra/coord/memory-coordinator.ts";
import { ValkeyCoordinator } from "../../src/infra/coord/valkey-coordinator.ts";
import { PostgresDatabase } from "../../src/infra/db/postgres-database.ts";
import { freshPglite, TEST_DATABASE_URL } from "../helpers/databases.ts";

describe("GET /health", () => {
  const closers: (() => Promise<unknown>)[] = [];
  after(async () => {
    for (const close of closers) await close();
  });

  async function hiveOn(
    db: Parameters<typeof buildHive>[0]["db"],
    coordinator: Parameters<typeof buildHive>[0]["coordinator"],
  ) {
    const app = await buildHive({ db, coordinator, secrets: [], log: () => {} });
    closers.push(
      () => app.close(),
      () => coordinator.close(),
    );
    const response = await app.inject({ method: "GET", url: "/health" });
    return { status: response.statusCode, body: healthSchema.parse(response.json()) };
  }

  it("is ok when both stores answer, with their latency", async () => {
    const { db, drop } = await freshPglite();
    closers.push(drop);
    const { status, body } = await hiveOn(db, new MemoryCoordinator());
    assert.equal(status, 200);
    assert.equal(body.status, "ok");
    assert.ok(body.postgres.ok && body.valkey.ok);
    assert.ok((body.postgres.latencyMs ?? -1) >= 0);
  });

  it("is degraded, still 200, when Valkey is unreachable", async () => {
    const { db, drop } = await freshPglite();
    closers.push(drop);
    const { status, body } = await hiveOn(db, new ValkeyCoordinator("redis://127.0.0.1:1"));
    assert.equal(status, 200);
    assert.equal(body.status, "degraded");
    assert.deepEqual(body.valkey, { ok: false, latencyMs: null });
  });

  it("is down, 503, when PostgreSQL is unreachable", async () => {
    const url = new URL(TEST_DATABASE_URL);
    url.port = "1";
    const db = new PostgresDatabase(url.href);
    closers.push(() => db.close());
    const { status, body } = await hiveOn(db, new MemoryCoordinator());
    assert.equal(status, 503);
    assert.equal(body.status, "down");
    assert.equal(body.postgres.ok, false);
  });
});
