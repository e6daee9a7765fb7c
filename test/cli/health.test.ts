import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, it } from "node:test";
import { assertCleanFailure, runCli, startCli } from "../helpers/run-cli.ts";

/** The health check as a container runs it, against a server in this process. */
const health = (...args: string[]) => startCli(["health", ...args]).exited();

describe("keyforge health", () => {
  let server: Server;
  let base: string;
  before(async () => {
    server = createServer((request, response) => {
      if (request.url === "/health") return response.writeHead(200).end('{"status":"ok"}');
      if (request.url === "/down") return response.writeHead(503).end();
      if (request.url === "/moved") return response.writeHead(302, { location: "/health" }).end();
      // /hang: never answers.
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => {
    server.closeAllConnections();
    server.close();
  });

  it("exits 0 when the URL answers 2xx", async () => {
    const result = await health(`${base}/health`);
    assert.equal(result.status, 0, result.stderr);
    assert.match(result.stdout, /healthy: http:\/\/127\.0\.0\.1:\d+\/health answered 200/);
  });

  it("exits 1 saying why for any other answer, no answer, or nobody there", async () => {
    assertCleanFailure(await health(`${base}/down`), /keyforge: unhealthy: \S+\/down answered 503/);
    assertCleanFailure(await health(`${base}/moved`), /answered 302/);
    assertCleanFailure(
      await health(`${base}/hang`, "--timeout", "0.5"),
      /cannot be reached: no answer within 0.5 s/,
    );
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const port = (closed.address() as AddressInfo).port;
    closed.close();
    assertCleanFailure(
      await health(`http://127.0.0.1:${port}/health`),
      /cannot be reached: ECONNREFUSED/,
    );
  });

  it("refuses what is not an http URL", () => {
    assertCleanFailure(
      runCli(["health", "127.0.0.1:3000"]),
      /<url> must be an http:\/\/ or https:\/\/ URL/,
    );
    assertCleanFailure(runCli(["health", "file:///etc/passwd"]), /must be an http/);
  });
});
