import assert from "node:assert/strict";
import { describe, it } from "node:test";
import Fastify from "fastify";
import { listenOn } from "../../src/cli/server-lifecycle.ts";

describe("listenOn", () => {
  it("answers a URL this machine's clients reach, also when listening on every interface", async () => {
    for (const [host, local] of [
      ["127.0.0.1", /^http:\/\/127\.0\.0\.1:\d+$/],
      ["0.0.0.0", /^http:\/\/127\.0\.0\.1:\d+$/],
    ] as const) {
      const app = Fastify();
      app.get("/", async () => ({ ok: true }));
      try {
        const url = await listenOn(app, "test", { host, port: 0 });
        assert.match(url, local);
        assert.deepEqual(await (await fetch(url)).json(), { ok: true });
      } finally {
        await app.close();
      }
    }
  });
});
