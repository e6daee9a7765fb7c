import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { startCli } from "../helpers/run-cli.ts";
import { TEST_VALKEY_URL } from "../helpers/valkey.ts";

describe("keyforge assets", () => {
  it("listens on a free port, answers /health, and stops cleanly on SIGINT", async () => {
    const server = startCli(["assets", "--port", "0", "--valkey", TEST_VALKEY_URL]);
    const [, url] = await server.waitFor(/assets: listening on (http:\/\/127\.0\.0\.1:\d+)/);
    const health = await fetch(`${url}/health`);
    assert.equal(health.status, 200);
    assert.deepEqual(await health.json(), { status: "ok", coordinator: "up" });
    const result = await server.stop("SIGINT");
    assert.equal(result.status, 0, result.stderr);
  });

  it("keeps serving while Valkey is unreachable, and says so in /health", async () => {
    const server = startCli(["assets", "--port", "0", "--valkey", "redis://127.0.0.1:1"]);
    const [, url] = await server.waitFor(/listening on (http:\/\/\S+)/);
    const health = await fetch(`${url}/health`);
    assert.equal(health.status, 503);
    assert.equal(health.headers.get("retry-after"), "5");
    const result = await server.stop("SIGTERM");
    assert.equal(result.status, 0, result.stderr);
  });
});
